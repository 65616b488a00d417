/**
 * TEXT whose stored bytes are not valid in the file's encoding (`CAST(x'41ff42' AS TEXT)`):
 * better-sqlite3 decodes it with U+FFFD in place of each bad sequence, silently. Only a string
 * holding U+FFFD can be such text, so the reader re-reads just those cells' bytes to tell them
 * from a genuine U+FFFD; a SQLite target gets the bytes themselves, marked by sqliteTextBytes.
 */
import { TextDecoder } from 'node:util';
import { DatabaseError } from '../../errors.js';
import type { Table } from '../../schema/table.js';
import type { SqliteStored } from './codecs.js';
import type { SqliteDatabase } from './session.js';
import { quoteSqliteIdent, SQLITE_ENCODING, SQLITE_WITHOUT_ROWID } from './sql.js';

const HANDED_OVER = new WeakSet<Buffer>();

/** Marks `bytes` as a TEXT value's exact stored bytes, which a SQLite writer stores as TEXT again. */
export function sqliteTextBytes(bytes: Buffer): Buffer {
  HANDED_OVER.add(bytes);
  return bytes;
}

/** Whether `value` is TEXT handed over as its stored bytes (see sqliteTextBytes). */
export function isSqliteTextBytes(value: unknown): value is Buffer {
  return Buffer.isBuffer(value) && HANDED_OVER.has(value);
}

/** The name under which the table's rowid can be selected, or undefined (WITHOUT ROWID, or every name shadowed). */
export function sqliteRowidName(db: SqliteDatabase, table: Table): string | undefined {
  const withoutRowid = db.prepare(SQLITE_WITHOUT_ROWID).pluck().safeIntegers(false).get(table.name);
  if (withoutRowid === 1) return undefined;
  const taken = new Set(table.columns.map((column) => column.name.toLowerCase()));
  return ['rowid', '_rowid_', 'oid'].find((name) => !taken.has(name));
}

/**
 * Finds the stored bytes of text cells that are not valid text. A row is found again by its rowid
 * (the extra value at `rowidAt` of each stored row) or, without one, by its primary key values.
 */
export class SqliteTextBytesReader {
  /** The file's text encoding, for messages: `UTF-8`, `UTF-16le` or `UTF-16be`. */
  readonly encoding: string;
  private readonly decoder: TextDecoder;
  private readonly lookups = new Map<string, { get(...params: unknown[]): unknown }>();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly table: string,
    /** The columns of each stored row, in order (a selected rowid comes after them). */
    private readonly columns: readonly string[],
    /** The name the rowid is selected under, or undefined to find rows by `keyPositions`. */
    private readonly rowid: string | undefined,
    private readonly keyPositions: readonly number[],
  ) {
    this.encoding = String(db.prepare(SQLITE_ENCODING).pluck().get());
    this.decoder = new TextDecoder(this.encoding.toLowerCase(), { fatal: true });
  }

  /** The stored bytes of `stored[at]` when they are not valid text; undefined when the text is exact. */
  invalidBytes(stored: ReadonlyArray<SqliteStored | null>, at: number): Buffer | undefined {
    const text = stored[at];
    if (typeof text !== 'string' || !text.includes('\uFFFD')) return undefined;
    const keys = this.rowid === undefined ? this.keyPositions : [this.columns.length];
    const bytes = this.lookup(at).get(...keys.map((k) => stored[k] ?? null));
    if (!Buffer.isBuffer(bytes)) {
      // Found by a primary key whose own text is not valid: its value as read matches no row.
      throw new DatabaseError(
        'SQLITE_READ_FAILED',
        `Reading table "${this.table}" failed: the stored bytes of column "${this.columns[at]}" could not be read again to check that they are valid text (the row has no rowid and its primary key is not valid text).`,
      );
    }
    try {
      this.decoder.decode(bytes);
      return undefined;
    } catch {
      return bytes;
    }
  }

  private lookup(at: number): { get(...params: unknown[]): unknown } {
    const column = this.columns[at]!;
    let statement = this.lookups.get(column);
    if (!statement) {
      const where =
        this.rowid === undefined
          ? this.keyPositions.map((k) => `${quoteSqliteIdent(this.columns[k]!)} IS ?`).join(' AND ')
          : `${this.rowid} = ?`;
      // Re-reads one cell's bytes: CAST to BLOB gives the stored TEXT bytes unconverted.
      const sql = `SELECT CAST(${quoteSqliteIdent(column)} AS BLOB) FROM ${quoteSqliteIdent(this.table)} WHERE ${where}`;
      statement = this.db.prepare(sql).pluck();
      this.lookups.set(column, statement);
    }
    return statement;
  }
}
