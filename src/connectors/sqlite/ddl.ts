/**
 * CREATE TABLE for the 'tables' phase. SQLite cannot add a foreign key or a primary key later, so
 * both go into CREATE TABLE; a single auto-increment integer key becomes the rowid alias
 * `INTEGER PRIMARY KEY` (with AUTOINCREMENT so `sqlite_sequence` can carry the source's next id).
 * Same-dialect copies keep declared types, collations, defaults and generated columns verbatim.
 */

import type { Column, ForeignKey, Table } from '../../schema/table.js';
import type { SchemaNote, SchemaRequest } from '../connector.js';
import { isStrictAutoIncrement } from './auto-increment.js';
import { defaultClause } from './defaults.js';
import { quoteSqliteIdent } from './sql.js';
import { enumCheckSql, SQLITE_TYPE_SYSTEM } from './types.js';

/** The column that becomes the rowid alias: the only key column, auto-incremented, of an integer type. */
export function rowidAliasColumn(table: Table): Column | undefined {
  if (table.primaryKey.length !== 1) return undefined;
  const key = table.columns.find((column) => column.name === table.primaryKey[0]);
  return key?.autoIncrement && key.type.kind === 'integer' && !key.generated ? key : undefined;
}

/** A collation name as SQLite takes it (bare when it is a plain word). */
function collationSql(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : quoteSqliteIdent(name);
}

function constraintName(name: string | undefined): string {
  return name ? `CONSTRAINT ${quoteSqliteIdent(name)} ` : '';
}

/** The declared type: the source's own between SQLite files, else THE mapping (types.ts). */
function declaredType(table: Table, column: Column, request: SchemaRequest): string {
  if (request.sourceDialect === 'sqlite') return column.nativeType;
  return SQLITE_TYPE_SYSTEM.mapFrom(column.type, {
    sourceDialect: request.sourceDialect,
    table: table.name,
    column: column.name,
    coercions: request.coercions,
  }).native;
}

function columnSql(
  table: Table,
  column: Column,
  request: SchemaRequest,
  notes: SchemaNote[],
): string | undefined {
  const sameDialect = request.sourceDialect === 'sqlite';
  const alias = rowidAliasColumn(table) === column;
  if (column.generated && column.generated.dialect !== 'sqlite') {
    notes.push({
      table: table.name,
      object: column.name,
      message: `generated column (${column.generated.expression}) cannot be carried into SQLite and was left out`,
    });
    return undefined;
  }
  const type = alias ? 'INTEGER' : declaredType(table, column, request);
  let sql = `${quoteSqliteIdent(column.name)}${type ? ` ${type}` : ''}`;
  if (sameDialect && column.collation) sql += ` COLLATE ${collationSql(column.collation)}`;
  if (!column.nullable) sql += ' NOT NULL';
  if (alias) {
    const autoincrement = sameDialect ? isStrictAutoIncrement(column) : true;
    sql += ` ${constraintName(table.primaryKeyName)}PRIMARY KEY${autoincrement ? ' AUTOINCREMENT' : ''}`;
  } else if (column.autoIncrement) {
    notes.push({
      table: table.name,
      object: column.name,
      message: 'auto-increment not carried: SQLite numbers only a single-column INTEGER PRIMARY KEY',
    });
  }
  if (column.autoIncrement?.always) {
    notes.push({
      table: table.name,
      object: column.name,
      message: 'GENERATED ALWAYS not carried: SQLite accepts explicit ids in INSERT',
    });
  }
  sql += defaultClause(table.name, column, notes);
  if (column.generated) {
    sql += ` GENERATED ALWAYS AS (${column.generated.expression}) ${column.generated.stored ? 'STORED' : 'VIRTUAL'}`;
  }
  if (column.type.kind === 'enum' && column.type.values.length > 0) {
    sql += ` ${enumCheckSql(quoteSqliteIdent(column.name), column.type.values)}`;
  }
  return sql;
}

function foreignKeySql(key: ForeignKey): string {
  const columns = key.columns.map(quoteSqliteIdent).join(', ');
  const referenced = key.referencedColumns.map(quoteSqliteIdent).join(', ');
  let sql = `${constraintName(key.name)}FOREIGN KEY (${columns}) REFERENCES ${quoteSqliteIdent(key.referencedTable)} (${referenced})`;
  if (key.onDelete !== 'NO ACTION') sql += ` ON DELETE ${key.onDelete}`;
  if (key.onUpdate !== 'NO ACTION') sql += ` ON UPDATE ${key.onUpdate}`;
  return sql;
}

/** The CREATE TABLE statement of one requested table; notes what SQLite cannot carry. */
export function createTableSql(table: Table, request: SchemaRequest, notes: SchemaNote[]): string {
  const requested = new Set(request.tables.map((each) => each.name.toLowerCase()));
  const parts: string[] = [];
  for (const column of table.columns) {
    const sql = columnSql(table, column, request, notes);
    if (sql !== undefined) parts.push(sql);
  }
  if (table.primaryKey.length > 0 && !rowidAliasColumn(table)) {
    parts.push(
      `${constraintName(table.primaryKeyName)}PRIMARY KEY (${table.primaryKey.map(quoteSqliteIdent).join(', ')})`,
    );
  }
  for (const key of table.foreignKeys) {
    if (requested.has(key.referencedTable.toLowerCase())) {
      parts.push(foreignKeySql(key));
    } else {
      notes.push({
        table: table.name,
        object: key.name,
        message: `foreign key to "${key.referencedTable}" not created: that table is not part of the copy (SQLite cannot add it later)`,
      });
    }
  }
  const comments = table.columns.filter((column) => column.comment).length + (table.comment ? 1 : 0);
  if (comments > 0) {
    notes.push({ table: table.name, message: `${comments} comment(s) not carried: SQLite has no comments` });
  }
  return `CREATE TABLE ${quoteSqliteIdent(table.name)} (\n  ${parts.join(',\n  ')}\n)`;
}

/**
 * `ALTER TABLE … ADD COLUMN` statements (SQLite adds one column per statement) for columns added
 * during a sync, each rendered as CREATE TABLE renders it, skipping those `existing` has (no case).
 */
export function addColumnsSql(
  table: string,
  columns: Column[],
  request: Pick<SchemaRequest, 'sourceDialect' | 'coercions'>,
  existing: ReadonlySet<string>,
  notes: SchemaNote[],
): string[] {
  const shape: Table = { name: table, columns, primaryKey: [], indexes: [], foreignKeys: [] };
  const full: SchemaRequest = { ...request, tables: [shape] };
  return columns.flatMap((column) => {
    if (existing.has(column.name.toLowerCase())) return [];
    const sql = columnSql(shape, column, full, notes);
    return sql === undefined ? [] : [`ALTER TABLE ${quoteSqliteIdent(table)} ADD COLUMN ${sql}`];
  });
}
