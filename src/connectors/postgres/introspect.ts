/**
 * Introspection from pg_catalog for one schema: tables with columns, keys, indexes, foreign keys,
 * comments and sequence positions, then views, triggers and routines.
 */
import type pg from 'pg';
import { isSyncTable } from '../../cdc/applier.js';
import type {
  AutoIncrement,
  Column,
  DatabaseSchema,
  ForeignKey,
  ForeignKeyAction,
  Index,
  Table,
} from '../../schema/table.js';
import { PROGRESS_TABLE, type TableFilter } from '../connector.js';
import { postgresDefaultOf } from './defaults.js';
import { quoteIdent } from './identifiers.js';
import { postgresObjects } from './objects.js';
import {
  COLUMNS,
  type ColumnRow,
  FOREIGN_KEYS,
  type ForeignKeyRow,
  INDEXES,
  type IndexRow,
  PRIMARY_KEYS,
  type PrimaryKeyRow,
  SEQUENCE_STATE,
  SERVER_VERSION,
  type SequenceRow,
  TABLES,
  type TableRow,
} from './sql.js';
import { logicalTypeOf } from './types.js';

const ACTIONS: Record<string, ForeignKeyAction> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

/** `{ '1234': [rows…] }`: catalog rows grouped by their table's oid. */
function byTable<T extends { table_oid: string }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.table_oid);
    if (group) group.push(row);
    else groups.set(row.table_oid, [row]);
  }
  return groups;
}

/** The value a sequence hands out next: last_value + increment once called, else last_value itself. */
async function nextSequenceValue(client: pg.PoolClient, sequence: string): Promise<string> {
  const { rows } = await client.query<SequenceRow>(SEQUENCE_STATE.replace('%s', sequence), [sequence]);
  const row = rows[0];
  if (!row) return '1';
  return row.is_called ? String(BigInt(row.last_value) + BigInt(row.increment)) : row.last_value;
}

async function columnOf(client: pg.PoolClient, row: ColumnRow): Promise<Column> {
  const column: Column = {
    name: row.name,
    type: logicalTypeOf(row),
    nativeType: row.native_type,
    nullable: !row.not_null,
  };
  const serial = row.sequence !== null && /^nextval\('.*'::regclass\)$/s.test(row.default_expr ?? '');
  if (row.generated === 's' && row.default_expr !== null) {
    column.generated = { expression: row.default_expr, stored: true, dialect: 'postgres' };
  } else if ((row.identity === 'a' || row.identity === 'd' || serial) && row.sequence !== null) {
    const autoIncrement: AutoIncrement = { nextValue: await nextSequenceValue(client, row.sequence) };
    if (row.identity === 'a') autoIncrement.always = true;
    column.autoIncrement = autoIncrement;
  } else {
    const value = postgresDefaultOf(row.default_expr);
    if (value) column.default = value;
  }
  if (row.comment !== null) column.comment = row.comment;
  if (row.collation !== null) column.collation = row.collation;
  return column;
}

function indexOf(row: IndexRow): Index {
  const sql =
    row.constraint_name !== null && row.constraint_def !== null
      ? `CONSTRAINT ${quoteIdent(row.constraint_name)} ${row.constraint_def}`
      : row.definition;
  return {
    name: row.name,
    unique: row.is_unique,
    // Expression, partial and non-btree indexes only make sense as their PostgreSQL definition.
    columns: row.complex
      ? []
      : row.columns.map((name, i) => (row.descending[i] ? { name, descending: true } : { name })),
    definition: { sql, dialect: 'postgres' },
  };
}

function foreignKeyOf(row: ForeignKeyRow): ForeignKey {
  return {
    name: row.name,
    columns: row.columns,
    referencedTable: row.referenced_table,
    referencedColumns: row.referenced_columns,
    onDelete: ACTIONS[row.on_delete] ?? 'NO ACTION',
    onUpdate: ACTIONS[row.on_update] ?? 'NO ACTION',
  };
}

async function tablesOf(
  client: pg.PoolClient,
  schema: string,
  filter: TableFilter | undefined,
): Promise<Table[]> {
  const tableRows = (await client.query<TableRow>(TABLES, [schema, filter?.tables ?? null])).rows.filter(
    // Ferry's own bookkeeping is never a table to copy.
    (row) => row.name !== PROGRESS_TABLE && !isSyncTable(row.name),
  );
  if (tableRows.length === 0) return [];
  const oids = tableRows.map((row) => row.oid);
  // One connection runs one query at a time: these go in sequence.
  const columns = await client.query<ColumnRow>(COLUMNS, [oids]);
  const primaryKeys = await client.query<PrimaryKeyRow>(PRIMARY_KEYS, [oids]);
  const indexes = await client.query<IndexRow>(INDEXES, [oids]);
  const foreignKeys = await client.query<ForeignKeyRow>(FOREIGN_KEYS, [oids]);
  const columnsBy = byTable(columns.rows);
  const keysBy = byTable(primaryKeys.rows);
  const indexesBy = byTable(indexes.rows);
  const foreignKeysBy = byTable(foreignKeys.rows);
  const tables: Table[] = [];
  for (const row of tableRows) {
    const tableColumns: Column[] = [];
    for (const columnRow of columnsBy.get(row.oid) ?? [])
      tableColumns.push(await columnOf(client, columnRow));
    const key = keysBy.get(row.oid)?.[0];
    const table: Table = {
      name: row.name,
      columns: tableColumns,
      primaryKey: key?.columns ?? [],
      indexes: (indexesBy.get(row.oid) ?? []).map(indexOf),
      foreignKeys: (foreignKeysBy.get(row.oid) ?? []).map(foreignKeyOf),
    };
    if (key) table.primaryKeyName = key.name;
    if (row.comment !== null) table.comment = row.comment;
    // reltuples is -1 until the table is first analyzed or vacuumed.
    if (row.reltuples >= 0) {
      table.estimatedRows = Math.round(row.reltuples);
      // Pages counted at the same moment as the rows, so bytes per row is the table's average.
      table.estimatedBytes = row.relbytes;
    }
    tables.push(table);
  }
  return tables;
}

/** Describes the schema's tables (those named in the filter, when given) and its other objects. */
export async function introspectPostgres(
  client: pg.PoolClient,
  schema: string,
  filter?: TableFilter,
): Promise<DatabaseSchema> {
  const version =
    (await client.query<{ server_version: string }>(SERVER_VERSION)).rows[0]?.server_version ?? '';
  const tables = await tablesOf(client, schema, filter);
  const objects = await postgresObjects(client, schema, filter);
  return { dialect: 'postgres', serverVersion: `PostgreSQL ${version.split(' ')[0]}`, tables, objects };
}
