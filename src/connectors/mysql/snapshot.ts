/**
 * The source snapshot of a MariaDB/MySQL database: one or more reader connections, each holding a
 * REPEATABLE READ transaction opened under the same brief FLUSH TABLES WITH READ LOCK, with the
 * binlog position of that instant. Each read runs on a free reader until the snapshot is released;
 * if a reader connection is lost, the snapshot is lost and reads fail instead of reading current
 * data.
 */
import type { EventEmitter } from 'node:events';
import { DatabaseError } from '../../errors.js';
import type { SnapshotOptions, SourceSnapshot } from '../connector.js';
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

/** A reader connection of the snapshot, with the listeners that notice its loss. */
interface SnapshotReader {
  connection: MysqlConnection;
  busy: boolean;
  detach(): void;
}

/**
 * The most readers one snapshot opens: the engine runs at most 16 reads at once, and the pool
 * (connection-options.ts) keeps room beside them for the lock, KILL QUERY and the load probe.
 */
export const MAX_SNAPSHOT_READERS = 16;

/** Holds the snapshot's reader connections between `open` and `release`. */
export class MysqlSnapshot {
  private readers: SnapshotReader[] = [];
  /** Why the snapshot was lost; reads fail with it until `release`. */
  private lostReason: string | undefined;
  private where = '';

  constructor(
    private readonly session: MysqlSession,
    private readonly lockWaitSeconds = SNAPSHOT_LOCK_WAIT_SECONDS,
  ) {}

  /** Whether the snapshot was lost (its reads fail until `release`). */
  get lost(): boolean {
    return this.lostReason !== undefined;
  }

  /**
   * See Connector.openSnapshot: opens `readers` connections (at most MAX_SNAPSHOT_READERS), each
   * starting its consistent-snapshot transaction while the one global read lock is held, so all
   * see the same instant, and the binlog position read under that lock is theirs.
   */
  async open(options: SnapshotOptions = {}): Promise<SourceSnapshot> {
    if (this.readers.length > 0 || this.lostReason !== undefined) {
      throw new DatabaseError(
        'SNAPSHOT_ALREADY_OPEN',
        `A snapshot of ${this.session.display} is already open. Release it before opening another.`,
      );
    }
    const count = Math.min(MAX_SNAPSHOT_READERS, Math.max(1, Math.floor(options.readers ?? 1)));
    const connections: MysqlConnection[] = [];
    let snapshot: SourceSnapshot;
    try {
      // Everything but the transactions themselves happens before the lock, to keep it brief.
      const acquired = await Promise.allSettled(Array.from({ length: count }, () => this.session.acquire()));
      for (const result of acquired) if (result.status === 'fulfilled') connections.push(result.value);
      const failed = acquired.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      await this.onEach(connections, 'Preparing the snapshot session', STREAM_TIMEOUTS);
      await this.onEach(connections, 'Setting the snapshot isolation level', SNAPSHOT_ISOLATION);
      snapshot = await this.underGlobalReadLock(async (lock) => {
        await this.onEach(connections, 'Starting the snapshot transaction', START_CONSISTENT_SNAPSHOT);
        const takenAt = new Date().toISOString();
        const position = await this.binlogPosition(lock);
        return position ? { position, takenAt, readers: count } : { takenAt, readers: count };
      });
    } catch (error) {
      // A reader may hold a half-opened transaction: none goes back to the pool.
      for (const connection of connections) connection.destroy();
      throw error;
    }
    this.hold(connections, snapshot);
    return snapshot;
  }

  /**
   * A free reader connection of the snapshot for one read, or undefined when no snapshot is open.
   * Throws DatabaseError once the snapshot is lost, or when every reader is busy. Pair with `endRead`.
   */
  beginRead(table: string): MysqlConnection | undefined {
    if (this.lostReason !== undefined) throw this.lostError(table, this.lostReason);
    if (this.readers.length === 0) return undefined;
    const reader = this.readers.find((candidate) => !candidate.busy);
    if (!reader) {
      throw new DatabaseError(
        'SNAPSHOT_BUSY',
        `Table "${table}" was read while all ${this.readers.length} reader(s) of the snapshot of ${this.session.display} were busy. Run at most as many reads at once as openSnapshot's readers: finish or close one first.`,
      );
    }
    reader.busy = true;
    return reader.connection;
  }

  /**
   * Ends a read on `connection`. A read that stopped before its last row left the rest on the
   * wire, so that connection (and with it the snapshot) is gone: later reads fail.
   */
  endRead(table: string, connection: MysqlConnection, finished: boolean): void {
    const reader = this.readers.find((candidate) => candidate.connection === connection);
    if (!reader) return;
    reader.busy = false;
    if (!finished) this.lose(`the read of table "${table}" stopped before its last row`);
    // A reader left busy when the snapshot was lost goes once its read is over.
    if (this.lostReason !== undefined) this.drop(reader);
  }

  /** Marks the snapshot lost by a failure of its connection; returns the error for the read. */
  lostBy(table: string, failure: unknown): DatabaseError {
    this.lose(`reading table "${table}" failed: ${messageOf(failure)}`);
    return this.lostError(table, this.lostReason ?? 'its connection failed', failure);
  }

  /** See Connector.releaseSnapshot: commits and returns the reader connections. Safe to call twice. */
  async release(): Promise<void> {
    const readers = this.readers;
    this.readers = [];
    this.lostReason = undefined;
    await Promise.all(
      readers.map(async ({ connection, busy, detach }) => {
        detach();
        // A read still streaming owns the wire: COMMIT would wait behind it.
        if (busy) {
          connection.destroy();
          return;
        }
        try {
          await connection.query('COMMIT');
          connection.release();
        } catch {
          connection.destroy();
        }
      }),
    );
  }

  /** Runs one statement on every connection at once. */
  private async onEach(connections: MysqlConnection[], purpose: string, sql: string): Promise<void> {
    await Promise.all(connections.map((connection) => this.session.run(connection, purpose, sql)));
  }

  /** Keeps the reader connections and notices when the server or network drops one. */
  private hold(connections: MysqlConnection[], snapshot: SourceSnapshot): void {
    const position = snapshot.position;
    this.where = position
      ? ` (binlog ${position.file}:${position.position}${position.gtid ? `, GTID ${position.gtid}` : ''})`
      : '';
    this.readers = connections.map((connection) => {
      const core = connection.connection as unknown as EventEmitter;
      const onEnd = () => this.lose('the server closed a reader connection');
      const onError = (error: unknown) => this.lose(`a reader connection failed: ${messageOf(error)}`);
      core.once('end', onEnd);
      core.once('error', onError);
      const detach = () => {
        core.off('end', onEnd);
        core.off('error', onError);
      };
      return { connection, busy: false, detach };
    });
  }

  /**
   * Loses the whole snapshot: idle readers close now; a busy one finishes its read (its
   * transaction still sees the snapshot) and closes at `endRead`. Later reads fail.
   */
  private lose(reason: string): void {
    if (this.lostReason !== undefined || this.readers.length === 0) return;
    this.lostReason = reason;
    for (const reader of [...this.readers]) {
      reader.detach();
      if (!reader.busy) this.drop(reader);
    }
  }

  private drop(reader: SnapshotReader): void {
    reader.detach();
    reader.connection.destroy();
    this.readers = this.readers.filter((candidate) => candidate !== reader);
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
