/**
 * DDL for a target MariaDB/MySQL database. 'tables': CREATE TABLE with columns and primary key
 * (plus the index an AUTO_INCREMENT column needs). 'constraints', after the data: secondary and
 * unique indexes (one ALTER TABLE per table), foreign keys, AUTO_INCREMENT positions.
 */

import type { ForeignKey, ForeignKeyAction, Index, Table } from '../../schema/table.js';
import type { SchemaNote, SchemaRequest } from '../connector.js';
import { type ColumnSpec, columnSpec, columnSql, fitRowSize, type MysqlDdlContext } from './ddl-columns.js';
import { quoteIdentifier, quoteString } from './sql.js';

/** Column names that must be indexable: keys, indexes, foreign keys and columns other tables reference. */
export function keyedColumns(table: Table, request: SchemaRequest): Set<string> {
  const keyed = new Set<string>(table.primaryKey);
  for (const index of table.indexes) for (const column of index.columns) keyed.add(column.name);
  for (const foreignKey of table.foreignKeys) for (const name of foreignKey.columns) keyed.add(name);
  for (const other of request.tables) {
    for (const foreignKey of other.foreignKeys) {
      if (foreignKey.referencedTable === table.name)
        for (const name of foreignKey.referencedColumns) keyed.add(name);
    }
  }
  return keyed;
}

/**
 * The index an AUTO_INCREMENT column needs when it does not lead the primary key: the table's own
 * index that starts with it (created early, skipped later), or a new one (`index` undefined).
 */
export function autoIncrementIndex(table: Table): { column: string; index?: Index } | undefined {
  const auto = table.columns.find((column) => column.autoIncrement && !column.generated);
  if (!auto || table.primaryKey[0] === auto.name) return undefined;
  const index = table.indexes.find(
    (candidate) => candidate.columns[0]?.name === auto.name && !candidate.definition,
  );
  return { column: auto.name, index };
}

function indexParts(index: Index): string {
  return index.columns
    .map(
      (column) =>
        `${quoteIdentifier(column.name)}${column.prefixLength ? `(${column.prefixLength})` : ''}${column.descending ? ' DESC' : ''}`,
    )
    .join(', ');
}

/** `[UNIQUE] INDEX name (parts)` for CREATE TABLE and ALTER TABLE … ADD. */
function indexClause(index: Index): string {
  return `${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdentifier(index.name)} (${indexParts(index)})`;
}

/** CREATE TABLE for one table of the request. */
export function createTableStatement(
  table: Table,
  request: SchemaRequest,
  context: MysqlDdlContext,
  notes: SchemaNote[],
): string {
  const keyed = keyedColumns(table, request);
  const specs: ColumnSpec[] = [];
  for (const column of table.columns) {
    const spec = columnSpec(column, table, context, keyed.has(column.name), notes);
    if (spec) specs.push(spec);
  }
  if (!context.sameDialect) fitRowSize(specs);
  const parts = specs.map(columnSql);
  if (table.primaryKey.length > 0)
    parts.push(`PRIMARY KEY (${table.primaryKey.map(quoteIdentifier).join(', ')})`);
  const auto = autoIncrementIndex(table);
  if (auto?.index) parts.push(indexClause(auto.index));
  else if (auto) {
    const taken = new Set(table.indexes.map((index) => index.name));
    const name = taken.has(auto.column) ? `ferry_auto_${auto.column}`.slice(0, 64) : auto.column;
    parts.push(`INDEX ${quoteIdentifier(name)} (${quoteIdentifier(auto.column)})`);
  }
  const comment = table.comment ? ` COMMENT=${quoteString(table.comment)}` : '';
  return `CREATE TABLE ${quoteIdentifier(table.name)} (\n  ${parts.join(',\n  ')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4${comment}`;
}

/** The ADD clauses of a table's secondary indexes (all of them in one ALTER TABLE). */
export function indexAdditions(table: Table, context: MysqlDdlContext, notes: SchemaNote[]): string[] {
  const early = autoIncrementIndex(table)?.index;
  const clauses: string[] = [];
  for (const index of table.indexes) {
    if (index === early) continue;
    if (index.definition?.dialect === 'mysql' && context.sameDialect) {
      clauses.push(`ADD ${index.definition.sql}`);
      continue;
    }
    if (index.columns.length === 0 || (index.definition && /\bWHERE\b/i.test(index.definition.sql))) {
      notes.push({
        table: table.name,
        object: index.name,
        message: `index ${index.definition?.sql ?? index.name} (${index.definition?.dialect ?? 'unknown'}) has expressions or a WHERE clause MySQL cannot take; it was not created`,
      });
      continue;
    }
    clauses.push(`ADD ${indexClause(index)}`);
  }
  return clauses;
}

function action(
  table: Table,
  foreignKey: ForeignKey,
  which: 'DELETE' | 'UPDATE',
  value: ForeignKeyAction,
  notes: SchemaNote[],
) {
  if (value !== 'SET DEFAULT') return value;
  notes.push({
    table: table.name,
    object: foreignKey.name,
    message: `ON ${which} SET DEFAULT is not supported by InnoDB; created as RESTRICT`,
  });
  return 'RESTRICT';
}

/**
 * `ON DELETE …` / `ON UPDATE …`. MariaDB records an explicit RESTRICT added with foreign key checks
 * off as NO ACTION (same behaviour, different catalog text), so its default RESTRICT is left implicit.
 */
function actionClause(
  table: Table,
  foreignKey: ForeignKey,
  which: 'DELETE' | 'UPDATE',
  context: MysqlDdlContext,
  notes: SchemaNote[],
): string {
  const value = action(
    table,
    foreignKey,
    which,
    which === 'DELETE' ? foreignKey.onDelete : foreignKey.onUpdate,
    notes,
  );
  return value === 'RESTRICT' && context.flavor === 'mariadb' ? '' : ` ON ${which} ${value}`;
}

/** The ADD CONSTRAINT clauses of a table's foreign keys. */
export function foreignKeyAdditions(table: Table, context: MysqlDdlContext, notes: SchemaNote[]): string[] {
  return table.foreignKeys.map(
    (foreignKey) =>
      `ADD CONSTRAINT ${quoteIdentifier(foreignKey.name)} FOREIGN KEY (${foreignKey.columns.map(quoteIdentifier).join(', ')}) ` +
      `REFERENCES ${quoteIdentifier(foreignKey.referencedTable)} (${foreignKey.referencedColumns.map(quoteIdentifier).join(', ')})` +
      actionClause(table, foreignKey, 'DELETE', context, notes) +
      actionClause(table, foreignKey, 'UPDATE', context, notes),
  );
}

/** ALTER TABLE … with the given clauses. */
export function alterTable(table: string, clauses: string[]): string {
  return `ALTER TABLE ${quoteIdentifier(table)} ${clauses.join(', ')}`;
}

/** The highest value of a column (the AUTO_INCREMENT position must pass it). */
export function selectMax(table: string, column: string): string {
  return `SELECT MAX(${quoteIdentifier(column)}) AS max FROM ${quoteIdentifier(table)}`;
}

/** The AUTO_INCREMENT position past both the source's next value and the highest value present. */
export function nextAutoIncrement(
  sourceNext: string | undefined,
  max: string | number | null,
): bigint | undefined {
  const fromSource = sourceNext && /^\d+$/.test(sourceNext) ? BigInt(sourceNext) : undefined;
  const fromData = max === null || max === undefined ? undefined : BigInt(String(max).split('.')[0]!) + 1n;
  if (fromSource === undefined) return fromData;
  if (fromData === undefined) return fromSource;
  return fromSource > fromData ? fromSource : fromData;
}
