/**
 * The SQL of a SQLite table's key ranges (DESIGN.md principle 3): the predicate and order that read
 * one (chunk-plan.ts plans them). Keys compare under `COLLATE BINARY` and across storage classes as
 * SQLite orders them (NULL < numbers < TEXT < BLOB). A boundary is bound with the storage class it
 * is stored with, and a stored value is a fixed point of its column's affinity, so the affinity
 * SQLite applies to the parameter changes nothing: every row falls in exactly one range.
 */
import { DatabaseError } from '../../errors.js';
import type { Column, Table } from '../../schema/table.js';
import type { CanonicalValue } from '../../values/canonical.js';
import type { KeyRange } from '../connector.js';
import { type KeyComparison, keyListWhere, keyRangeWhere } from '../key-range-sql.js';
import type { SqliteParam } from './codecs.js';
import { quoteSqliteIdent } from './sql.js';
import { isSqliteTextBytes } from './text-bytes.js';

/** A key column as the range SQL uses it. */
export interface SqliteKeyColumn {
  /** The quoted name with `COLLATE BINARY`: text compares as its bytes whatever the declared collation. */
  sql: string;
  /** Whether the column may hold NULL (a rowid table's non-integer primary key may), which sorts first. */
  nullable: boolean;
}

/** A piece of SQL and its positional parameters. */
export interface SqliteClause {
  sql: string;
  params: SqliteParam[];
}

/** The key columns of `table` named by `key`, in key order; throws when one is not a column. */
export function sqliteKeyColumns(table: Table, key: string[]): Column[] {
  return key.map((name) => {
    const column = table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!column) {
      throw new DatabaseError(
        'SQLITE_CHUNK_KEY',
        `Table "${table.name}" has no column "${name}" to split its chunks on.`,
      );
    }
    return column;
  });
}

/** The range SQL view of key columns. */
export function sqliteKeySql(columns: Column[]): SqliteKeyColumn[] {
  return columns.map((column) => ({
    sql: `${quoteSqliteIdent(column.name)} COLLATE BINARY`,
    nullable: column.nullable,
  }));
}

/** `ORDER BY` the key in binary order. */
export function sqliteKeyOrder(key: SqliteKeyColumn[]): string {
  return ` ORDER BY ${key.map((column) => column.sql).join(', ')}`;
}

/** A boundary value as bound: booleans as the INTEGER SQLite stores them, the rest as they are. */
export function boundParam(value: CanonicalValue): SqliteParam {
  if (typeof value === 'boolean') return value ? 1n : 0n;
  return value;
}

/** One column compared with one boundary value, NULL sorting below every value as in ORDER BY. */
function compare(
  column: SqliteKeyColumn,
  op: KeyComparison,
  value: CanonicalValue,
  params: SqliteParam[],
): string {
  if (value === null) {
    if (op === '>') return `${column.sql} IS NOT NULL`;
    if (op === '=' || op === '<=') return `${column.sql} IS NULL`;
    return op === '>=' ? '1' : '0';
  }
  params.push(boundParam(value));
  // TEXT whose bytes are not valid text travels as a BLOB and is compared as the TEXT it was.
  const placeholder = isSqliteTextBytes(value) ? 'CAST(? AS TEXT)' : '?';
  const test = `${column.sql} ${op} ${placeholder}`;
  return column.nullable && (op === '<' || op === '<=') ? `(${test} OR ${column.sql} IS NULL)` : test;
}

/** The `WHERE` clause of a key range (empty for `{}`). */
export function sqliteRangeWhere(key: SqliteKeyColumn[], range: KeyRange): SqliteClause {
  const params: SqliteParam[] = [];
  const sql = keyRangeWhere(key.length, range, (at, op, value) => compare(key[at]!, op, value, params));
  return { sql, params };
}

/** The `WHERE` clause of the rows whose key is one of `keys`, with its parameters. */
export function sqliteKeyListWhere(key: SqliteKeyColumn[], keys: readonly CanonicalValue[][]): SqliteClause {
  const params: SqliteParam[] = [];
  const sql = keyListWhere(key.length, keys, (at, op, value) => compare(key[at]!, op, value, params));
  return { sql, params };
}
