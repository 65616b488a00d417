/**
 * Column definitions for CREATE TABLE: the native type (verbatim from a MySQL source, from the type
 * table otherwise), collation, generated expression, nullability, default, AUTO_INCREMENT, comment.
 */

import type { LogicalType } from '../../schema/logical-type.js';
import type { Column, Table } from '../../schema/table.js';
import type { Coercions } from '../../values/coercions.js';
import type { SchemaNote } from '../connector.js';
import type { Dialect } from '../dialect.js';
import { isNumericLiteral } from './literals.js';
import { type MysqlFlavor, mysqlMapping } from './mapping.js';
import { quoteIdentifier, quoteString } from './sql.js';
import { isMariadbOnlyType } from './types.js';

/** What every DDL statement needs to know about the request and the target server. */
export interface MysqlDdlContext {
  flavor: MysqlFlavor;
  hasUuidType: boolean;
  /** The source is MariaDB/MySQL too: native types, collations and expressions are reused. */
  sameDialect: boolean;
  sourceDialect: Dialect;
  /** The run's policies: `widen` picks the wider type of a lossy mapping. */
  coercions?: Coercions;
}

/** A column's definition, or nothing when it cannot be created (a foreign generated column). */
export interface ColumnSpec {
  name: string;
  /** The native type alone (for the row-size check). */
  type: string;
  /** Everything after the type. */
  rest: string;
  keyed: boolean;
}

const CURRENT_TIMESTAMP =
  /^(current_timestamp|now|localtimestamp|transaction_timestamp|statement_timestamp|clock_timestamp)\s*(\(\s*\d*\s*\))?$/i;
const SQLITE_NOW = /^datetime\s*\(\s*'now'\s*\)$/i;
const CURRENT_DATE = /^(current_date|curdate\s*\(\s*\)|date\s*\(\s*'now'\s*\)|\(?'now'::text\)?::date)$/i;
const CURRENT_TIME = /^(current_time|localtime|curtime)\s*(\(\s*\d*\s*\))?$|^time\s*\(\s*'now'\s*\)$/i;
/** Types MySQL 8 only accepts with an expression default `DEFAULT (…)`. */
const EXPRESSION_DEFAULT_ONLY =
  /^(tinytext|text|mediumtext|longtext|tinyblob|blob|mediumblob|longblob|json|geometry|point|linestring|polygon|multi|geometrycollection)/i;

function stripParens(sql: string): string {
  let text = sql.trim();
  while (text.startsWith('(') && text.endsWith(')') && balanced(text.slice(1, -1)))
    text = text.slice(1, -1).trim();
  return text;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const char of text) {
    if (char === '(') depth++;
    else if (char === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

function fspOf(type: LogicalType): number {
  return 'fsp' in type && type.fsp !== undefined ? Math.min(Math.max(type.fsp, 0), 6) : 6;
}

/** Translates a default expression of another dialect (the CURRENT_TIMESTAMP / now() / CURRENT_DATE family). */
export function translateDefault(sql: string, type: LogicalType): string | undefined {
  const text = stripParens(sql);
  const isTimestamp = CURRENT_TIMESTAMP.test(text) || SQLITE_NOW.test(text);
  const fsp = fspOf(type);
  if ((type.kind === 'datetime' || type.kind === 'timestamptz') && isTimestamp) {
    return `current_timestamp(${fsp === 0 ? '' : fsp})`;
  }
  if (type.kind === 'date' && (CURRENT_DATE.test(text) || isTimestamp)) return '(curdate())';
  if (type.kind === 'time' && (CURRENT_TIME.test(text) || isTimestamp))
    return `(curtime(${fsp === 0 ? '' : fsp}))`;
  return undefined;
}

/** A literal default in MySQL syntax for a column of the given logical type. */
export function literalDefault(
  value: string,
  type: LogicalType,
  nativeType: string,
  flavor: MysqlFlavor,
): string {
  let sql: string;
  if (
    (type.kind === 'integer' || type.kind === 'decimal' || type.kind === 'float') &&
    isNumericLiteral(value)
  ) {
    sql = value;
  } else if (type.kind === 'boolean' && /^(true|t|1|yes|on|false|f|0|no|off)$/i.test(value)) {
    sql = /^(true|t|1|yes|on)$/i.test(value) ? '1' : '0';
  } else if (type.kind === 'bit' && /^bit\b/i.test(nativeType) && /^[01]+$/.test(value)) {
    sql = `b'${value}'`;
  } else {
    sql = quoteString(value);
  }
  return flavor === 'mysql' && EXPRESSION_DEFAULT_ONLY.test(nativeType) ? `(${sql})` : sql;
}

/** A same-dialect expression default: CURRENT_TIMESTAMP-like ones bare, the rest in parentheses. */
function nativeExpressionDefault(sql: string): string {
  const text = sql.trim();
  if (CURRENT_TIMESTAMP.test(text)) return text;
  if (text.startsWith('(') && text.endsWith(')') && balanced(text.slice(1, -1))) return text;
  return `(${text})`;
}

/** The native type of a column on this target. */
export function nativeTypeOf(
  column: Column,
  context: MysqlDdlContext,
  keyed: boolean,
  notes: SchemaNote[],
  table: Table,
): string {
  const useNative =
    context.sameDialect && !(context.flavor === 'mysql' && isMariadbOnlyType(column.nativeType));
  if (useNative) {
    // MariaDB's JSON is LONGTEXT + CHECK(json_valid): recreate it through the JSON alias.
    return column.type.kind === 'json' ? 'json' : column.nativeType;
  }
  // The one mapping table (MYSQL_TYPE_SYSTEM.mapFrom), with the connected server's flavor.
  const mapping = mysqlMapping(
    column.type,
    {
      sourceDialect: context.sourceDialect,
      table: table.name,
      column: column.name,
      inKey: keyed,
      coercions: context.coercions,
    },
    context,
  );
  if (mapping.note) notes.push({ table: table.name, object: column.name, message: mapping.note });
  return mapping.native;
}

function defaultClause(
  column: Column,
  type: string,
  context: MysqlDdlContext,
  notes: SchemaNote[],
  table: Table,
) {
  const value = column.default;
  if (!value || column.autoIncrement) return '';
  if (value.kind === 'literal')
    return ` DEFAULT ${literalDefault(value.value, column.type, type, context.flavor)}`;
  if (value.dialect === 'mysql' && context.sameDialect)
    return ` DEFAULT ${nativeExpressionDefault(value.sql)}`;
  const translated = translateDefault(value.sql, column.type);
  if (translated !== undefined) return ` DEFAULT ${translated}`;
  notes.push({
    table: table.name,
    object: column.name,
    message: `default ${value.sql} (${value.dialect}) has no MySQL equivalent; the column was created without a default`,
  });
  return '';
}

/** The definition of one column, or undefined for a generated column whose expression is foreign. */
export function columnSpec(
  column: Column,
  table: Table,
  context: MysqlDdlContext,
  keyed: boolean,
  notes: SchemaNote[],
): ColumnSpec | undefined {
  if (column.generated && !(context.sameDialect && column.generated.dialect === 'mysql')) {
    notes.push({
      table: table.name,
      object: column.name,
      message: `generated column (${column.generated.dialect} expression ${column.generated.expression}) was not created`,
    });
    return undefined;
  }
  const type = nativeTypeOf(column, context, keyed, notes, table);
  let rest = '';
  if (
    context.sameDialect &&
    column.collation &&
    column.type.kind !== 'json' &&
    /^\w+$/.test(column.collation)
  ) {
    rest += ` COLLATE ${column.collation}`;
  }
  if (column.generated) {
    rest += ` GENERATED ALWAYS AS (${column.generated.expression}) ${column.generated.stored ? 'STORED' : 'VIRTUAL'}`;
    // MariaDB refuses NULL/NOT NULL on generated columns.
    if (context.flavor === 'mysql' && !column.nullable) rest += ' NOT NULL';
  } else {
    rest += column.nullable ? ' NULL' : ' NOT NULL';
    rest += defaultClause(column, type, context, notes, table);
    if (column.autoIncrement) rest += ' AUTO_INCREMENT';
  }
  if (column.comment) rest += ` COMMENT ${quoteString(column.comment)}`;
  return { name: column.name, type, rest, keyed };
}

/** The SQL of a column spec. */
export function columnSql(spec: ColumnSpec): string {
  return `${quoteIdentifier(spec.name)} ${spec.type}${spec.rest}`;
}

/** InnoDB's row limit counts VARCHAR/VARBINARY at full declared size (utf8mb4: 4 bytes a character). */
const ROW_LIMIT_BYTES = 65_000;

function declaredBytes(type: string): number {
  const match = /^(var)?(char|binary)\((\d+)\)/i.exec(type);
  if (!match) return /text|blob|json/i.test(type) ? 12 : 8;
  const length = Number(match[3]);
  const perChar = match[2]!.toLowerCase() === 'char' && !/ascii|latin1/i.test(type) ? 4 : 1;
  return length * perChar + (match[1] ? 2 : 0);
}

/**
 * Turns the widest non-key VARCHAR/VARBINARY of a foreign table into LONGTEXT/LONGBLOB until the row
 * fits InnoDB's 65,535-byte limit (values are kept exactly either way).
 */
export function fitRowSize(specs: ColumnSpec[]): void {
  let total = specs.reduce((sum, spec) => sum + declaredBytes(spec.type), 0);
  while (total > ROW_LIMIT_BYTES) {
    let widest: ColumnSpec | undefined;
    for (const spec of specs) {
      if (spec.keyed || !/^var(char|binary)\(/i.test(spec.type)) continue;
      if (!widest || declaredBytes(spec.type) > declaredBytes(widest.type)) widest = spec;
    }
    if (!widest) return;
    const before = declaredBytes(widest.type);
    widest.type = widest.type
      .replace(/^varchar\(\d+\)/i, 'longtext')
      .replace(/^varbinary\(\d+\)/i, 'longblob');
    total += declaredBytes(widest.type) - before;
  }
}
