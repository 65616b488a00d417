/**
 * The SQL of a PostgreSQL table's key ranges (DESIGN.md principle 3): the predicate and order that
 * read one (chunk-plan.ts plans them). Text keys compare and sort under `COLLATE "C"` (their UTF-8
 * bytes, whatever the column's collation), enums as their label text; every other type natively,
 * so an integer or temporal key keeps its index range scan. Boundaries are inlined as literals cast
 * to the column's own type, because `COPY (SELECT …)` takes no parameters.
 */
import pg from 'pg';
import { DatabaseError } from '../../errors.js';
import type { Column, Table } from '../../schema/table.js';
import type { CanonicalValue } from '../../values/canonical.js';
import type { KeyRange } from '../connector.js';
import { type KeyComparison, keyListWhere, keyRangeWhere } from '../key-range-sql.js';
import { postgresFieldText } from './codecs.js';
import { quoteIdent } from './identifiers.js';

/** A key column as the range SQL uses it. */
export interface PostgresKeyColumn {
  column: Column;
  /** The expression compared and ordered by: the quoted name, under `COLLATE "C"` for text. */
  sql: string;
}

/** The key columns of `table` named by `key`, in key order; throws when one is not a column. */
export function postgresKeyColumns(table: Table, key: readonly string[]): PostgresKeyColumn[] {
  return key.map((name) => {
    const column = table.columns.find((candidate) => candidate.name === name);
    if (!column) {
      throw new DatabaseError(
        'PG_CHUNK_KEY',
        `Table "${table.name}" has no column "${name}" to split its chunks on.`,
      );
    }
    return { column, sql: keyExpression(column) };
  });
}

function keyExpression(column: Column): string {
  const name = quoteIdent(column.name);
  switch (column.type.kind) {
    case 'text':
      return `${name} COLLATE "C"`;
    case 'enum':
      // An enum sorts by its declaration order; its canonical value is the label, compared as bytes.
      return `(${name}::text) COLLATE "C"`;
    default:
      return name;
  }
}

/** `ORDER BY` the key in binary order (empty for no key). */
export function postgresKeyOrder(key: readonly PostgresKeyColumn[]): string {
  return key.length > 0 ? ` ORDER BY ${key.map((part) => part.sql).join(', ')}` : '';
}

/**
 * A boundary value as a literal of its column's type: `'12.50'::numeric(10,2)`, `'\x00ff'::bytea`.
 * The text is the column's own input form of the canonical value (codecs.ts), so the literal is
 * the stored value exactly.
 */
export function postgresKeyLiteral(part: PostgresKeyColumn, value: CanonicalValue): string {
  const { column } = part;
  if (value === null) {
    throw new DatabaseError(
      'PG_CHUNK_RANGE',
      `A key range bound of column "${column.name}" is NULL: chunk keys must be NOT NULL columns.`,
    );
  }
  if (Buffer.isBuffer(value) && column.type.kind === 'binary') {
    // Hex digits need no escaping; standard_conforming_strings is pinned on (sql.ts SESSION_SETUP).
    return `'\\x${value.toString('hex')}'::bytea`;
  }
  const text = pg.escapeLiteral(postgresFieldText(value, column.type));
  return column.type.kind === 'enum' ? `${text}::text` : `${text}::${column.nativeType}`;
}

const compare = (part: PostgresKeyColumn, op: KeyComparison, value: CanonicalValue) =>
  `${part.sql} ${op} ${postgresKeyLiteral(part, value)}`;

/** The `WHERE` clause of a key range (empty for `{}`). */
export function postgresRangeWhere(key: readonly PostgresKeyColumn[], range: KeyRange): string {
  return keyRangeWhere(key.length, range, (at, op, value) => compare(key[at]!, op, value));
}

/** The `WHERE` clause of the rows whose key is one of `keys`. */
export function postgresKeyListWhere(
  key: readonly PostgresKeyColumn[],
  keys: readonly CanonicalValue[][],
): string {
  return keyListWhere(key.length, keys, (at, op, value) => compare(key[at]!, op, value));
}
