/**
 * The SQL of a MariaDB/MySQL table's key ranges (DESIGN.md principle 3): the predicate and order
 * that read one (chunk-plan.ts plans them). Text-like key columns compare and sort as the bytes of
 * their UTF-8 form (`BINARY col`), never under the column's collation; integers, decimals, floats,
 * dates and times compare natively, so an integer key keeps its PRIMARY index range scan; binary
 * columns already compare as bytes.
 */
import { DatabaseError } from '../../errors.js';
import type { Column, Table } from '../../schema/table.js';
import type { CanonicalValue } from '../../values/canonical.js';
import type { KeyRange } from '../connector.js';
import { type KeyComparison, keyListWhere, keyRangeWhere } from '../key-range-sql.js';
import { quoteIdentifier } from './sql.js';

/** A key column as the range SQL uses it. */
export interface MysqlKeyColumn {
  /** The expression compared and ordered: the quoted column, or its bytes (`BINARY col`). */
  sql: string;
  /** The placeholder a boundary value binds to (`?`, or `CAST(? AS SIGNED)` for integers). */
  placeholder: string;
  /** The boundary value as bound: decimal strings for integers, `Buffer` for binary. */
  param(value: CanonicalValue): unknown;
}

/** A piece of SQL and its positional parameters. */
export interface MysqlClause {
  sql: string;
  params: unknown[];
}

/** The key columns of `table` named by `key`, in key order; throws when one is not a column. */
export function mysqlKeyColumns(table: Table, key: string[]): Column[] {
  return key.map((name) => {
    const column = table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!column) {
      throw new DatabaseError(
        'MYSQL_CHUNK_KEY',
        `Table "${table.name}" has no column "${name}" to split its chunks on.`,
      );
    }
    return column;
  });
}

/** Bigints (and booleans) as decimal text, so that no 64-bit value passes through a double. */
function integerParam(value: CanonicalValue): unknown {
  if (typeof value === 'boolean') return value ? '1' : '0';
  return typeof value === 'bigint' ? value.toString() : value;
}

const asIs = (value: CanonicalValue): unknown => value;

/** How one key column is compared and bound, by its logical type. */
export function mysqlKeySql(column: Column): MysqlKeyColumn {
  const quoted = quoteIdentifier(column.name);
  const type = column.type;
  switch (type.kind) {
    case 'integer':
    case 'boolean':
      // The constant is an integer expression: the index range scan stays, no double rounding.
      return {
        sql: quoted,
        placeholder: type.kind === 'integer' && type.unsigned ? 'CAST(? AS UNSIGNED)' : 'CAST(? AS SIGNED)',
        param: integerParam,
      };
    case 'decimal':
      // A string compared with a DECIMAL goes through a double; cast it to the column's own type.
      return {
        sql: quoted,
        placeholder: `CAST(? AS DECIMAL(${type.precision ?? 65},${type.scale ?? 0}))`,
        param: asIs,
      };
    case 'bit':
      return { sql: quoted, placeholder: 'CAST(CONV(?, 2, 10) AS UNSIGNED)', param: asIs };
    case 'float':
    case 'date':
    case 'time':
    case 'datetime':
    case 'timestamptz':
    case 'binary':
      return { sql: quoted, placeholder: '?', param: asIs };
    default: {
      // Text, ENUM/SET labels, JSON, UUID and the rest: their bytes in UTF-8 (a column of another
      // character set is converted first, so every text key compares as the canonical string).
      const utf8 = column.collation === undefined || /^utf8/i.test(column.collation);
      return {
        sql: utf8 ? `BINARY ${quoted}` : `BINARY CONVERT(${quoted} USING utf8mb4)`,
        placeholder: '?',
        param: asIs,
      };
    }
  }
}

/** `ORDER BY` the key in binary order. */
export function mysqlKeyOrder(key: MysqlKeyColumn[]): string {
  return ` ORDER BY ${key.map((column) => column.sql).join(', ')}`;
}

function compare(
  column: MysqlKeyColumn,
  op: KeyComparison,
  value: CanonicalValue,
  params: unknown[],
): string {
  if (value === null) {
    throw new DatabaseError(
      'MYSQL_CHUNK_RANGE',
      'A key range bound holds NULL: chunk keys are made of NOT NULL columns.',
    );
  }
  params.push(column.param(value));
  return `${column.sql} ${op} ${column.placeholder}`;
}

/** The `WHERE` clause of a key range (empty for `{}`). */
export function mysqlRangeWhere(key: MysqlKeyColumn[], range: KeyRange): MysqlClause {
  const params: unknown[] = [];
  const sql = keyRangeWhere(key.length, range, (at, op, value) => compare(key[at]!, op, value, params));
  return { sql, params };
}

/** The `WHERE` clause of the rows whose key is one of `keys`, with its parameters. */
export function mysqlKeyListWhere(key: MysqlKeyColumn[], keys: readonly CanonicalValue[][]): MysqlClause {
  const params: unknown[] = [];
  const sql = keyListWhere(key.length, keys, (at, op, value) => compare(key[at]!, op, value, params));
  return { sql, params };
}
