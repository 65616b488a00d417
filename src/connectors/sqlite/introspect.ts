/**
 * Reads a SQLite file's tables, keys, indexes, foreign keys, views and triggers into the neutral
 * model, from `sqlite_master`, the table-valued pragmas and (for what no pragma reports) the
 * stored CREATE statements.
 */

import type {
  AutoIncrement,
  Column,
  ColumnDefault,
  DatabaseSchema,
  ForeignKey,
  ForeignKeyAction,
  Index,
  SchemaObject,
  Table,
} from '../../schema/table.js';
import type { TableFilter } from '../connector.js';
import { parseSqliteCreateTable, type SqliteCreateTable } from './create-statements.js';
import { isSqliteProgressTable } from './progress.js';
import type { SqliteDatabase } from './session.js';
import {
  quoteSqliteIdent,
  SQLITE_FOREIGN_KEY_LIST,
  SQLITE_INDEX_LIST,
  SQLITE_INDEX_XINFO,
  SQLITE_MASTER_SQL,
  SQLITE_OBJECTS,
  SQLITE_SEQUENCE_GET,
  SQLITE_STAT1,
  SQLITE_TABLE_EXISTS,
  SQLITE_TABLE_XINFO,
  SQLITE_TABLES,
  SQLITE_VERSION,
  type SqliteColumnRow,
  type SqliteForeignKeyRow,
  type SqliteIndexColumnRow,
  type SqliteIndexRow,
  type SqliteMasterRow,
} from './sql.js';
import { logicalTypeOfSqlite } from './types.js';
import { INT64_MAX } from './value-text.js';

/** Catalog rows with plain numbers (the connection returns bigints by default). */
export function catalogRows<T>(db: SqliteDatabase, sql: string, ...params: unknown[]): T[] {
  return db
    .prepare(sql)
    .safeIntegers(false)
    .all(...params) as T[];
}

/** Describes the file's base tables (all, or those named in the filter) and its views and triggers. */
export function introspectSqlite(db: SqliteDatabase, filter: TableFilter = {}): DatabaseSchema {
  const version = db.prepare(SQLITE_VERSION).pluck().get() as string;
  const wanted = filter.tables ? new Set(filter.tables) : undefined;
  const tables = catalogRows<{ name: string; sql: string | null }>(db, SQLITE_TABLES)
    .filter((row) => !wanted || wanted.has(row.name))
    .filter((row) => !/^\s*CREATE\s+VIRTUAL\s/i.test(row.sql ?? '') && !isSqliteProgressTable(row.name))
    .map((row) => describeSqliteTable(db, row.name, row.sql ?? ''));
  const tableNames = new Set(tables.map((table) => table.name.toLowerCase()));
  const objects: SchemaObject[] = [];
  const views = new Set<string>();
  for (const row of catalogRows<SqliteMasterRow>(db, SQLITE_OBJECTS)) {
    if (row.type === 'view') {
      views.add(row.name.toLowerCase());
      objects.push({ kind: 'view', name: row.name, definition: row.sql! });
    } else if (
      !wanted ||
      tableNames.has(row.tbl_name.toLowerCase()) ||
      views.has(row.tbl_name.toLowerCase())
    ) {
      objects.push({ kind: 'trigger', name: row.name, table: row.tbl_name, definition: row.sql! });
    }
  }
  // Views first (in creation order, so each after those it reads), then triggers, as createObjects runs them.
  objects.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'view' ? -1 : 1));
  return { dialect: 'sqlite', serverVersion: `SQLite ${version}`, tables, objects };
}

/** Describes one table from its catalog rows and its stored CREATE TABLE statement. */
export function describeSqliteTable(db: SqliteDatabase, name: string, createSql: string): Table {
  const parsed = parseSqliteCreateTable(createSql);
  const columnRows = catalogRows<SqliteColumnRow>(db, SQLITE_TABLE_XINFO, name).filter(
    (row) => row.hidden !== 1,
  );
  const indexRows = catalogRows<SqliteIndexRow>(db, SQLITE_INDEX_LIST, name);
  const keyRows = columnRows.filter((row) => row.pk > 0).sort((a, b) => a.pk - b.pk);
  const primaryKey = keyRows.map((row) => row.name);
  // A rowid alias: one INTEGER (exactly) key column of a rowid table, with no separate key index
  // (the index also tells apart the `INTEGER PRIMARY KEY DESC` quirk, which is not an alias).
  const rowidAlias =
    keyRows.length === 1 &&
    keyRows[0]!.type.toUpperCase() === 'INTEGER' &&
    !parsed.withoutRowid &&
    !indexRows.some((row) => row.origin === 'pk');
  const columns = columnRows.map((row) => describeColumn(db, name, row, parsed, rowidAlias && row.pk > 0));
  const keyClauses = primaryKey.length === 1 ? parsed.columns.get(primaryKey[0]!.toLowerCase()) : undefined;
  const table: Table = {
    name,
    columns,
    primaryKey,
    indexes: describeIndexes(db, name, indexRows, parsed),
    foreignKeys: describeForeignKeys(db, name, parsed),
  };
  const primaryKeyName = parsed.primaryKeyName ?? keyClauses?.primaryKeyName;
  if (primaryKey.length > 0 && primaryKeyName !== undefined) table.primaryKeyName = primaryKeyName;
  const estimate = estimatedRows(db, name);
  if (estimate !== undefined) table.estimatedRows = estimate;
  return table;
}

function describeColumn(
  db: SqliteDatabase,
  table: string,
  row: SqliteColumnRow,
  parsed: SqliteCreateTable,
  rowidAlias: boolean,
): Column {
  const clauses = parsed.columns.get(row.name.toLowerCase());
  let type = logicalTypeOfSqlite(row.type);
  if (clauses?.checkValues && type.kind === 'text') type = { kind: 'enum', values: clauses.checkValues };
  const column: Column = {
    name: row.name,
    type,
    nativeType: row.type,
    nullable: row.notnull === 0 && !rowidAlias,
  };
  const fallback = parseSqliteDefault(row.dflt_value);
  if (fallback) column.default = fallback;
  if (row.hidden === 2 || row.hidden === 3) {
    column.generated = {
      expression: clauses?.generated?.expression ?? '',
      stored: row.hidden === 3,
      dialect: 'sqlite',
    };
  }
  if (clauses?.collation) column.collation = clauses.collation;
  if (rowidAlias)
    column.autoIncrement = autoIncrementOf(db, table, row.name, clauses?.autoIncrement === true);
  return column;
}

/** A `pragma_table_xinfo` default: numbers and strings become literals, the rest stays SQLite SQL. */
export function parseSqliteDefault(text: string | null): ColumnDefault | undefined {
  if (text === null || /^null$/i.test(text.trim())) return undefined;
  const trimmed = text.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed))
    return { kind: 'literal', value: trimmed.replace(/^\+/, '') };
  if (/^'(?:[^']|'')*'$/.test(trimmed))
    return { kind: 'literal', value: trimmed.slice(1, -1).replaceAll("''", "'") };
  if (/^(true|false)$/i.test(trimmed)) return { kind: 'literal', value: /^true$/i.test(trimmed) ? '1' : '0' };
  return { kind: 'expression', sql: trimmed, dialect: 'sqlite' };
}

/** The next id: past the highest present, and past `sqlite_sequence` for AUTOINCREMENT. */
function autoIncrementOf(db: SqliteDatabase, table: string, column: string, strict: boolean): AutoIncrement {
  const max = db
    .prepare(`SELECT max(${quoteSqliteIdent(column)}) FROM ${quoteSqliteIdent(table)}`)
    .pluck()
    .get();
  let highest = typeof max === 'bigint' ? max : 0n;
  if (strict && db.prepare(SQLITE_TABLE_EXISTS).get('sqlite_sequence') !== undefined) {
    const seq = db.prepare(SQLITE_SEQUENCE_GET).pluck().get(table);
    if (typeof seq === 'bigint' && seq > highest) highest = seq;
  }
  // At the top of the range SQLite picks a random free id (or fails, with AUTOINCREMENT).
  const auto: AutoIncrement = highest < INT64_MAX ? { nextValue: String(highest + 1n) } : {};
  if (strict) auto.strict = true;
  return auto;
}

function describeIndexes(
  db: SqliteDatabase,
  table: string,
  rows: SqliteIndexRow[],
  parsed: SqliteCreateTable,
): Index[] {
  // pragma_index_list lists the newest first.
  return [...rows]
    .sort((a, b) => b.seq - a.seq)
    .filter((row) => row.origin !== 'pk')
    .map((row) => {
      const keys = catalogRows<SqliteIndexColumnRow>(db, SQLITE_INDEX_XINFO, row.name).filter(
        (key) => key.key === 1,
      );
      // An expression (cid -2) or the rowid (cid -1) is no column: such an index is described by
      // its definition only, with no columns, so no other engine builds a different index from it.
      const expression = keys.some((key) => key.cid < 0 || key.name === null);
      const columns = expression
        ? []
        : keys.map((key) => (key.desc ? { name: key.name!, descending: true } : { name: key.name! }));
      const index: Index = { name: row.name, columns, unique: row.unique === 1 };
      if (row.origin === 'u') {
        index.name = uniqueConstraintName(
          table,
          columns.map((column) => column.name),
          parsed,
        );
        return index;
      }
      const collated = keys.some((key) => {
        const declared =
          key.name === null ? undefined : parsed.columns.get(key.name.toLowerCase())?.collation;
        return (key.coll ?? 'BINARY').toUpperCase() !== (declared ?? 'BINARY').toUpperCase();
      });
      const sql = db.prepare(SQLITE_MASTER_SQL).pluck().get('index', row.name);
      if (typeof sql === 'string' && (row.partial === 1 || expression || collated)) {
        index.definition = { sql, dialect: 'sqlite' };
      }
      return index;
    });
}

/**
 * A UNIQUE constraint's index: SQLite names it `sqlite_autoindex_<table>_<n>`, a name no CREATE
 * INDEX may use, so it takes the constraint's own name or PostgreSQL's `<table>_<columns>_key`.
 */
function uniqueConstraintName(table: string, columns: string[], parsed: SqliteCreateTable): string {
  const same = (a: string[]) =>
    a.length === columns.length && a.every((c, i) => c.toLowerCase() === columns[i]!.toLowerCase());
  const named = parsed.uniques.find((unique) => unique.name !== undefined && same(unique.columns));
  return named?.name ?? `${table}_${columns.join('_')}_key`;
}

const ACTIONS: readonly ForeignKeyAction[] = ['NO ACTION', 'RESTRICT', 'CASCADE', 'SET NULL', 'SET DEFAULT'];

function action(text: string): ForeignKeyAction {
  const upper = text.toUpperCase() as ForeignKeyAction;
  return ACTIONS.includes(upper) ? upper : 'NO ACTION';
}

/** Foreign keys in declaration order, named as written or `fk_<table>_<n>` (n counts from 1 as declared). */
function describeForeignKeys(db: SqliteDatabase, table: string, parsed: SqliteCreateTable): ForeignKey[] {
  const rows = catalogRows<SqliteForeignKeyRow>(db, SQLITE_FOREIGN_KEY_LIST, table);
  const byId = new Map<number, SqliteForeignKeyRow[]>();
  for (const row of rows) byId.set(row.id, [...(byId.get(row.id) ?? []), row]);
  const count = byId.size;
  const keys: Array<{ order: number; key: ForeignKey }> = [];
  for (const [id, parts] of byId) {
    parts.sort((a, b) => a.seq - b.seq);
    const order = count - 1 - id; // SQLite numbers them from the last declared
    const columns = parts.map((part) => part.from);
    const declared = parsed.foreignKeys[order];
    const sameColumns =
      declared?.columns.length === columns.length &&
      declared.columns.every((column, i) => column.toLowerCase() === columns[i]!.toLowerCase());
    const first = parts[0]!;
    const parentKey = parts.some((part) => part.to === null) ? primaryKeyOf(db, first.table) : [];
    keys.push({
      order,
      key: {
        name: sameColumns && declared.name !== undefined ? declared.name : `fk_${table}_${order + 1}`,
        columns,
        referencedTable: first.table,
        referencedColumns: parts.map((part, i) => part.to ?? parentKey[i] ?? ''),
        onDelete: action(first.on_delete),
        onUpdate: action(first.on_update),
      },
    });
  }
  return keys.sort((a, b) => a.order - b.order).map((entry) => entry.key);
}

function primaryKeyOf(db: SqliteDatabase, table: string): string[] {
  return catalogRows<SqliteColumnRow>(db, SQLITE_TABLE_XINFO, table)
    .filter((row) => row.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((row) => row.name);
}

/** The row count ANALYZE recorded in `sqlite_stat1`, when there is one. */
function estimatedRows(db: SqliteDatabase, table: string): number | undefined {
  if (db.prepare(SQLITE_TABLE_EXISTS).get('sqlite_stat1') === undefined) return undefined;
  const stat = db.prepare(SQLITE_STAT1).pluck().get(table);
  const rows = typeof stat === 'string' ? Number.parseInt(stat, 10) : Number.NaN;
  return Number.isFinite(rows) ? rows : undefined;
}
