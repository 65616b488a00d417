/**
 * Column defaults in SQLite DDL: literals keep their value, SQLite expressions are copied,
 * another dialect's "now" becomes CURRENT_TIMESTAMP (or _DATE/_TIME), and anything else is
 * reported as a SchemaNote rather than guessed.
 */

import type { LogicalType } from '../../schema/logical-type.js';
import type { Column } from '../../schema/table.js';
import type { SchemaNote } from '../connector.js';
import { quoteSqliteString } from './sql.js';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const SQLITE_KEYWORDS = /^(CURRENT_TIMESTAMP|CURRENT_DATE|CURRENT_TIME)$/i;
const TRUE_WORDS = new Set(['1', 'true', 't', 'y', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'f', 'n', 'no', 'off']);

/** A literal default as SQLite SQL for a column of `type`, or undefined when it cannot be written exactly. */
export function literalDefaultSql(type: LogicalType, value: string): string | undefined {
  switch (type.kind) {
    case 'boolean':
      if (TRUE_WORDS.has(value.toLowerCase())) return '1';
      if (FALSE_WORDS.has(value.toLowerCase())) return '0';
      return undefined;
    case 'integer':
    case 'decimal':
    case 'float':
      return NUMBER.test(value) ? value : quoteSqliteString(value);
    case 'binary':
      return undefined;
    default:
      return quoteSqliteString(value);
  }
}

const NOW_FAMILIES: Array<[RegExp, string]> = [
  [
    /^(current_timestamp|localtimestamp|now|transaction_timestamp|statement_timestamp|clock_timestamp|sysdate|utc_timestamp)\s*(\(\s*\d*\s*\))?$/i,
    'CURRENT_TIMESTAMP',
  ],
  [/^(current_date|curdate|utc_date)\s*(\(\s*\))?$/i, 'CURRENT_DATE'],
  [/^(current_time|curtime|localtime|utc_time)\s*(\(\s*\d*\s*\))?$/i, 'CURRENT_TIME'],
];

type ForeignLiteral = { value: string } | 'null' | undefined;

/** Another dialect's expression that is really a literal: `'abc'::character varying`, `(0)`, `NULL::text`. */
function foreignLiteral(sql: string): ForeignLiteral {
  let text = sql.trim();
  while (/^\(.*\)$/s.test(text)) text = text.slice(1, -1).trim();
  text = text.replace(/::[\w\s."]+(\(\s*\d+(\s*,\s*\d+)?\s*\))?(\[\])?$/, '').trim();
  if (/^null$/i.test(text)) return 'null';
  if (NUMBER.test(text)) return { value: text };
  if (/^'(?:[^']|'')*'$/s.test(text)) return { value: text.slice(1, -1).replaceAll("''", "'") };
  if (/^(true|false)$/i.test(text)) return { value: text.toLowerCase() };
  return undefined;
}

/** The ` DEFAULT …` clause of a column (empty when none), noting what could not be carried. */
export function defaultClause(table: string, column: Column, notes: SchemaNote[]): string {
  const given = column.default;
  if (!given) return '';
  let sql: string | undefined;
  if (given.kind === 'literal') {
    sql = literalDefaultSql(column.type, given.value);
  } else if (given.dialect === 'sqlite') {
    // pragma_table_xinfo drops the parentheses of `DEFAULT (expr)`: put them back.
    sql = SQLITE_KEYWORDS.test(given.sql) || NUMBER.test(given.sql) ? given.sql : `(${given.sql})`;
  } else {
    const literal = foreignLiteral(given.sql);
    if (literal === 'null') return '';
    if (literal) sql = literalDefaultSql(column.type, literal.value);
    else if (['datetime', 'timestamptz', 'date', 'time'].includes(column.type.kind)) {
      const bare = given.sql.replace(/::[\w\s"]+(\(\d+\))?$/, '').trim();
      sql = NOW_FAMILIES.find(([pattern]) => pattern.test(bare))?.[1];
    }
    if (sql === undefined && column.autoIncrement) return '';
  }
  if (sql === undefined) {
    const shown = given.kind === 'literal' ? `'${given.value}'` : `${given.sql} (${given.dialect})`;
    notes.push({
      table,
      object: column.name,
      message: `default ${shown} has no exact SQLite equivalent and was not carried; the column has no default`,
    });
    return '';
  }
  return ` DEFAULT ${sql}`;
}
