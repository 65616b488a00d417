/**
 * The SQLite file behind a connector, opened lazily so that a source is never created or written:
 * `open()` opens an existing file read-only and only remembers a missing one; the first call that
 * writes (schema, rows, objects) reopens the file read-write, creating it if needed. A missing file
 * is an error only when something reads it; a missing folder only when something writes.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ConnectionError, DatabaseError, isFerryError, messageOf, UsageError } from '../../errors.js';
import type { ConnectionUrl } from '../url.js';
import { SQLITE_PROBE } from './sql.js';

/** A better-sqlite3 connection. */
export type SqliteDatabase = Database.Database;

const MODES = ['ro', 'rw', 'rwc'] as const;
type SqliteMode = (typeof MODES)[number];

/** One SQLite file: lazy read-only and read-write handles, and a lock for SQLite's single writer. */
export class SqliteSession {
  /** The absolute file path (or `:memory:`). */
  readonly path: string;
  private readonly mode: SqliteMode;
  private db: SqliteDatabase | undefined;
  private writable = false;
  private journalModeBefore = 'delete';
  private queue: Promise<unknown> = Promise.resolve();
  /** Row iterators of reads in progress: SQLite cannot close a connection while one is open. */
  readonly openReads = new Set<Iterator<unknown>>();

  constructor(
    url: ConnectionUrl,
    private readonly display: string,
  ) {
    const mode = url.params.mode ?? 'rwc';
    if (!(MODES as readonly string[]).includes(mode)) {
      throw new UsageError(
        'URL_BAD_PARAMETER',
        `Unknown mode=${mode} in ${display}. sqlite: URLs accept mode=ro (read only), rw (existing file) or rwc (default: create when writing).`,
      );
    }
    this.mode = mode as SqliteMode;
    this.path = url.database === ':memory:' ? ':memory:' : resolve(url.database);
  }

  /** Opens an existing file read-only (or an in-memory database read-write); a missing file is remembered. */
  open(): void {
    if (this.db) return;
    if (this.path === ':memory:') {
      this.openWritable();
    } else if (this.fileExists()) {
      this.db = this.connect(true);
    }
  }

  /** The connection for reading; throws ConnectionError when the file does not exist. */
  reader(): SqliteDatabase {
    this.open();
    if (this.db) return this.db;
    throw new ConnectionError(
      'SQLITE_FILE_MISSING',
      `SQLite database file ${this.path} does not exist (from ${this.display}). Check the path; a relative path starts at ${process.cwd()}.`,
    );
  }

  /** The connection when the file exists, without creating it. */
  existing(): SqliteDatabase | undefined {
    this.open();
    return this.db;
  }

  /** The connection for writing: reopens read-write (creating the file) with the load pragmas. */
  writer(): SqliteDatabase {
    this.open();
    if (this.db && this.writable) return this.db;
    if (this.mode === 'ro') {
      throw new UsageError(
        'SQLITE_READ_ONLY',
        `${this.display} is opened with mode=ro, so Ferry cannot write to it. Remove mode=ro to use it as a target.`,
      );
    }
    if (!this.db && this.mode === 'rw') this.reader();
    const folder = dirname(this.path);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new ConnectionError(
        'SQLITE_FOLDER_MISSING',
        `The folder ${folder} for SQLite database file ${this.path} does not exist. Create it first.`,
      );
    }
    this.db?.close();
    this.db = undefined;
    return this.openWritable();
  }

  /** Runs `work` when no other exclusive work is running: SQLite has one writer at a time. */
  exclusive<T>(work: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Closes the file. After a load: checkpoints the WAL into the main file and restores the journal
   * mode, so that the result is one self-contained file without `-wal`/`-shm` companions.
   */
  close(): void {
    const db = this.db;
    this.db = undefined;
    for (const rows of this.openReads) rows.return?.();
    this.openReads.clear();
    if (!db?.open) return;
    try {
      if (this.writable && this.path !== ':memory:') {
        if (db.inTransaction) db.exec('ROLLBACK');
        db.pragma('wal_checkpoint(TRUNCATE)');
        if (this.journalModeBefore !== 'wal') db.pragma(`journal_mode = ${this.journalModeBefore}`);
      }
    } finally {
      db.close();
      this.writable = false;
    }
  }

  private fileExists(): boolean {
    if (!existsSync(this.path)) return false;
    if (statSync(this.path).isDirectory()) {
      throw new ConnectionError(
        'SQLITE_NOT_A_FILE',
        `SQLite database path ${this.path} is a folder, not a file.`,
      );
    }
    return true;
  }

  /**
   * Opens read-write with the load pragmas: WAL with synchronous=NORMAL is crash-safe (a power
   * loss may lose the last commits, never corrupts the file; a lost chunk is redone because its
   * progress record is lost with it) and much faster than a rollback journal with FULL syncs;
   * foreign_keys=OFF because tables load in any order (SQLite's default, set in case of a build
   * that enables them).
   */
  private openWritable(): SqliteDatabase {
    const db = this.connect(false);
    try {
      this.journalModeBefore = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
      if (this.path !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = OFF');
    } catch (error) {
      db.close();
      throw new DatabaseError(
        'SQLITE_PRAGMA_FAILED',
        `Preparing ${this.path} for loading failed: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
    this.db = db;
    this.writable = true;
    return db;
  }

  private connect(readonly: boolean): SqliteDatabase {
    let db: SqliteDatabase | undefined;
    try {
      db = new Database(this.path, { readonly, fileMustExist: readonly });
      db.defaultSafeIntegers(true);
      db.prepare(SQLITE_PROBE).get();
      return db;
    } catch (error) {
      db?.close();
      if (isFerryError(error)) throw error;
      const code = (error as { code?: unknown }).code;
      const what =
        code === 'SQLITE_NOTADB' ? 'is not a SQLite database' : `cannot be opened (${messageOf(error)})`;
      throw new ConnectionError('SQLITE_OPEN_FAILED', `SQLite database file ${this.path} ${what}.`, {
        cause: error,
      });
    }
  }
}

/** Runs DDL, wrapping a failure in a DatabaseError that names what the statement was for. */
export function execSqlite(db: SqliteDatabase, purpose: string, sql: string): void {
  try {
    db.exec(sql);
  } catch (error) {
    throw new DatabaseError('SQLITE_DDL_FAILED', `${purpose} failed: ${messageOf(error)}`, { cause: error });
  }
}
