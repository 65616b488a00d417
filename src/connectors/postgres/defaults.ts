/**
 * Column defaults between the catalog and DDL: PostgreSQL default expressions classified as
 * literals (portable) or expressions (same-dialect only), and the common "now"/"today"
 * expressions of other dialects translated to PostgreSQL.
 */

import type { LogicalType } from '../../schema/logical-type.js';
import type { ColumnDefault } from '../../schema/table.js';
import type { Dialect } from '../dialect.js';

const QUOTED_LITERAL = /^'((?:[^']|'')*)'(?:::[\w\s".[\]()]+)?$/;
const NUMBER_LITERAL = /^\(?(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\)?(?:::[\w\s".()]+)?$/i;

/** A default as pg_get_expr prints it, as a ColumnDefault (`NULL` defaults are no default). */
export function postgresDefaultOf(expression: string | null): ColumnDefault | undefined {
  if (expression === null) return undefined;
  const text = expression.trim();
  if (/^NULL(?:::[\w\s".[\]()]+)?$/i.test(text)) return undefined;
  const quoted = QUOTED_LITERAL.exec(text);
  if (quoted) return { kind: 'literal', value: quoted[1]!.replaceAll("''", "'") };
  const number = NUMBER_LITERAL.exec(text);
  if (number) return { kind: 'literal', value: number[1]! };
  if (text === 'true' || text === 'false') return { kind: 'literal', value: text };
  return { kind: 'expression', sql: text, dialect: 'postgres' };
}

function stripParentheses(sql: string): string {
  let text = sql.trim();
  while (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1).trim();
  return text;
}

const NOW =
  /^(?:current_timestamp|now|localtimestamp|sysdate|datetime\s*\(\s*'now'\s*\))\s*(?:\(\s*(\d*)\s*\))?$/i;
const TODAY = /^(?:current_date|curdate|date\s*\(\s*'now'\s*\))\s*(?:\(\s*\))?$/i;
const TIME_NOW = /^(?:current_time|curtime|localtime|time\s*\(\s*'now'\s*\))\s*(?:\(\s*(\d*)\s*\))?$/i;

/**
 * A PostgreSQL expression for another dialect's default expression, or undefined when Ferry does
 * not know one. "Now" follows the column: timestamptz gets the instant, others the session's clock.
 */
export function translateDefaultExpression(
  sql: string,
  from: Dialect,
  type: LogicalType,
): string | undefined {
  if (from === 'postgres') return sql;
  const text = stripParentheses(sql);
  const precision = (digits: string | undefined) => (digits ? `(${digits})` : '');
  const now = NOW.exec(text);
  if (now) {
    if (type.kind === 'date') return 'CURRENT_DATE';
    if (type.kind === 'time') return `LOCALTIME${precision(now[1])}`;
    return type.kind === 'timestamptz'
      ? `CURRENT_TIMESTAMP${precision(now[1])}`
      : `LOCALTIMESTAMP${precision(now[1])}`;
  }
  if (TODAY.test(text)) return 'CURRENT_DATE';
  const time = TIME_NOW.exec(text);
  if (time) return `LOCALTIME${precision(time[1])}`;
  if (/^(?:uuid|gen_random_uuid)\s*\(\s*\)$/i.test(text)) return 'gen_random_uuid()';
  return undefined;
}
