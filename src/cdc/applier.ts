/**
 * The target side of change data capture: sessions that apply whole source transactions, each in
 * one target transaction that also records the transaction's position, so a restart applies
 * nothing twice and skips nothing.
 */
import type { Coercions } from '../values/coercions.js';
import type { RowChange, StreamPosition } from './change.js';

/** Ferry's record of what a stream applied, on the target: a watermark and the transactions applied past it. */
export const SYNC_STATE_TABLE = '_ferry_sync';
/** One row per transaction applied above the watermark (parallel sessions commit out of order). */
export const SYNC_APPLIED_TABLE = '_ferry_sync_applied';
/** Inserts, updates and deletes applied per stream and table, counted in the transactions that apply them. */
export const SYNC_COUNTS_TABLE = '_ferry_sync_counts';

/** Ferry's sync tables, which introspection never returns (as PROGRESS_TABLE). */
export const SYNC_TABLES: readonly string[] = [SYNC_STATE_TABLE, SYNC_APPLIED_TABLE, SYNC_COUNTS_TABLE];

/** Whether `name` is one of Ferry's sync tables; `fold` for engines whose table names ignore ASCII case. */
export function isSyncTable(name: string, fold = false): boolean {
  return SYNC_TABLES.includes(fold ? name.toLowerCase() : name);
}

/** What the target holds for a stream when applying starts (or restarts). */
export interface AppliedState {
  /** Every transaction at or before it is applied; absent when nothing is (start from the snapshot's position). */
  watermark?: StreamPosition;
  /** `StreamPosition.key`s of the transactions after the watermark that are applied too. */
  appliedAfter: string[];
}

/** Changes applied by one transaction, per target table. */
export type ChangeCounts = Record<string, { inserts: number; updates: number; deletes: number }>;

/** What `Connector.openApplier` needs. */
export interface ApplierOptions {
  /** The stream's name (`ChangeStreamOptions.name`): a target may hold several streams' records. */
  stream: string;
  /** Coercion policies for values the target cannot hold, as for `write`. */
  coercions?: Coercions;
}

/**
 * One target connection applying transactions one after another. Relations name target tables
 * and columns (the engine maps them from the source's); values are canonical and encoded for the
 * target's columns as `write` encodes them. Triggers and foreign-key checks are off in the
 * session where the engine allows (PostgreSQL `session_replication_role = replica`: both off;
 * MariaDB `foreign_key_checks = 0`, its triggers still run; SQLite foreign keys off, its triggers
 * still run), since the source already ran them.
 */
export interface ApplySession {
  /** Starts the target transaction. */
  begin(): Promise<void>;
  /**
   * Applies changes in their order, idempotently so that replaying a transaction over rows copied
   * after it (a healed snapshot) converges: an insert replaces the row of the same key, an update
   * whose key changes deletes the old key and writes the new row, a delete of a missing row passes.
   * A value the target cannot hold throws as `write` does (ValueError naming table, column, key).
   * After a throw the transaction is unusable: the caller rolls it back. Consecutive changes of one
   * kind on one table run as one multi-row statement (cdc/apply-steps.ts), so a unique key other
   * than the row's identity is checked per statement, not per source row.
   */
  apply(changes: RowChange[]): Promise<void>;
  /**
   * Records each of `positions` as applied (the source transactions this target transaction holds,
   * in stream order: one, or several grouped by the engine) and adds `counts` to
   * SYNC_COUNTS_TABLE, then commits, all in the one transaction. A position recorded already fails
   * with DatabaseError SYNC_ALREADY_APPLIED and nothing of the transaction stays (roll back): a
   * replay commits under its own positions. Sessions of one applier never wait on each other for
   * the counts (each adds to rows of its own, summed by `ChangeApplier.counts`).
   */
  commit(positions: readonly StreamPosition[], counts: ChangeCounts): Promise<void>;
  /** Abandons the open transaction. Safe to call when none is open. */
  rollback(): Promise<void>;
  /** Releases the connection (rolling back an open transaction). Safe to call twice. */
  close(): Promise<void>;
}

/** Applies one stream's transactions into a target. */
export interface ChangeApplier {
  /** Creates Ferry's sync tables where missing and reads what the stream applied so far. */
  prepare(): Promise<AppliedState>;
  /**
   * Opens a session on a connection of its own (SQLite: only one at a time; a second throws
   * SQLITE_ONE_SESSION). Throws DatabaseError naming the privilege when the session settings are
   * refused (PostgreSQL PG_REPLICA_ROLE_REFUSED: superuser or `GRANT SET ON PARAMETER`).
   */
  openSession(): Promise<ApplySession>;
  /** How many sessions may apply at once (SQLite: 1). */
  readonly maxSessions: number;
  /**
   * Every transaction up to `position` is committed: stores it as the watermark and forgets the
   * applied records at or before it, in one transaction. A watermark never moves back: a position
   * below the stored one changes nothing but the forgetting.
   */
  advanceWatermark(position: StreamPosition): Promise<void>;
  /** The counts of SYNC_COUNTS_TABLE for this stream, per target table. */
  counts(): Promise<ChangeCounts>;
  /** Drops this stream's records (`ferry cleanup`); the tables go when no stream is left. */
  forget(): Promise<void>;
  /** Closes every session. Safe to call twice. */
  close(): Promise<void>;
}
