/**
 * Consistent reads: a coordinator connection holds a REPEATABLE READ transaction whose snapshot is
 * exported (or, in sync mode, an idle replication connection holds the snapshot its new slot
 * exported); every read imports it on its own connection, so parallel readers share one point in time.
 */
import type { EventEmitter } from 'node:events';
import type pg from 'pg';
import { DatabaseError, messageOf } from '../../errors.js';
import type { SourceSnapshot } from '../connector.js';
import { SNAPSHOT_BEGIN, SNAPSHOT_EXPORT, type SnapshotRow, setTransactionSnapshot } from './sql.js';

/** What keeps an exported snapshot alive: a connection that runs nothing else until `end`. */
export interface SnapshotHolder {
  /** The connection, for its 'error' and 'end' events. */
  readonly connection: EventEmitter;
  /** Lets the snapshot go and gives the connection back; `broken`: it is known to be gone. */
  end(broken: boolean): Promise<void>;
}

/** A pooled connection in an open transaction: ending it commits (nothing was written) and releases it. */
function transactionHolder(client: pg.PoolClient): SnapshotHolder {
  return {
    connection: client,
    async end(broken) {
      if (!broken) {
        try {
          await client.query('COMMIT');
        } catch {
          // Nothing to end: the connection is gone, and with it the transaction.
          broken = true;
        }
      }
      client.release(broken);
    },
  };
}

/** An exported snapshot and the connection that keeps it alive. */
export class PostgresSnapshot {
  /** Why the coordinator's connection went away, once it has. */
  private lostReason: string | undefined;
  private released = false;
  private readonly onError = (error: Error) => {
    this.lostReason ??= messageOf(error);
  };
  private readonly onEnd = () => {
    this.lostReason ??= 'the connection closed';
  };

  /** `id`: the exported snapshot's name, for SET TRANSACTION SNAPSHOT. */
  constructor(
    private readonly coordinator: SnapshotHolder,
    private readonly id: string,
    /** What `openSnapshot` returns. */
    readonly info: SourceSnapshot,
    private readonly display: string,
  ) {
    // A checked-out client that loses its socket emits 'error': without a listener it would crash the process.
    coordinator.connection.on('error', this.onError);
    coordinator.connection.on('end', this.onEnd);
  }

  /**
   * Opens the coordinator transaction on `coordinator` and exports its snapshot for `readers` reads
   * at once; releases the client if it fails.
   */
  static async open(coordinator: pg.PoolClient, display: string, readers: number): Promise<PostgresSnapshot> {
    try {
      await coordinator.query(SNAPSHOT_BEGIN);
      const row = (await coordinator.query<SnapshotRow>(SNAPSHOT_EXPORT)).rows[0];
      if (!row) throw new Error('pg_export_snapshot() returned no row');
      return new PostgresSnapshot(
        transactionHolder(coordinator),
        row.id,
        // Every read imports the snapshot on a connection of its own: any number may run at once.
        { position: { lsn: row.lsn }, takenAt: row.taken_at, readers },
        display,
      );
    } catch (error) {
      coordinator.release(true);
      // pg_current_wal_lsn() cannot run on a standby: the position to start change capture from is the primary's.
      const hint = /recovery/i.test(messageOf(error))
        ? ' Point the source URL at the primary server, not a standby.'
        : '';
      throw new DatabaseError(
        'PG_SNAPSHOT_FAILED',
        `Opening a consistent snapshot of ${display} failed (pg_export_snapshot, pg_current_wal_lsn): ${messageOf(error)}.${hint}`,
        { cause: error },
      );
    }
  }

  /**
   * Starts a read-only transaction on `client` that sees this snapshot. Throws DatabaseError
   * PG_SNAPSHOT_LOST when the coordinator's connection is gone: the data would no longer be consistent.
   */
  async importInto(client: pg.PoolClient, table: string): Promise<void> {
    if (this.lostReason !== undefined) throw this.lost(table, this.lostReason);
    try {
      await client.query(`${SNAPSHOT_BEGIN}; ${setTransactionSnapshot(this.id)}`);
    } catch (error) {
      // A server error here (invalid snapshot identifier, source transaction not running) means the
      // exporting transaction ended; a connection error is the reader's own and reported as such.
      if (hasSqlState(error)) throw this.lost(table, messageOf(error), error);
      throw error;
    }
  }

  /** Ends the coordinator transaction and gives its connection back. Safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const broken = this.lostReason !== undefined;
    this.coordinator.connection.off('error', this.onError);
    this.coordinator.connection.off('end', this.onEnd);
    await this.coordinator.end(broken);
  }

  private lost(table: string, reason: string, cause?: unknown): DatabaseError {
    return new DatabaseError(
      'PG_SNAPSHOT_LOST',
      `The consistent snapshot of ${this.display} was lost (${reason}), so table "${table}" cannot be read as of the same point as the others. Release the snapshot and copy again from a new one.`,
      { cause },
    );
  }
}

function hasSqlState(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}
