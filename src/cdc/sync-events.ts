/**
 * The events change data capture emits (DESIGN.md principle 6): the log, metrics, the state store
 * and the report listen; the sync loop knows none of them.
 */
import type { FerryError } from '../errors.js';
import type { SyncProgress } from './sync-progress.js';

/** Listener of a change stream's events. Every hook is optional; a hook must not throw. */
export interface SyncReporter {
  /** The stream opened (again, after a restart or a lost connection: `attempt` > 1). */
  onSyncStart?(event: {
    stream: string;
    from: Record<string, string>;
    sessions: number;
    attempt: number;
  }): void;
  /** About once a second while streaming. */
  onSyncProgress?(progress: SyncProgress): void;
  /** The stream or an apply failed for a passing reason; it reopens from what the target holds. */
  onSyncRetry?(event: { attempt: number; reason: string; seconds: number }): void;
  /** A source table changed shape or appeared; `followed` says whether the stream went on. */
  onSchemaChange?(event: { table: string; change: string; followed: boolean }): void;
  /**
   * A cutover step: waiting for the lag, the source made read-only (`--read-only`), draining to
   * the final position, drained (with the final position); or abandoned (the lag stayed too high,
   * or the request cannot be met), streaming on.
   */
  onCutover?(event: {
    step: 'waiting' | 'read-only' | 'draining' | 'drained' | 'abandoned';
    detail: string;
    sourcePosition?: Record<string, string>;
  }): void;
  /** Something to act on that does not stop the stream (the source keeps more log for it than the alarm allows). */
  onSyncWarning?(event: { message: string }): void;
  /** A failure that stops the stream. */
  onSyncError?(event: { error: FerryError }): void;
}
