/**
 * The sync tables in a SQLite target (cdc/applier.ts SYNC_*), created where missing as the progress
 * table is (progress.ts). The applied record and counts are written inside the transaction of the
 * changes; the caller holds the file's writer lock around every function here.
 */
import type { AppliedState, ChangeCounts } from '../../cdc/applier.js';
import type { StreamPosition } from '../../cdc/change.js';
import { positionText, storedPosition } from '../../cdc/sync-records.js';
import {
  SYNC_ANY_LEFT,
  SYNC_APPLIED_FORGET,
  SYNC_APPLIED_INSERT,
  SYNC_APPLIED_SELECT,
  SYNC_COUNTS_ADD,
  SYNC_COUNTS_SELECT,
  SYNC_CREATE,
  SYNC_DROP,
  SYNC_FORGET,
  SYNC_STATE_SELECT,
  SYNC_STATE_UPSERT,
  SYNC_TABLES_EXIST,
} from './apply-sql.js';
import type { SqliteDatabase } from './session.js';

/** Creates the tables where missing, then reads the watermark and the applied keys past it. */
export function prepareSqliteSync(db: SqliteDatabase, stream: string): AppliedState {
  db.exec(SYNC_CREATE);
  const state = db.prepare(SYNC_STATE_SELECT).get(stream) as
    | { watermark_key: string; watermark: string }
    | undefined;
  const watermark = state ? storedPosition(state.watermark_key, state.watermark) : undefined;
  const applied = db
    .prepare(SYNC_APPLIED_SELECT)
    .pluck()
    .all(stream, watermark?.key ?? null, watermark?.key ?? null) as string[];
  return { ...(watermark ? { watermark } : {}), appliedAfter: applied };
}

/** Records the transactions at `positions` and adds their counts, inside the open transaction (one session: one lane). */
export function recordSqliteSync(
  db: SqliteDatabase,
  stream: string,
  positions: readonly StreamPosition[],
  counts: ChangeCounts,
) {
  const insert = db.prepare(SYNC_APPLIED_INSERT);
  for (const position of positions) insert.run(stream, position.key);
  const add = db.prepare(SYNC_COUNTS_ADD);
  for (const [table, count] of Object.entries(counts)) {
    if (count.inserts === 0 && count.updates === 0 && count.deletes === 0) continue;
    add.run(stream, table, BigInt(count.inserts), BigInt(count.updates), BigInt(count.deletes));
  }
}

/** Sets the watermark (never back) and forgets the applied records it covers, in one transaction. */
export function advanceSqliteSync(db: SqliteDatabase, stream: string, position: StreamPosition): void {
  db.transaction(() => {
    db.prepare(SYNC_STATE_UPSERT).run(stream, position.key, positionText(position));
    db.prepare(SYNC_APPLIED_FORGET).run(stream, position.key);
  }).immediate();
}

/** The stream's counts per table (none before `prepare`). */
export function readSqliteSync(db: SqliteDatabase | undefined, stream: string): ChangeCounts {
  if (!db || db.prepare(SYNC_TABLES_EXIST).get() === undefined) return {};
  const counts: ChangeCounts = {};
  const rows = db.prepare(SYNC_COUNTS_SELECT).safeIntegers(false).all(stream) as Array<{
    table_name: string;
    inserts: number;
    updates: number;
    deletes: number;
  }>;
  for (const row of rows) {
    counts[row.table_name] = { inserts: row.inserts, updates: row.updates, deletes: row.deletes };
  }
  return counts;
}

/** Drops the stream's rows, and the tables once no stream has any. */
export function forgetSqliteSync(db: SqliteDatabase, stream: string): void {
  if (db.prepare(SYNC_TABLES_EXIST).get() === undefined) return;
  db.transaction(() => {
    for (const sql of SYNC_FORGET) db.prepare(sql).run(stream);
    if (Number(db.prepare(SYNC_ANY_LEFT).pluck().get()) === 0) db.exec(SYNC_DROP);
  }).immediate();
}
