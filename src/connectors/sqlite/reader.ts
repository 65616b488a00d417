/**
 * Streams a SQLite table as byte-bounded batches of canonical values, in primary-key order (rowid
 * order without one). Each value is decoded by its column's logical kind and its actual storage
 * class: a stored value the declared type cannot describe (text in an INTEGER column, a blob in a
 * TEXT column, 300 in a TINYINT) is the `storage-class` loss, and TEXT whose bytes are not valid
 * UTF-8 is the `invalid-text` loss, both handled by ReadOptions.coercions.
 */
import { setImmediate as macrotask } from 'node:timers/promises';
import { DatabaseError, messageOf } from '../../errors.js';
import { describeType } from '../../schema/logical-type.js';
import { type Column, copiedColumns, type Table } from '../../schema/table.js';
import { type CanonicalValue, estimateBytes, type Row, type RowBatch } from '../../values/canonical.js';
import type { ReadOptions } from '../connector.js';
import { rowFilterOf, rowFilterText, withRowFilter } from '../row-filter.js';
import {
  type SqliteClause,
  sqliteKeyColumns,
  sqliteKeyOrder,
  sqliteKeySql,
  sqliteRangeWhere,
} from './chunks.js';
import { decodeSqliteValue, type SqliteStored, SqliteValueProblem } from './codecs.js';
import { catalogRows } from './introspect.js';
import { applySqlitePolicy } from './loss-policy.js';
import { keyPositions, rowKeyText } from './row-key.js';
import type { SqliteDatabase } from './session.js';
import { quoteSqliteIdent, SQLITE_TABLE_XINFO, type SqliteColumnRow } from './sql.js';
import { SqliteTextBytesReader, sqliteRowidName, sqliteTextBytes } from './text-bytes.js';
import { type SqliteAffinity, sqliteAffinity } from './types.js';

/** A column as declared in this file (not as the Table says: it may come from elsewhere). */
export interface SqliteDeclared {
  declared: string;
  affinity: SqliteAffinity;
}

/** The declared type and affinity of each column in this file. */
export function sqliteDeclared(db: SqliteDatabase, table: string, columns: Column[]): SqliteDeclared[] {
  const declared = new Map(
    catalogRows<SqliteColumnRow>(db, SQLITE_TABLE_XINFO, table).map((row) => [
      row.name.toLowerCase(),
      row.type,
    ]),
  );
  return columns.map((column) => {
    const type = declared.get(column.name.toLowerCase()) ?? column.nativeType;
    return { declared: type, affinity: sqliteAffinity(type) };
  });
}

/**
 * `WHERE` and `ORDER BY`: with a range or a key, the range's rows in binary key order (chunks.ts);
 * otherwise every row by the primary key, else the rowid (under whichever of its names no column
 * shadows). Only rows matching the plan's condition (`rowFilterOf`), if any.
 */
function selection(table: Table, rowid: string | undefined, options: ReadOptions): SqliteClause {
  const filter = rowFilterOf(table, options);
  if (options.range || options.key) {
    const key = sqliteKeySql(sqliteKeyColumns(table, options.key ?? table.primaryKey));
    const where = sqliteRangeWhere(key, options.range ?? {});
    return { sql: `${withRowFilter(where.sql, filter)}${sqliteKeyOrder(key)}`, params: where.params };
  }
  const where = withRowFilter('', filter);
  if (table.primaryKey.length > 0)
    return { sql: `${where} ORDER BY ${table.primaryKey.map(quoteSqliteIdent).join(', ')}`, params: [] };
  return { sql: `${where}${rowid ? ` ORDER BY ${rowid}` : ''}`, params: [] };
}

/**
 * Reads the table's copied columns; holds one batch at a time and lets the event loop run between
 * batches. The open row iterator sits in `openReads` so that closing the connection can end it.
 */
export async function* readSqliteTable(
  db: SqliteDatabase,
  table: Table,
  options: ReadOptions,
  openReads: Set<Iterator<unknown>> = new Set(),
): AsyncGenerator<RowBatch> {
  const columns = copiedColumns(table);
  const positions = keyPositions(columns, table.primaryKey);
  let rowsIterator: IterableIterator<Array<SqliteStored | null>>;
  let declared: SqliteDeclared[];
  let texts: SqliteTextBytesReader;
  try {
    declared = sqliteDeclared(db, table.name, columns);
    // The rowid comes after the columns: it finds a row again to re-read a cell's stored bytes.
    const rowid = sqliteRowidName(db, table);
    const names = columns.map((column) => column.name);
    texts = new SqliteTextBytesReader(db, table.name, names, rowid, positions);
    const selected = [...names.map(quoteSqliteIdent), ...(rowid ? [rowid] : [])].join(', ');
    const rest = selection(table, rowid, options);
    const sql = `SELECT ${selected} FROM ${quoteSqliteIdent(table.name)}${rest.sql}`;
    rowsIterator = db
      .prepare(sql)
      .raw(true)
      .iterate(...rest.params) as IterableIterator<Array<SqliteStored | null>>;
  } catch (error) {
    throw new DatabaseError(
      'SQLITE_READ_FAILED',
      `Reading table "${table.name}"${rowFilterText(rowFilterOf(table, options))} failed: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  let rows: Row[] = [];
  let bytes = 0;
  let ordinal = 0;
  openReads.add(rowsIterator);
  try {
    for (const stored of rowsIterator) {
      ordinal++;
      const row: CanonicalValue[] = new Array(columns.length);
      for (let i = 0; i < columns.length; i++) {
        const value = decodeCell(table, columns, i, declared[i]!, stored, positions, ordinal, options, texts);
        row[i] = value;
        bytes += estimateBytes(value);
      }
      rows.push(row);
      if (rows.length >= options.batchRows || bytes >= options.batchBytes) {
        yield { rows, bytes };
        rows = [];
        bytes = 0;
        await macrotask();
      }
    }
    if (rows.length > 0) yield { rows, bytes };
  } finally {
    openReads.delete(rowsIterator);
  }
}

function decodeCell(
  table: Table,
  columns: Column[],
  at: number,
  { declared, affinity }: SqliteDeclared,
  stored: Array<SqliteStored | null>,
  positions: number[],
  ordinal: number,
  options: ReadOptions,
  texts: SqliteTextBytesReader,
): CanonicalValue {
  const column = columns[at]!;
  let value = stored[at] ?? null;
  const invalid = texts.invalidBytes(stored, at);
  if (invalid) {
    // Another SQLite file stores the bytes as TEXT again, exactly.
    if (options.targetDialect === 'sqlite') return sqliteTextBytes(invalid);
    // better-sqlite3 already replaced each invalid sequence with U+FFFD: that is the substitute.
    const replaced = value;
    value = applySqlitePolicy(
      options.coercions,
      {
        loss: 'invalid-text',
        table: table.name,
        column: column.name,
        key: rowKeyText(columns, positions, stored, ordinal),
        target: `${describeType(column.type)} (this SQLite value's bytes are not valid ${texts.encoding})`,
        nullable: column.nullable,
      },
      { substitute: () => replaced },
    ) as SqliteStored | null;
  }
  try {
    return decodeSqliteValue(column.type, affinity, value);
  } catch (error) {
    if (!(error instanceof SqliteValueProblem)) throw error;
    // Another SQLite file keeps any storage class in any column: hand the value over as stored.
    if (options.targetDialect === 'sqlite') return value;
    // Only `null` can help: Ferry never guesses what a mismatched value was meant to be.
    const substitute = applySqlitePolicy(
      options.coercions,
      {
        loss: 'storage-class',
        table: table.name,
        column: column.name,
        key: rowKeyText(columns, positions, stored, ordinal),
        target: `${describeType(column.type)} (the column is declared ${declared.trim() || 'without a type'} in SQLite; this value is ${error.message})`,
        nullable: column.nullable,
      },
      {},
    );
    return substitute as null;
  }
}
