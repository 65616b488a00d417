/**
 * Connections to one MariaDB/MySQL database: a mysql2 pool whose connections all run Ferry's
 * session setup (UTC, utf8mb4, strict sql_mode) before their first use.
 */
import type { Readable } from 'node:stream';
import mysql from 'mysql2/promise';
import { DatabaseError } from '../../errors.js';
import type { ConnectionUrl } from '../url.js';
import { connectionError } from './connection-errors.js';
import { binlogOff, parseServerVersion, poolOptions } from './connection-options.js';
import { sanitizeServerMessage } from './load-warnings.js';
import {
  FOREIGN_KEY_CHECKS_OFF,
  FOREIGN_KEY_CHECKS_ON,
  MYSQL8_NO_STATS_CACHE,
  SELECT_VERSION,
  SESSION_NO_BINLOG,
  SESSION_SETUP,
} from './sql.js';
import type { MysqlFlavor } from './types.js';

/** A pooled connection of the promise API. */
export type MysqlConnection = mysql.PoolConnection;

/** What the server is: flavor and version, read once at connect. */
export interface MysqlServerInfo {
  flavor: MysqlFlavor;
  /** `MariaDB 10.11.19` or `MySQL 8.0.36`. */
  display: string;
  version: [number, number, number];
}

/** The callback-API connection under a promise connection: streaming queries and the socket. */
export interface MysqlCoreConnection {
  /** The server's id for this connection, as KILL takes it. */
  threadId: number | null;
  query(options: mysql.QueryOptions): { stream(options?: { highWaterMark?: number }): Readable };
  stream: { writableLength: number; once(event: 'drain' | 'close', listener: () => void): unknown };
}

/** The core connection of a pooled promise connection (mysql2 types it as the promise class). */
export function coreOf(connection: MysqlConnection): MysqlCoreConnection {
  return connection.connection as unknown as MysqlCoreConnection;
}

/** Wraps a failed statement as DatabaseError naming its purpose, with values hidden from the server's message. */
export function statementError(purpose: string, error: unknown, display: string): DatabaseError {
  const message = error instanceof Error ? sanitizeServerMessage(error.message) : String(error);
  return new DatabaseError('STATEMENT_FAILED', `${purpose} failed on ${display}: ${message}`, {
    cause: error,
  });
}

/** A pool whose connections all run Ferry's session setup before their first use. */
export class MysqlSession {
  private pool: mysql.Pool | undefined;
  private readonly ready = new WeakSet<object>();
  private info: MysqlServerInfo | undefined;
  private readonly setup: readonly string[];

  constructor(
    private readonly url: ConnectionUrl,
    readonly display: string,
  ) {
    this.setup = binlogOff(url) ? [...SESSION_SETUP, SESSION_NO_BINLOG] : SESSION_SETUP;
  }

  /** Opens the pool, checks that the server answers and reads its version. */
  async connect(): Promise<MysqlServerInfo> {
    if (this.info) return this.info;
    this.pool ??= mysql.createPool(poolOptions(this.url));
    const connection = await this.acquire();
    try {
      const [rows] = await connection.query(SELECT_VERSION);
      const version = String((rows as Array<{ version: string }>)[0]?.version ?? '');
      this.info = parseServerVersion(version);
      if (this.info.flavor === 'mysql' && this.info.version[0] >= 8)
        await connection.query(MYSQL8_NO_STATS_CACHE);
      return this.info;
    } finally {
      connection.release();
    }
  }

  /** The server facts; `connect` must have run. */
  get server(): MysqlServerInfo {
    if (!this.info) throw new Error('MysqlConnector used before connect()');
    return this.info;
  }

  /** A pooled connection with the session set up; release it (or destroy it) when done. */
  async acquire(): Promise<MysqlConnection> {
    if (!this.pool) throw new Error('MysqlConnector used before connect()');
    let connection: MysqlConnection;
    try {
      connection = await this.pool.getConnection();
    } catch (error) {
      throw connectionError(error, this.url);
    }
    if (!this.ready.has(connection.connection)) {
      try {
        for (const statement of this.setup) await connection.query(statement);
        if (this.info?.flavor === 'mysql' && this.info.version[0] >= 8)
          await connection.query(MYSQL8_NO_STATS_CACHE);
      } catch (error) {
        connection.destroy();
        throw statementError('Setting up the session', error, this.display);
      }
      this.ready.add(connection.connection);
    }
    return connection;
  }

  /** Runs `work` on a pooled connection and releases it, also on failure. */
  async use<T>(work: (connection: MysqlConnection) => Promise<T>): Promise<T> {
    const connection = await this.acquire();
    try {
      return await work(connection);
    } finally {
      connection.release();
    }
  }

  /** Runs `work` with foreign key checks off (drops, truncates, constraint DDL), restoring them after. */
  async useWithoutForeignKeyChecks(work: (connection: MysqlConnection) => Promise<void>): Promise<void> {
    await this.use(async (connection) => {
      await this.run(connection, 'Turning foreign key checks off', FOREIGN_KEY_CHECKS_OFF);
      try {
        await work(connection);
      } finally {
        await connection.query(FOREIGN_KEY_CHECKS_ON);
      }
    });
  }

  /** Runs one statement, wrapping a failure in DatabaseError naming `purpose`. */
  async run<T = unknown>(
    connection: MysqlConnection,
    purpose: string,
    sql: string,
    values?: unknown[],
  ): Promise<T[]> {
    try {
      const [rows] = await connection.query(sql, values);
      return rows as unknown as T[];
    } catch (error) {
      throw statementError(purpose, error, this.display);
    }
  }

  /** Closes every connection. Safe to call twice. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    this.info = undefined;
    if (pool) await pool.end();
  }
}
