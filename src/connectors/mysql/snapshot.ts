/**
 * The source snapshot of a MariaDB/MySQL database: one reader connection holding a REPEATABLE READ
 * transaction opened under a brief FLUSH TABLES WITH READ LOCK, with the binlog position of that
 * instant. Every read runs on that connection until the snapshot is released; if the connection is
 * lost, reads fail instead of reading current data.
 */
import type { EventEmitter } from 'node:events';
import { DatabaseError } from '../../errors.js';
import type { SourceSnapshot } from '../connector.js';
import { driverCode } from './connection-errors.js';
import { sanitizeServerMessage } from './load-warnings.js';
import { type MysqlConnection, type MysqlSession, statementError } from './session.js';
import {
  FLUSH_TABLES_WITH_READ_LOCK,
  type MysqlBinlogStatusRow,
  RESET_LOCK_WAIT_TIMEOUT,
  SELECT_GTID_BINLOG_POS,
  SET_LOCK_WAIT_TIMEOUT,
  SHOW_BINARY_LOG_STATUS,
  SHOW_MASTER_STATUS,
  SNAPSHOT_ISOLATION,
  SNAPSHOT_LOCK_WAIT_SECONDS,
  START_CONSISTENT_SNAPSHOT,
  STREAM_TIMEOUTS,
  UNLOCK_TABLES,
} from './sql.js';

/** Server errors: access denied for a global privilege, lock wait timeout, SQL syntax (MySQL 8.4 has no SHOW MASTER STATUS). */
const ERRNO_PRIVILEGE = 1227;
const ERRNO_LOCK_WAIT_TIMEOUT = 1205;
const ERRNO_SYNTAX = 1064;

/** A driver failure's message with any values the server quoted hidden. */
function messageOf(error: unknown): string {
  return error instanceof Error ? sanitizeServerMessage(error.message) : String(error);
}

/** Holds the snapshot's reader connection between `open` and `release`. */
export class MysqlSnapshot {
  private connection: MysqlConnection | undefined;
  /** Why the snapshot was lost; reads fail with it until `release`. */
  private lostReason: string | undefined;
  private where = '';
  private reading = false;
  private detach: (() => void) | undefined;

  constructor(
    private readonly session: MysqlSession,
    private readonly lockWaitSeconds = SNAPSHOT_LOCK_WAIT_SECONDS,
  ) {}

  /** See Connector.openSnapshot. */
  async open(): Promise<SourceSnapshot> {
    if (this.connection || this.lostReason !== undefined) {
      throw new DatabaseError(
        'SNAPSHOT_ALREADY_OPEN',
        `A snapshot of ${this.session.display} is already open. Release it before opening another.`,
      );
    }
    const reader = await this.session.acquire();
    let snapshot: SourceSnapshot;
    try {
      await this.session.run(reader, 'Preparing the snapshot session', STREAM_TIMEOUTS);
      snapshot = await this.underGlobalReadLock(async (lock) => {
        await this.session.run(reader, 'Setting the snapshot isolation level', SNAPSHOT_ISOLATION);
        await this.session.run(reader, 'Starting the snapshot transaction', START_CONSISTENT_SNAPSHOT);
        const takenAt = new Date().toISOString();
        const position = await this.binlogPosition(lock);
        return position ? { position, takenAt } : { takenAt };
      });
    } catch (error) {
      // The reader may hold a half-opened transaction: it must not go back to the pool.
      reader.destroy();
      throw error;
    }
    this.hold(reader, snapshot);
    return snapshot;
  }

  /**
   * The snapshot's connection for one read (reads are sequential), or undefined when no snapshot is
   * open. Throws DatabaseError once the snapshot is lost. Pair with `endRead`.
   */
  beginRead(table: string): MysqlConnection | undefined {
    if (this.lostReason !== undefined) throw this.lostError(table, this.lostReason);
    if (!this.connection) return undefined;
    if (this.reading) {
      throw new DatabaseError(
        'SNAPSHOT_BUSY',
        `Table "${table}" was read while another read of the snapshot of ${this.session.display} was still running. Snapshot reads are sequential: finish or close the first one.`,
      );
    }
    this.reading = true;
    return this.connection;
  }

  /**
   * Ends a read. A read that stopped before its last row left the rest on the wire, so the
   * connection (and with it the snapshot) is gone: later reads fail.
   */
  endRead(table: string, finished: boolean): void {
    this.reading = false;
    if (!finished) this.lose(`the read of table "${table}" stopped before its last row`);
  }

  /** Marks the snapshot lost by a failure of its connection; returns the error for the read. */
  lostBy(table: string, failure: unknown): DatabaseError {
    this.lose(`reading table "${table}" failed: ${messageOf(failure)}`);
    return this.lostError(table, this.lostReason ?? 'its connection failed', failure);
  }

  /** See Connector.releaseSnapshot: commits and returns the reader connection. Safe to call twice. */
  async release(): Promise<void> {
    const connection = this.connection;
    const reading = this.reading;
    this.detach?.();
    this.detach = undefined;
    this.connection = undefined;
    this.lostReason = undefined;
    this.reading = false;
    if (!connection) return;
    // A read still streaming owns the wire: COMMIT would wait behind it.
    if (reading) {
      connection.destroy();
      return;
    }
    try {
      await connection.query('COMMIT');
      connection.release();
    } catch {
      connection.destroy();
    }
  }

  /** Keeps the reader connection and notices when the server or network drops it. */
  private hold(reader: MysqlConnection, snapshot: SourceSnapshot): void {
    const position = snapshot.position;
    this.where = position
      ? ` (binlog ${position.file}:${position.position}${position.gtid ? `, GTID ${position.gtid}` : ''})`
      : '';
    const core = reader.connection as unknown as EventEmitter;
    const onEnd = () => this.lose('the server closed the reader connection');
    const onError = (error: unknown) => this.lose(`the reader connection failed: ${messageOf(error)}`);
    core.once('end', onEnd);
    core.once('error', onError);
    this.detach = () => {
      core.off('end', onEnd);
      core.off('error', onError);
    };
    this.connection = reader;
  }

  private lose(reason: string): void {
    if (this.lostReason !== undefined || !this.connection) return;
    this.lostReason = reason;
    this.detach?.();
    this.detach = undefined;
    this.connection.destroy();
    this.connection = undefined;
  }

  private lostError(table: string, reason: string, cause?: unknown): DatabaseError {
    return new DatabaseError(
      'SNAPSHOT_LOST',
      `The consistent snapshot of ${this.session.display}${this.where} was lost: ${reason}. Table "${table}" cannot be read as of the snapshot; release it and open a new one, and copy again what was read since the snapshot's position.`,
      { cause },
    );
  }

  /** Runs `work` while a second connection holds the global read lock; unlocks in any case. */
  private async underGlobalReadLock<T>(work: (lock: MysqlConnection) => Promise<T>): Promise<T> {
    const lock = await this.session.acquire();
    let healthy = true;
    try {
      await this.session.run(lock, 'Setting the lock wait timeout', SET_LOCK_WAIT_TIMEOUT, [
        this.lockWaitSeconds,
      ]);
      try {
        await lock.query(FLUSH_TABLES_WITH_READ_LOCK);
      } catch (error) {
        throw this.lockError(error);
      }
      try {
        return await work(lock);
      } finally {
        await lock.query(UNLOCK_TABLES).catch(() => {
          healthy = false;
        });
      }
    } finally {
      if (healthy) {
        await lock.query(RESET_LOCK_WAIT_TIMEOUT).catch(() => {
          healthy = false;
        });
      }
      // A connection that may still hold the global read lock never goes back to the pool.
      if (healthy) lock.release();
      else lock.destroy();
    }
  }

  private lockError(error: unknown): DatabaseError {
    const { errno } = driverCode(error);
    if (errno === ERRNO_PRIVILEGE) {
      return new DatabaseError(
        'SNAPSHOT_PRIVILEGE_MISSING',
        `${this.session.display} refused FLUSH TABLES WITH READ LOCK: the user lacks the RELOAD privilege, which a consistent snapshot needs for a moment to record the binlog position. Grant it (GRANT RELOAD ON *.* TO the user).`,
        { cause: error },
      );
    }
    if (errno === ERRNO_LOCK_WAIT_TIMEOUT) {
      return new DatabaseError(
        'SNAPSHOT_LOCK_TIMEOUT',
        `FLUSH TABLES WITH READ LOCK on ${this.session.display} did not get the global read lock within ${this.lockWaitSeconds} s (lock_wait_timeout): a long statement, an open LOCK TABLES or an uncommitted DDL holds tables. Find it with SHOW PROCESSLIST and retry when it is done.`,
        { cause: error },
      );
    }
    return statementError(
      'Taking the global read lock (FLUSH TABLES WITH READ LOCK)',
      error,
      this.session.display,
    );
  }

  /** The binlog file, position and GTID position; undefined when the binlog is off. */
  private async binlogPosition(connection: MysqlConnection): Promise<Record<string, string> | undefined> {
    const rows = await this.binlogStatus(connection);
    const row = rows[0];
    if (!row) return undefined;
    const position: Record<string, string> = { file: row.File, position: String(row.Position) };
    let gtid = row.Executed_Gtid_Set ?? '';
    if (this.session.server.flavor === 'mariadb') {
      const [gtidRow] = await this.session.run<{ gtid: string | null }>(
        connection,
        'Reading the GTID position',
        SELECT_GTID_BINLOG_POS,
      );
      gtid = gtidRow?.gtid ?? '';
    }
    gtid = gtid.replace(/\s+/g, '');
    if (gtid !== '') position.gtid = gtid;
    return position;
  }

  private async binlogStatus(connection: MysqlConnection): Promise<MysqlBinlogStatusRow[]> {
    for (const statement of [SHOW_MASTER_STATUS, SHOW_BINARY_LOG_STATUS]) {
      try {
        const [rows] = await connection.query(statement);
        return rows as MysqlBinlogStatusRow[];
      } catch (error) {
        const { errno } = driverCode(error);
        if (errno === ERRNO_SYNTAX && statement === SHOW_MASTER_STATUS) continue;
        if (errno === ERRNO_PRIVILEGE) {
          throw new DatabaseError(
            'SNAPSHOT_PRIVILEGE_MISSING',
            `${this.session.display} refused ${statement}: reading the binlog position needs the BINLOG MONITOR privilege (MariaDB) or REPLICATION CLIENT (MySQL). Grant it to the user.`,
            { cause: error },
          );
        }
        throw statementError(`Reading the binlog position (${statement})`, error, this.session.display);
      }
    }
    return [];
  }
}
