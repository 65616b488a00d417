/**
 * Reads the current database's tables from information_schema: columns (types, defaults,
 * generated expressions, AUTO_INCREMENT), primary keys, indexes, foreign keys, comments, and the
 * size estimates of statistics. Ferry's progress table is never among them.
 */
import type {
  Column,
  ColumnDefault,
  ForeignKey,
  ForeignKeyAction,
  Index,
  Table,
} from '../../schema/table.js';
import type { TableFilter } from '../connector.js';
import { parseMariadbDefault, parseMysqlDefault } from './literals.js';
import { isMysqlProgressTable } from './progress.js';
import type { MysqlConnection, MysqlServerInfo, MysqlSession } from './session.js';
import {
  type MysqlCheckRow,
  type MysqlColumnRow,
  type MysqlForeignKeyRow,
  type MysqlIndexColumnRow,
  type MysqlTableRow,
  quoteIdentifier,
  SELECT_COLUMNS,
  SELECT_DEFAULT_UTF8MB4_COLLATION,
  SELECT_FOREIGN_KEYS,
  SELECT_INDEX_COLUMNS_MARIADB,
  SELECT_INDEX_COLUMNS_MYSQL,
  SELECT_MARIADB_COLUMN_CHECKS,
  SELECT_TABLES,
} from './sql.js';
import { logicalTypeOf, type MysqlColumnFacts } from './types.js';

function numberOrNull(value: string | number | null): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const name = key(row);
    const group = groups.get(name);
    if (group) group.push(row);
    else groups.set(name, [row]);
  }
  return groups;
}

/** The `json_valid(col)` column CHECKs of MariaDB, as `table\0column` keys. */
function jsonColumns(checks: MysqlCheckRow[]): Set<string> {
  const keys = new Set<string>();
  for (const check of checks) {
    const match = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(check.check_clause.trim());
    if (match) keys.add(`${check.table_name}\0${match[1]!.replace(/``/g, '`')}`);
  }
  return keys;
}

function columnDefault(row: MysqlColumnRow, server: MysqlServerInfo): ColumnDefault | undefined {
  const parsed =
    server.flavor === 'mariadb'
      ? parseMariadbDefault(row.column_default)
      : parseMysqlDefault(row.column_default, row.extra);
  if (parsed.kind === 'none') return undefined;
  if (parsed.kind === 'literal') return { kind: 'literal', value: parsed.value };
  return { kind: 'expression', sql: parsed.sql, dialect: 'mysql' };
}

/** The facts of a COLUMNS row that decide its logical type. */
export function columnFacts(row: MysqlColumnRow, isJson: boolean): MysqlColumnFacts {
  return {
    dataType: row.data_type,
    columnType: row.column_type,
    characterMaximumLength: numberOrNull(row.character_maximum_length),
    numericPrecision: numberOrNull(row.numeric_precision),
    numericScale: numberOrNull(row.numeric_scale),
    datetimePrecision: numberOrNull(row.datetime_precision),
    isJson,
  };
}

/** One column from its catalog row. */
export function columnFrom(
  row: MysqlColumnRow,
  table: MysqlTableRow,
  server: MysqlServerInfo,
  isJson: boolean,
  defaultCollation: string | undefined,
): Column {
  const type = logicalTypeOf(columnFacts(row, isJson));
  const column: Column = {
    name: row.column_name,
    type,
    nativeType: row.column_type,
    nullable: row.is_nullable === 'YES',
  };
  const generated = /\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b/i.exec(row.extra);
  if (generated && row.generation_expression !== null) {
    column.generated = {
      expression: row.generation_expression,
      stored: generated[1]!.toUpperCase() !== 'VIRTUAL',
      dialect: 'mysql',
    };
  } else {
    const value = columnDefault(row, server);
    if (value) column.default = value;
  }
  if (/\bauto_increment\b/i.test(row.extra)) {
    column.autoIncrement = table.auto_increment === null ? {} : { nextValue: String(table.auto_increment) };
  }
  if (row.column_comment) column.comment = row.column_comment;
  // Kept when `DEFAULT CHARSET=utf8mb4` would give another collation (so same-engine copies keep it).
  if (row.collation_name && row.collation_name !== defaultCollation && type.kind !== 'json') {
    column.collation = row.collation_name;
  }
  return column;
}

/** Primary key and secondary indexes from STATISTICS rows of one table. */
export function indexesFrom(rows: MysqlIndexColumnRow[]): { primaryKey: string[]; indexes: Index[] } {
  let primaryKey: string[] = [];
  const indexes: Index[] = [];
  for (const [name, parts] of groupBy(rows, (row) => row.index_name)) {
    parts.sort((a, b) => Number(a.seq_in_index) - Number(b.seq_in_index));
    if (name === 'PRIMARY') {
      primaryKey = parts.map((part) => part.column_name ?? '');
      continue;
    }
    const columns = parts
      .filter((part) => part.column_name !== null)
      .map((part) => ({
        name: part.column_name!,
        ...(part.collation === 'D' ? { descending: true } : {}),
        ...(part.sub_part === null ? {} : { prefixLength: Number(part.sub_part) }),
      }));
    const index: Index = { name, columns, unique: Number(parts[0]!.non_unique) === 0 };
    const kind = parts[0]!.index_type.toUpperCase();
    const hasExpression = parts.some((part) => part.column_name === null && part.expression !== null);
    if (kind === 'FULLTEXT' || kind === 'SPATIAL' || hasExpression) {
      const sqlParts = parts.map((part) =>
        part.column_name === null
          ? `(${part.expression})`
          : `${quoteIdentifier(part.column_name)}${part.sub_part === null ? '' : `(${part.sub_part})`}${part.collation === 'D' ? ' DESC' : ''}`,
      );
      const prefix = kind === 'FULLTEXT' || kind === 'SPATIAL' ? `${kind} ` : index.unique ? 'UNIQUE ' : '';
      index.definition = {
        sql: `${prefix}INDEX ${quoteIdentifier(name)} (${sqlParts.join(', ')})`,
        dialect: 'mysql',
      };
    }
    indexes.push(index);
  }
  return { primaryKey, indexes };
}

const ACTIONS: Record<string, ForeignKeyAction> = {
  CASCADE: 'CASCADE',
  'SET NULL': 'SET NULL',
  'SET DEFAULT': 'SET DEFAULT',
  RESTRICT: 'RESTRICT',
  'NO ACTION': 'NO ACTION',
};

/** Foreign keys from KEY_COLUMN_USAGE/REFERENTIAL_CONSTRAINTS rows of one table. */
export function foreignKeysFrom(rows: MysqlForeignKeyRow[]): ForeignKey[] {
  return [...groupBy(rows, (row) => row.constraint_name)].map(([name, parts]) => {
    parts.sort((a, b) => Number(a.ordinal_position) - Number(b.ordinal_position));
    return {
      name,
      columns: parts.map((part) => part.column_name),
      referencedTable: parts[0]!.referenced_table_name,
      referencedColumns: parts.map((part) => part.referenced_column_name),
      onDelete: ACTIONS[parts[0]!.delete_rule] ?? 'NO ACTION',
      onUpdate: ACTIONS[parts[0]!.update_rule] ?? 'NO ACTION',
    };
  });
}

/** Describes the tables of the current database (all, or those named in the filter). */
export async function introspectTables(
  session: MysqlSession,
  connection: MysqlConnection,
  filter: TableFilter | undefined,
): Promise<Table[]> {
  const server = session.server;
  const wanted = filter?.tables ? new Set(filter.tables) : undefined;
  const run = <T>(purpose: string, sql: string) => session.run<T>(connection, purpose, sql);
  const tableRows = (await run<MysqlTableRow>('Listing tables', SELECT_TABLES)).filter(
    (row) => (!wanted || wanted.has(row.table_name)) && !isMysqlProgressTable(row.table_name),
  );
  const columns = groupBy(
    await run<MysqlColumnRow>('Reading columns', SELECT_COLUMNS),
    (row) => row.table_name,
  );
  const indexSql = server.flavor === 'mysql' ? SELECT_INDEX_COLUMNS_MYSQL : SELECT_INDEX_COLUMNS_MARIADB;
  const indexes = groupBy(
    await run<MysqlIndexColumnRow>('Reading indexes', indexSql),
    (row) => row.table_name,
  );
  const foreignKeys = groupBy(
    await run<MysqlForeignKeyRow>('Reading foreign keys', SELECT_FOREIGN_KEYS),
    (row) => row.table_name,
  );
  const checks =
    server.flavor === 'mariadb'
      ? await run<MysqlCheckRow>('Reading column checks', SELECT_MARIADB_COLUMN_CHECKS)
      : [];
  const json = jsonColumns(checks);
  const collation = (
    await run<{ name: string }>('Reading the default collation', SELECT_DEFAULT_UTF8MB4_COLLATION)
  )[0]?.name;

  return tableRows.map((tableRow) => {
    const name = tableRow.table_name;
    const keys = indexesFrom(indexes.get(name) ?? []);
    const table: Table = {
      name,
      columns: (columns.get(name) ?? []).map((row) =>
        columnFrom(row, tableRow, server, json.has(`${name}\0${row.column_name}`), collation),
      ),
      primaryKey: keys.primaryKey,
      indexes: keys.indexes,
      foreignKeys: foreignKeysFrom(foreignKeys.get(name) ?? []),
    };
    if (tableRow.table_comment) table.comment = tableRow.table_comment;
    if (tableRow.table_rows !== null) table.estimatedRows = Number(tableRow.table_rows);
    if (tableRow.data_length !== null) table.estimatedBytes = Number(tableRow.data_length);
    return table;
  });
}
