/**
 * The flags that say how a command shows its run (DESIGN.md stream conventions), shared by
 * `copy`, `verify` and `run`: `--log-format`, `--metrics-port`, `--metrics-host`,
 * `--metrics-linger` and `--report`. monitors.ts assembles the listeners they ask for.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { oneOf } from './options.js';

/** The log formats of `--log-format`. */
export const LOG_FORMATS = ['human', 'json'] as const;

/** The flags addMonitorOptions adds, with the output flags every command has. */
export interface MonitorFlags {
  logFormat: (typeof LOG_FORMATS)[number];
  metricsPort?: number;
  metricsHost: string;
  metricsLinger: number;
  report?: string;
  /** `-q`: no progress on stderr (errors still). */
  quiet?: boolean;
  /** `--json`: the result as JSON on stdout, and no human progress lines. */
  json?: boolean;
}

/** A TCP port, 0 to 65535 (0 lets the system pick one, printed at the start). */
function port(value: string): number {
  const number = Number(value);
  if (Number.isInteger(number) && number >= 0 && number <= 65535) return number;
  throw new UsageError('BAD_OPTION', `--metrics-port must be a port number from 0 to 65535; got "${value}".`);
}

function seconds(value: string): number {
  const number = Number(value);
  if (Number.isFinite(number) && number >= 0) return number;
  throw new UsageError(
    'BAD_OPTION',
    `--metrics-linger must be a number of seconds (0 or more); got "${value}".`,
  );
}

/** Adds the monitoring flags to `command`; `report` adds `--report <file>` (commands that copy). */
export function addMonitorOptions(command: Command, options: { report?: boolean } = {}): Command {
  command
    .option(
      '--log-format <format>',
      `log on stderr as ${LOG_FORMATS.join('|')} (json: one JSON line per event)`,
      oneOf('--log-format', LOG_FORMATS),
      'human',
    )
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics at http://<host>:<port>/metrics during the run (0: any free port)',
      port,
    )
    .option('--metrics-host <host>', 'the address the metrics endpoint listens on', '127.0.0.1')
    .option(
      '--metrics-linger <seconds>',
      'keep serving /metrics this long after the run, so a scraper sees the final values',
      seconds,
      0,
    );
  if (options.report) {
    command.option(
      '--report <file>',
      'write the final report to this file: JSON if it ends in .json, else Markdown',
    );
  }
  return command;
}
