/**
 * `runStatus` (`ferry status`): where a plan's run stands, from its state store alone, so that it
 * answers while another process runs (or after it died): per table chunks done of planned, rows,
 * bytes, rate, an ETA, the error, and the consistency the run can claim.
 */
import type { SyncProgress } from '../cdc/sync-progress.js';
import type { CutoverRecord, RunRecord, StateStore } from '../state/state-store.js';
import { type TableConsistency, tableConsistency } from './run-consistency.js';

/** One table's standing. */
export interface TableStatus {
  table: string;
  targetTable: string;
  status: 'pending' | 'copying' | 'copied' | 'failed';
  chunks: number;
  chunksDone: number;
  rows: number;
  bytes: number;
  estimatedRows?: number;
  /** Rows per second since the table started (to its end when copied). */
  rowsPerSecond?: number;
  /** Seconds left at that rate, from the estimated rows. */
  etaSeconds?: number;
  error?: string;
  consistency?: TableConsistency;
}

/** The run's standing. */
export interface RunStatus {
  run: RunRecord;
  /** A `running` run whose last checkpoint is old may have died: status cannot tell a slow chunk from a dead process. */
  secondsSinceUpdate: number;
  tables: TableStatus[];
  /** Sync mode: the change stream's latest progress (positions, lag, rate, per-table counts). */
  sync?: SyncProgress;
  /** Sync mode: the cutover asked for, and how far it got. */
  cutover?: CutoverRecord;
}

const seconds = (from: string, to: number) => Math.max(0, (to - Date.parse(from)) / 1000);

/** Reads the standing of the run recorded in `store`; undefined when none is. */
export function runStatus(store: StateStore, now = Date.now()): RunStatus | undefined {
  const run = store.run();
  if (!run) return undefined;
  const tables = store.tables();
  const consistency = new Map(
    tableConsistency(tables, store.snapshots()).map((entry) => [entry.table, entry]),
  );
  const sync = store.syncProgress();
  const cutover = store.cutover();
  const updated = sync && sync.at > run.updatedAt ? sync.at : run.updatedAt;
  return {
    run,
    secondsSinceUpdate: seconds(updated, now),
    ...(sync ? { sync } : {}),
    ...(cutover ? { cutover } : {}),
    tables: tables.map((table) => {
      const end = table.finishedAt && table.status !== 'copying' ? Date.parse(table.finishedAt) : now;
      const elapsed = table.startedAt ? seconds(table.startedAt, end) : 0;
      const rate = elapsed > 0 && table.rows > 0 ? table.rows / elapsed : undefined;
      const left =
        table.status === 'copying' && rate && table.estimatedRows !== undefined
          ? Math.max(0, table.estimatedRows - table.rows) / rate
          : undefined;
      const standing = consistency.get(table.table);
      return {
        table: table.table,
        targetTable: table.targetTable,
        status: table.status,
        chunks: table.chunks,
        chunksDone: table.chunksDone,
        rows: table.rows,
        bytes: table.bytes,
        ...(table.estimatedRows !== undefined ? { estimatedRows: table.estimatedRows } : {}),
        ...(rate !== undefined ? { rowsPerSecond: rate } : {}),
        ...(left !== undefined ? { etaSeconds: left } : {}),
        ...(table.error ? { error: table.error } : {}),
        ...(standing && table.chunksDone > 0 ? { consistency: standing } : {}),
      };
    }),
  };
}
