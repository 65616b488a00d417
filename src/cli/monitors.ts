/**
 * The listeners of a command's run, as its monitoring flags ask (monitor-options.ts): human lines
 * on stderr (above progress bars when stderr is a terminal) or JSON lines; Prometheus metrics on a
 * port; the final report. The command hands `reporters` to the library and calls `finish` and
 * `close`; it never talks to a bar, a log or a metric itself.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CopyResult } from '../engine/copy-result.js';
import { emit, type Reporter } from '../engine/events.js';
import { FerryError, messageOf } from '../errors.js';
import { JsonLog } from '../monitor/json-log.js';
import { RunMetrics } from '../monitor/metrics.js';
import { type BarStream, ProgressBars } from '../monitor/progress-bars.js';
import { buildReport, type ReportExtras } from '../monitor/report.js';
import { writeReport } from '../monitor/report-render.js';
import { type MetricsServer, startMetricsServer } from '../monitor/server/metrics-server.js';
import type { VerifyReporter } from '../verify/verify-events.js';
import type { VerifyResult } from '../verify/verify-result.js';
import type { MonitorFlags } from './monitor-options.js';
import { stderrLog } from './stderr-log.js';
import { verifyLog } from './verify-summary.js';

/** A command's listeners and their end. */
export interface Monitors {
  /** For the copy. */
  reporters: Reporter[];
  /** For the verify step. */
  verifyReporters: VerifyReporter[];
  /** True when errors are logged as JSON lines: the command then prints no human error line. */
  logsErrors: boolean;
  /** Tells every listener about an error that stopped the command (the caller rethrows it). */
  fail(error: unknown): void;
  /** Stops the bars and writes the report; call before printing the result on stdout. */
  finish(outcome: { copy?: CopyResult; verify?: VerifyResult } & Omit<ReportExtras, 'verify'>): Promise<void>;
  /** Ends everything (the metrics server after `--metrics-linger`); safe to call twice. */
  close(): Promise<void>;
}

/** Starts what `flags` ask for; throws (before the run) when the metrics port cannot be opened. */
export async function startMonitors(
  flags: MonitorFlags,
  stream: BarStream = process.stderr,
): Promise<Monitors> {
  const reporters: Reporter[] = [];
  const verifyReporters: VerifyReporter[] = [];
  const jsonLog = flags.logFormat === 'json' && !flags.quiet ? new JsonLog(stream) : undefined;
  // Human lines, as before: none with --quiet or --json (stdout then holds the JSON result).
  const bars =
    flags.logFormat === 'human' && !flags.quiet && !flags.json ? new ProgressBars(stream) : undefined;
  if (jsonLog) {
    reporters.push(jsonLog);
    verifyReporters.push(jsonLog);
  }
  if (bars) {
    // The bars draw only on a terminal; the log lines pass through them either way.
    reporters.push(bars, stderrLog(bars));
    // verifyLog only calls `write`, which the bars have.
    verifyReporters.push(bars, verifyLog(bars as unknown as NodeJS.WritableStream));
  }

  let metrics: RunMetrics | undefined;
  let server: MetricsServer | undefined;
  if (flags.metricsPort !== undefined) {
    metrics = new RunMetrics();
    server = await startMetricsServer({
      host: flags.metricsHost,
      port: flags.metricsPort,
      registry: metrics.registry,
    });
    reporters.push(metrics);
    verifyReporters.push(metrics);
    if (jsonLog) jsonLog.line('metrics.listening', { url: server.url });
    else if (!flags.quiet) stream.write(`ferry: metrics at ${server.url}\n`);
  }

  let closed = false;
  return {
    reporters,
    verifyReporters,
    logsErrors: jsonLog !== undefined,
    fail(error) {
      bars?.stop();
      const failure = error instanceof FerryError ? error : new FerryError('UNEXPECTED', messageOf(error));
      emit(reporters, 'onError', { error: failure });
    },
    async finish(outcome) {
      bars?.stop();
      metrics?.setPhase('done');
      if (flags.report && outcome.copy) {
        const { copy, ...extras } = outcome;
        await writeReport(flags.report, buildReport(copy, extras));
        jsonLog?.line('report.written', { file: flags.report });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      bars?.stop();
      if (server) {
        if (flags.metricsLinger > 0) await sleep(flags.metricsLinger * 1000);
        await server.close();
      }
    },
  };
}
