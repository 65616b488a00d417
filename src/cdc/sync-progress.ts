/**
 * Where a change stream stands, as the syncing process reports it about once a second: to the
 * event listeners (log, metrics), to the state store (`ferry status` from another shell) and in
 * the final report.
 */
import type { ChangeCounts } from './applier.js';

/** A change stream's positions, lag and counts at one moment. */
export interface SyncProgress {
  /** When this was measured (ISO 8601, UTC). */
  at: string;
  /** The stream's name (the plan's). */
  stream: string;
  /** The source log's newest position, as the source last said. */
  sourcePosition?: Record<string, string>;
  /** Everything up to here is committed on the target (the watermark). */
  appliedPosition?: Record<string, string>;
  /**
   * Seconds between the source committing the oldest change not yet applied and now (0 when
   * everything the source has written is applied).
   */
  lagSeconds: number;
  /** Bytes of log the source retains for the stream (PostgreSQL WAL held by the slot, MariaDB binlog from the stream's file on). */
  retainedBytes?: number;
  /** Row changes received and not yet committed on the target. */
  pendingChanges: number;
  /** Transactions and row changes committed on the target by this process. */
  appliedTransactions: number;
  appliedChanges: number;
  /** Row changes committed per second, over the last few seconds. */
  changesPerSecond: number;
  /** Inserts, updates and deletes applied per target table over the whole stream (the target's counts). */
  tables: ChangeCounts;
}
