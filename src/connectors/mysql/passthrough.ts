/**
 * The fast paths out of MariaDB/MySQL (DESIGN.md principle 1): the source server prints each row
 * as one line — text fields enclosed or escaped, FLOAT as the exact DOUBLE it holds — and Ferry
 * hands the lines to the target's bulk loader without decoding a value. Two spellings: LOAD DATA
 * lines (load-data.ts; binary as bare hex) into MariaDB/MySQL columns of the very same types, and Ferry's
 * neutral text lines (src/values/text-lines.ts; binary as `\\x` hex) into any target that accepts
 * them. Offered only for column kinds whose printed form loads back to the same value (YEAR, BIT
 * and spatial columns go the decoded way).
 */
import type { Column, Table } from '../../schema/table.js';
import { copiedColumns } from '../../schema/table.js';
import { TEXT_LINES, TEXT_LINES_KINDS } from '../../values/text-lines.js';
import { ENCLOSURE, NULL_FIELD } from './load-data.js';
import { quoteIdentifier } from './sql.js';
import { typeRule } from './types.js';

/** The encoding's name: lines as `loadDataStatement` reads them. */
export const MYSQL_LOAD_DATA_LINES = 'mysql-load-data-lines';

/** LOAD DATA lines carry every TEXT_LINES kind, and booleans and TIME, which MariaDB reads back as printed. */
const PRINTED_EXACTLY: ReadonlySet<string> = new Set([...TEXT_LINES_KINDS, 'boolean', 'time']);

const isYear = (column: Column) => column.type.kind === 'integer' && /^year\b/i.test(column.nativeType);

/** Whether a column's printed text loads back into the same type unchanged. */
function printsExactly(column: Column): boolean {
  // YEAR loads '0' as 2000; the decoded path sends it as a number instead.
  return PRINTED_EXACTLY.has(column.type.kind) && !isYear(column);
}

/** Whether a column prints in TEXT_LINES' one spelling for its kind. */
function printsTextLine(column: Column): boolean {
  return TEXT_LINES_KINDS.has(column.type.kind) && !isYear(column);
}

/** Source side (Connector.rowEncodings): the line encodings every copied column allows, best first. */
export function mysqlRowEncodings(table: Table): string[] {
  const columns = copiedColumns(table);
  if (columns.length === 0) return [];
  return [
    ...(columns.every(printsExactly) ? [MYSQL_LOAD_DATA_LINES] : []),
    ...(columns.every(printsTextLine) ? [TEXT_LINES] : []),
  ];
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

/** Encloses text as LOAD DATA reads it (load-data.ts enclosedField): the enclosure doubled inside. */
function enclosed(expression: string): string {
  return `CONCAT('${ENCLOSURE}', REPLACE(${expression}, '${ENCLOSURE}', '${ENCLOSURE}${ENCLOSURE}'), '${ENCLOSURE}')`;
}

/**
 * Escapes text the way TEXT_LINES reads it back: backslash first, then tab, newline, carriage
 * return and NUL.
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
function fieldSql(column: Column, encoding: string): string {
  const quoted = quoteIdentifier(column.name);
  const kind = column.type.kind;
  // TEXT_LINES' `\\x` prefix reads, unescaped, as the `\x` of a hex byte string.
  if (kind === 'binary')
    return encoding === TEXT_LINES ? `CONCAT('\\\\\\\\x', HEX(${quoted}))` : `HEX(${quoted})`;
  const printed = typeRule(column.type).select(quoted, column.type, column.nativeType);
  const free = kind === 'integer' || kind === 'boolean' || kind === 'decimal' || kind === 'float';
  const plain = free || kind === 'date' || kind === 'time' || kind === 'datetime' || kind === 'timestamptz';
  if (plain) return printed;
  return encoding === TEXT_LINES ? escaped(printed) : enclosed(printed);
}

/** Whether a read's encoding is one of the line encodings the server prints. */
export function isMysqlLineEncoding(encoding: string | undefined): boolean {
  return encoding === MYSQL_LOAD_DATA_LINES || encoding === TEXT_LINES;
}

/** The SELECT list of a line encoding: one line (without its newline) per row. */
export function mysqlLineSelect(table: Table, encoding: string): string {
  const nullField = encoding === TEXT_LINES ? '\\\\N' : NULL_FIELD;
  const fields = copiedColumns(table).map(
    (column) => `IFNULL(${fieldSql(column, encoding)}, '${nullField}')`,
  );
  return `CONCAT_WS('\\t', ${fields.join(', ')})`;
}
