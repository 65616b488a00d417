/** `ferry copy <source> <target>`: parses flags, calls `copyDatabase`, prints the summary. */
import type { Command } from 'commander';
import { KNOWN_SCHEMES } from '../../connectors/url.js';
import { copyDatabase } from '../../engine/copy.js';
import { IF_EXISTS_POLICIES, type IfExistsPolicy } from '../../engine/copy-options.js';
import type { CopyResult } from '../../engine/copy-result.js';
import { type LoadLimits, parseLoadLimits } from '../../engine/load-limits.js';
import { planCopy } from '../../engine/plan-copy.js';
import { redact } from '../../secrets.js';
import { type CoercionRule, parseCoercionRule } from '../../values/coercions.js';
import { LOSS_KIND_NAMES } from '../../values/loss-kinds.js';
import { verifyDatabases } from '../../verify/verify.js';
import type { VerifyReporter } from '../../verify/verify-events.js';
import type { VerifyResult } from '../../verify/verify-result.js';
import { failureLines, formatJson, formatSummary } from '../copy-summary.js';
import { addMonitorOptions, type MonitorFlags } from '../monitor-options.js';
import { type Monitors, startMonitors } from '../monitors.js';
import { byteSize, oneOf, parseList, positiveInteger, positiveNumber } from '../options.js';
import { formatPlan } from '../plan-summary.js';
import { verifyStatus } from './verify.js';

interface CopyFlags extends MonitorFlags {
  tables?: string[];
  exclude?: string[];
  schemaOnly?: boolean;
  dataOnly?: boolean;
  ifExists: IfExistsPolicy;
  json?: boolean;
  quiet?: boolean;
  coerce?: CoercionRule[];
  dryRun?: boolean;
  maxRowsPerSecond?: number;
  maxBytesPerSecond?: number;
  parallel?: number;
  chunkRows?: number;
  chunkBytes?: number;
  memory?: number;
  maxLoad?: LoadLimits;
  loadProbeTable?: string;
  verify?: boolean;
}

/** Adds the `copy` command; `setStatus` receives 0 when every table arrived, else 1. */
export function registerCopyCommand(program: Command, setStatus: (status: number) => void): void {
  const command = program
    .command('copy')
    .description('Copy every table (schema and rows) of one database into another, same engine or not.')
    .argument('<source-url>', `where to read: ${KNOWN_SCHEMES.join(', ')} URL`)
    .argument('<target-url>', 'where to write (tables land in its database, and schema for PostgreSQL)')
    .option('--tables <names>', 'copy only these tables (comma-separated, exact names)', parseList)
    .option('--exclude <names>', 'leave these tables out (comma-separated)', parseList)
    .option('--schema-only', 'create tables, indexes, keys and objects; copy no rows')
    .option('--data-only', 'copy rows into tables that already exist; create nothing')
    .option(
      '--if-exists <policy>',
      `when a target table exists: ${IF_EXISTS_POLICIES.join('|')} (fail stops before any write if one holds rows)`,
      oneOf('--if-exists', IF_EXISTS_POLICIES),
      'fail',
    )
    .option(
      '--coerce <policy>',
      'let values the target cannot hold through: <loss>=<action> or <table>.<column>:<loss>=<action> (repeatable; see docs/types.md)',
      (value: string, previous: CoercionRule[] = []) => [...previous, parseCoercionRule(value)],
    )
    .option(
      '--dry-run',
      "print each column's source type → target type and what it cannot carry; write nothing",
    )
    .option(
      '--max-rows-per-second <n>',
      'read at most this many rows per second (whole run)',
      positiveNumber('--max-rows-per-second'),
    )
    .option(
      '--max-bytes-per-second <size>',
      'read at most this many bytes per second (whole run; k, M, G suffixes: 20M)',
      byteSize('--max-bytes-per-second'),
    )
    .option(
      '--max-load <limits>',
      'pause while the source is above any of: probe-seconds (default 1), threads-running, history-length, replication-lag, active-backends, xmin-age (e.g. threads-running=50,history-length=1000000; name=off lifts one)',
      (value: string) => parseLoadLimits(value),
    )
    .option(
      '--load-probe-table <table>',
      'time `SELECT 1 FROM <table> LIMIT 1` as the latency probe instead of `SELECT 1`',
    )
    .option(
      '--parallel <n>',
      'chunks copied at once, from any tables (default: one per core, 2 to 8)',
      positiveInteger('--parallel'),
    )
    .option(
      '--chunk-rows <n>',
      'split tables into key ranges of at most this many rows (default 100000)',
      positiveInteger('--chunk-rows'),
    )
    .option(
      '--chunk-bytes <size>',
      'and of about this many bytes, from the source statistics (default 64M)',
      byteSize('--chunk-bytes'),
    )
    .option(
      '--memory <size>',
      'memory budget for rows in flight; batches shrink to fit it (default 256M)',
      byteSize('--memory'),
    )
    .option('--verify', 'after the copy, compare both sides chunk by chunk (the default)')
    .option(
      '--no-verify',
      'skip the verify step that follows the copy (ferry verify: checksums of both sides, chunk by chunk)',
    )
    .option('--json', 'print the result as JSON on stdout instead of the summary')
    .option('-q, --quiet', 'no progress lines on stderr');
  addMonitorOptions(command, { report: true })
    .addHelpText(
      'after',
      `
URLs:
  postgres://user:pass@host:5432/db?schema=public&sslmode=require   (postgresql:// too)
  mysql://user:pass@host:3306/db                                     (mariadb:// too)
  sqlite:relative/file.db   sqlite:/absolute/file.db   sqlite:///absolute/file.db

Losses (--coerce <loss>=error|null|substitute|widen, default error):
  ${LOSS_KIND_NAMES.join(', ')}

Exit codes: 0 every table arrived, 1 the copy failed or a database refused, 2 bad invocation.

Example:
  ferry copy sqlite:shop.db postgres://postgres@127.0.0.1:5432/shop --if-exists drop`,
    )
    .action(async (sourceUrl: string, targetUrl: string, flags: CopyFlags) => {
      if (flags.dryRun) {
        const plan = await planCopy({
          source: sourceUrl,
          target: targetUrl,
          tables: flags.tables,
          exclude: flags.exclude,
          coerce: flags.coerce,
        });
        process.stdout.write(flags.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan));
        setStatus(0);
        return;
      }
      const monitors = await startMonitors(flags);
      try {
        await copyAndReport(sourceUrl, targetUrl, flags, monitors, setStatus);
      } catch (error) {
        monitors.fail(error);
        throw error;
      } finally {
        await monitors.close();
      }
    });
}

/** The copy, the verify step after it, the report, then the result on stdout. */
async function copyAndReport(
  sourceUrl: string,
  targetUrl: string,
  flags: CopyFlags,
  monitors: Monitors,
  setStatus: (status: number) => void,
): Promise<void> {
  const result = await copyDatabase({
    source: sourceUrl,
    target: targetUrl,
    tables: flags.tables,
    exclude: flags.exclude,
    schemaOnly: flags.schemaOnly,
    dataOnly: flags.dataOnly,
    ifExists: flags.ifExists,
    coerce: flags.coerce,
    maxRowsPerSecond: flags.maxRowsPerSecond,
    maxBytesPerSecond: flags.maxBytesPerSecond,
    maxLoad: flags.maxLoad,
    loadProbeTable: flags.loadProbeTable,
    parallel: flags.parallel,
    chunkRows: flags.chunkRows,
    chunkBytes: flags.chunkBytes,
    memory: flags.memory,
    reporters: monitors.reporters,
  });
  const verified = await verifyCopy(sourceUrl, targetUrl, flags, result, monitors.verifyReporters);
  await monitors.finish({ copy: result, verify: verified });
  process.stdout.write(flags.json ? formatJson(result, verified) : formatSummary(result, verified));
  // A JSON log has told them already, as events.
  if (!monitors.logsErrors) {
    for (const error of failureLines(result)) process.stderr.write(redact(`ferry: error: ${error}\n`));
  }
  setStatus(result.ok ? (verified ? verifyStatus(verified) : 0) : 1);
}

/**
 * The verify step after a copy (on by default): skipped when the copy failed, copied no rows, or
 * appended to tables that hold other rows (those would all count as extra).
 */
async function verifyCopy(
  source: string,
  target: string,
  flags: CopyFlags,
  result: CopyResult,
  reporters: VerifyReporter[],
): Promise<VerifyResult | undefined> {
  // Values a --coerce policy changed differ from the source on purpose.
  if (flags.verify === false || !result.ok || flags.schemaOnly || flags.ifExists === 'append')
    return undefined;
  if (result.coercions.length > 0) return undefined;
  return verifyDatabases({
    source,
    target,
    tables: flags.tables,
    exclude: flags.exclude,
    coerce: flags.coerce,
    parallel: flags.parallel,
    chunkRows: flags.chunkRows,
    reporters,
  });
}
