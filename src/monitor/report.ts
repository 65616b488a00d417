/**
 * The final report of a run, computed from its results (STYLE.md rule 11): per table rows, time,
 * throughput, retries, errors, consistency and verification; for the run its success and error
 * rates. Rendered as Markdown or JSON by report-render.ts.
 */
import type { SourceSnapshot } from '../connectors/connector.js';
import type { CopyResult, TableResult } from '../engine/copy-result.js';
import type { ThrottleStats } from '../engine/throttle.js';
import type { FerryError } from '../errors.js';
import type { TableVerifyResult, VerifyResult } from '../verify/verify-result.js';
import { perSecond } from './units.js';

/** An error as the report shows it. */
export interface ReportError {
  code: string;
  message: string;
}

/** What verify found for one table. */
export interface ReportVerification {
  status: TableVerifyResult['status'];
  sourceRows: number;
  targetRows: number;
  missing: number;
  extra: number;
  different: number;
}

/** One table's line of the report. */
export interface ReportTable {
  table: string;
  targetTable: string;
  status: TableResult['status'];
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  /** Megabytes (10^6 bytes) per second. */
  megabytesPerSecond: number;
  chunks: number;
  retries: number;
  errors: ReportError[];
  /** `consistent at <snapshot>`, or what the run says (`not consistent since <position>`); absent when no rows were read. */
  consistency?: string;
  verification?: ReportVerification;
}

/** The whole run's figures. */
export interface ReportTotals {
  tables: number;
  /** Tables that arrived (copied, or created for a schema-only run). */
  succeeded: number;
  failed: number;
  rows: number;
  bytes: number;
  rowsPerSecond: number;
  megabytesPerSecond: number;
  chunks: number;
  retries: number;
  /** Failed tables plus the failed steps outside one table (indexes and keys, objects). */
  errors: number;
  /** succeeded / tables (1 for a run of no table). */
  successRate: number;
  /**
   * The share of chunk attempts that failed: each retry follows a failed attempt and a failed
   * table ended on one; attempts are the chunks plus their retries (0 when nothing was copied).
   */
  errorRate: number;
}

/** The final report of a run. */
export interface RunReport {
  ok: boolean;
  run: string;
  seconds: number;
  parallel: number;
  /** Where every table was read: the one snapshot of the run, and its log position. */
  consistency?: string;
  tables: ReportTable[];
  totals: ReportTotals;
  throttle: ThrottleStats;
  /** Errors outside a single table. */
  errors: ReportError[];
  /** The verify step's outcome, when one ran. */
  verification?: { ok: boolean; seconds: number; counts: Record<TableVerifyResult['status'], number> };
}

/** What else the report can say beyond the copy's result. */
export interface ReportExtras {
  verify?: VerifyResult;
  /** Per source table, a consistency statement that replaces the snapshot's (filled by `ferry run`). */
  consistency?: Record<string, string>;
}

/** Builds the report of a copy (and of the verify that followed it). */
export function buildReport(copy: CopyResult, extras: ReportExtras = {}): RunReport {
  const snapshotText = copy.snapshot ? `consistent at ${describeSnapshot(copy.snapshot)}` : undefined;
  const verified = new Map((extras.verify?.tables ?? []).map((table) => [table.table, table]));
  const tables = copy.tables.map((table) =>
    reportTable(
      table,
      extras.consistency?.[table.table] ?? (table.status === 'copied' ? snapshotText : undefined),
      verified.get(table.table),
    ),
  );
  const sum = (pick: (table: ReportTable) => number) =>
    tables.reduce((total, table) => total + pick(table), 0);
  const failed = tables.filter((table) => table.status === 'failed').length;
  const rows = sum((table) => table.rows);
  const bytes = sum((table) => table.bytes);
  const chunks = sum((table) => table.chunks);
  const retries = sum((table) => table.retries);
  const attempts = chunks + retries;
  return {
    ok: copy.ok && (extras.verify?.ok ?? true),
    run: copy.run,
    seconds: copy.seconds,
    parallel: copy.parallel,
    ...(snapshotText ? { consistency: snapshotText } : {}),
    tables,
    totals: {
      tables: tables.length,
      succeeded: tables.length - failed,
      failed,
      rows,
      bytes,
      rowsPerSecond: perSecond(rows, copy.seconds),
      megabytesPerSecond: perSecond(bytes / 1e6, copy.seconds),
      chunks,
      retries,
      errors: failed + copy.errors.length,
      successRate: tables.length === 0 ? 1 : (tables.length - failed) / tables.length,
      errorRate: attempts === 0 ? 0 : Math.min(1, (retries + failed) / attempts),
    },
    throttle: copy.throttle,
    errors: copy.errors.map(reportError),
    ...(extras.verify ? { verification: verification(extras.verify) } : {}),
  };
}

function reportTable(
  table: TableResult,
  consistency: string | undefined,
  verified?: TableVerifyResult,
): ReportTable {
  return {
    table: table.table,
    targetTable: table.targetTable,
    status: table.status,
    rows: table.rows,
    bytes: table.bytes,
    seconds: table.seconds,
    rowsPerSecond: perSecond(table.rows, table.seconds),
    megabytesPerSecond: perSecond(table.bytes / 1e6, table.seconds),
    chunks: table.chunks,
    retries: table.retries,
    errors: table.error ? [reportError(table.error)] : [],
    ...(consistency ? { consistency } : {}),
    ...(verified
      ? {
          verification: {
            status: verified.status,
            sourceRows: verified.sourceRows,
            targetRows: verified.targetRows,
            ...verified.counts,
          },
        }
      : {}),
  };
}

function verification(result: VerifyResult): NonNullable<RunReport['verification']> {
  const counts = { equal: 0, different: 0, repaired: 0, failed: 0 };
  for (const table of result.tables) counts[table.status]++;
  return { ok: result.ok, seconds: result.seconds, counts };
}

function reportError(error: FerryError): ReportError {
  return { code: error.code, message: error.message };
}

/** `2026-11-25T06:00:00.000Z (lsn 0/1A2B3C)`: when, and where the source's log stood. */
export function describeSnapshot(snapshot: SourceSnapshot): string {
  const position = Object.entries(snapshot.position ?? {})
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
  return `${snapshot.takenAt}${position ? ` (${position})` : ''}`;
}
