/** Plans a SQLite table's chunks by the nibble walk (`Connector.planChunks`). */
import { isDeepStrictEqual, TextDecoder } from 'node:util';
import { DatabaseError } from '../../errors.js';
import type { Column, Table } from '../../schema/table.js';
import type { CanonicalValue } from '../../values/canonical.js';
import type { ChunkPlanOptions, KeyRange } from '../connector.js';
import { boundParam, sqliteKeyColumns, sqliteKeyOrder, sqliteKeySql, sqliteRangeWhere } from './chunks.js';
import { decodeSqliteValue, type SqliteParam, type SqliteStored, SqliteValueProblem } from './codecs.js';
import { type SqliteDeclared, sqliteDeclared } from './reader.js';
import type { SqliteDatabase } from './session.js';
import { quoteSqliteIdent, SQLITE_ENCODING } from './sql.js';
import { sqliteTextBytes } from './text-bytes.js';

/**
 * The nibble walk: from no lower bound, asks for the key at offset `rows - 1` past the previous
 * boundary until no row follows it (so a table of at most `rows` rows is `[{}]`). Boundaries are
 * the values `read` gives for the key columns, except one that would not bind back to what is
 * stored (a respelled date or UUID, a decimal stored as a number, a value of another storage class
 * than the declared type, TEXT that is not valid text): that one stays as stored.
 */
export function planSqliteChunks(db: SqliteDatabase, table: Table, options: ChunkPlanOptions): KeyRange[] {
  const columns = sqliteKeyColumns(table, options.key);
  const key = sqliteKeySql(columns);
  const declared = sqliteDeclared(db, table.name, columns);
  const decoder = new TextDecoder(String(db.prepare(SQLITE_ENCODING).pluck().get()).toLowerCase(), {
    fatal: true,
  });
  const offset = Math.max(1, Math.floor(options.rows)) - 1;
  // Each key column twice: as stored, and as its bytes, for TEXT that is not valid text.
  const selected = [
    ...columns.map((column) => quoteSqliteIdent(column.name)),
    ...columns.map((column) => `CAST(${quoteSqliteIdent(column.name)} AS BLOB)`),
  ].join(', ');
  const ranges: KeyRange[] = [];
  let previous: CanonicalValue[] | undefined;
  for (;;) {
    const where = sqliteRangeWhere(key, previous ? { after: previous } : {});
    // Two rows: a boundary only where a row follows it, so no range is left empty.
    const sql = `SELECT ${selected} FROM ${quoteSqliteIdent(table.name)}${where.sql}${sqliteKeyOrder(key)} LIMIT 2 OFFSET ?`;
    const [row, next] = db
      .prepare(sql)
      .raw(true)
      .all(...where.params, offset) as Array<Array<SqliteStored | null>>;
    if (!row || !next) break;
    const boundary = columns.map((column, i) =>
      boundaryValue(column, declared[i]!, row[i] ?? null, row[columns.length + i] ?? null, decoder),
    );
    if (previous && isDeepStrictEqual(boundary, previous)) {
      // The walk would never end: a boundary that does not bind back to the value it was read from.
      throw new DatabaseError(
        'SQLITE_CHUNK_PLAN',
        `Planning the chunks of table "${table.name}" on (${options.key.join(', ')}) found the same boundary twice: a key value does not compare equal to itself once read. Copy this table in one chunk.`,
      );
    }
    ranges.push(previous ? { after: previous, through: boundary } : { through: boundary });
    previous = boundary;
  }
  ranges.push(previous ? { after: previous } : {});
  return ranges;
}

/** A stored key value as a boundary: its canonical value when that binds back to exactly it. */
function boundaryValue(
  column: Column,
  { affinity }: SqliteDeclared,
  stored: SqliteStored | null,
  bytes: SqliteStored | null,
  decoder: TextDecoder,
): CanonicalValue {
  if (stored === null) return null;
  if (typeof stored === 'string' && stored.includes('\uFFFD') && Buffer.isBuffer(bytes)) {
    try {
      decoder.decode(bytes);
    } catch {
      return sqliteTextBytes(bytes);
    }
  }
  let canonical: CanonicalValue;
  try {
    canonical = decodeSqliteValue(column.type, affinity, stored);
  } catch (error) {
    if (error instanceof SqliteValueProblem) return stored;
    throw error;
  }
  return sameStored(boundParam(canonical), stored) ? canonical : stored;
}

function sameStored(param: SqliteParam, stored: SqliteStored): boolean {
  if (Buffer.isBuffer(param) || Buffer.isBuffer(stored)) {
    return Buffer.isBuffer(param) && Buffer.isBuffer(stored) && param.equals(stored);
  }
  return typeof param === typeof stored && Object.is(param, stored);
}
