/**
 * The MariaDB/MySQL → MariaDB/MySQL fast path (DESIGN.md principle 1): the source server prints
 * each row as one LOAD DATA line — fields escaped, NULL as `\N`, binary as hex, FLOAT as the exact
 * DOUBLE it holds — and Ferry hands the lines to the target's LOAD DATA without decoding a value.
 * Offered only for column kinds whose printed form loads back to the same stored value (YEAR, BIT
 * and spatial columns go the decoded way), and only into target columns of the very same types.
 */
import type { Column, Table } from '../../schema/table.js';
import { copiedColumns } from '../../schema/table.js';
import { quoteIdentifier } from './sql.js';
import { typeRule } from './types.js';

/** The encoding's name: lines as `loadDataStatement` reads them. */
export const MYSQL_LOAD_DATA_LINES = 'mysql-load-data-lines';

const PRINTED_EXACTLY = new Set([
  'integer',
  'boolean',
  'decimal',
  'float',
  'text',
  'binary',
  'date',
  'time',
  'datetime',
  'timestamptz',
  'json',
  'enum',
  'set',
  'uuid',
]);

/** Whether a column's printed text loads back into the same type unchanged. */
function printsExactly(column: Column): boolean {
  if (!PRINTED_EXACTLY.has(column.type.kind)) return false;
  // YEAR loads '0' as 2000; the decoded path sends it as a number instead.
  return !(column.type.kind === 'integer' && /^year\b/i.test(column.nativeType));
}

/** Source side (Connector.rowEncoding): the lines encoding when every copied column allows it. */
export function mysqlRowEncoding(table: Table): string | undefined {
  const columns = copiedColumns(table);
  return columns.length > 0 && columns.every(printsExactly) ? MYSQL_LOAD_DATA_LINES : undefined;
}

/** Target side (Connector.acceptsEncoding): every column present with the source's very type. */
export function mysqlAcceptsEncoding(
  table: Table,
  encoding: string,
  target: Array<{ column_name: string; column_type: string }>,
): boolean {
  if (encoding !== MYSQL_LOAD_DATA_LINES) return false;
  const types = new Map(target.map((row) => [row.column_name.toLowerCase(), row.column_type.toLowerCase()]));
  return copiedColumns(table).every(
    (column) => types.get(column.name.toLowerCase()) === column.nativeType.toLowerCase(),
  );
}

/**
 * Escapes text the way LOAD DATA's `ESCAPED BY '\\'` reads it back (load-data.ts escapeField):
 * backslash first, then tab, newline, carriage return and NUL.
 */
function escaped(expression: string): string {
  let sql = `REPLACE(${expression}, '\\\\', '\\\\\\\\')`;
  for (const [special, replacement] of [
    ['\\t', '\\\\t'],
    ['\\n', '\\\\n'],
    ['\\r', '\\\\r'],
    ['\\0', '\\\\0'],
  ]) {
    sql = `REPLACE(${sql}, '${special}', '${replacement}')`;
  }
  return sql;
}

/** One column's field text in the line: escaped where it can hold special characters. */
function fieldSql(column: Column): string {
  const quoted = quoteIdentifier(column.name);
  const kind = column.type.kind;
  if (kind === 'binary') return `HEX(${quoted})`;
  const printed = typeRule(column.type).select(quoted, column.type, column.nativeType);
  const free = kind === 'integer' || kind === 'boolean' || kind === 'decimal' || kind === 'float';
  const plain = free || kind === 'date' || kind === 'time' || kind === 'datetime' || kind === 'timestamptz';
  return plain ? printed : escaped(printed);
}

/** The SELECT list of the lines encoding: one LOAD DATA line (without its newline) per row. */
export function mysqlLineSelect(table: Table): string {
  const fields = copiedColumns(table).map((column) => `IFNULL(${fieldSql(column)}, '\\\\N')`);
  return `CONCAT_WS('\\t', ${fields.join(', ')})`;
}
