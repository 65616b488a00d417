/**
 * The 'constraints' phase, after the data: secondary and unique indexes, AUTOINCREMENT positions
 * in `sqlite_sequence`, and a foreign key check of what was loaded with foreign keys off.
 */

import type { Index, Table } from '../../schema/table.js';
import type { SchemaNote, SchemaRequest } from '../connector.js';
import { parseSqliteCreateIndex, parseSqliteCreateTable } from './create-statements.js';
import { rowidAliasColumn } from './ddl.js';
import { catalogRows } from './introspect.js';
import { execSqlite, type SqliteDatabase } from './session.js';
import {
  quoteSqliteIdent,
  SQLITE_FOREIGN_KEY_CHECK,
  SQLITE_MASTER_SQL,
  SQLITE_SEQUENCE_DELETE,
  SQLITE_SEQUENCE_INSERT,
  type SqliteForeignKeyCheckRow,
} from './sql.js';

/** The CREATE INDEX statement for an index, or undefined (with a note) when SQLite cannot build it. */
export function createIndexSql(
  table: Table,
  index: Index,
  sameDialect: boolean,
  notes: SchemaNote[],
): string | undefined {
  const definition = index.definition;
  if (definition && sameDialect && definition.dialect === 'sqlite') {
    const head = parseSqliteCreateIndex(definition.sql);
    if (head && head.name === index.name && head.table === table.name) return definition.sql;
    if (head) {
      const unique = head.unique ? 'UNIQUE ' : '';
      return `CREATE ${unique}INDEX ${quoteSqliteIdent(index.name)} ON ${quoteSqliteIdent(table.name)} ${definition.sql.slice(head.columnsAt)}`;
    }
  }
  if (index.columns.length === 0) {
    notes.push({
      table: table.name,
      object: index.name,
      message: `index not created: its definition (${definition?.dialect ?? 'unknown'}) cannot be written in SQLite`,
    });
    return undefined;
  }
  if (index.columns.some((column) => column.prefixLength !== undefined)) {
    notes.push({
      table: table.name,
      object: index.name,
      message: 'prefix lengths dropped: SQLite indexes whole columns',
    });
  }
  const columns = index.columns.map(
    (column) => `${quoteSqliteIdent(column.name)}${column.descending ? ' DESC' : ''}`,
  );
  const unique = index.unique ? 'UNIQUE ' : '';
  return `CREATE ${unique}INDEX ${quoteSqliteIdent(index.name)} ON ${quoteSqliteIdent(table.name)} (${columns.join(', ')})`;
}

/**
 * Sets the next id of the table's rowid alias past both the source's next value and the highest
 * id present. Only AUTOINCREMENT keeps a position; a plain alias always hands out max(id)+1.
 */
export function setSqliteNextId(db: SqliteDatabase, table: Table, notes: SchemaNote[]): void {
  const column = rowidAliasColumn(table);
  if (!column) return;
  const nextText = column.autoIncrement?.nextValue;
  const sourceNext = nextText !== undefined && /^\d+$/.test(nextText) ? BigInt(nextText) : 1n;
  const max = db
    .prepare(`SELECT max(${quoteSqliteIdent(column.name)}) FROM ${quoteSqliteIdent(table.name)}`)
    .pluck()
    .get();
  const afterMax = (typeof max === 'bigint' ? max : 0n) + 1n;
  const next = sourceNext > afterMax ? sourceNext : afterMax;
  const createSql = db.prepare(SQLITE_MASTER_SQL).pluck().get('table', table.name);
  const clauses = parseSqliteCreateTable(typeof createSql === 'string' ? createSql : '').columns;
  if (clauses.get(column.name.toLowerCase())?.autoIncrement) {
    db.prepare(SQLITE_SEQUENCE_DELETE).run(table.name);
    db.prepare(SQLITE_SEQUENCE_INSERT).run(table.name, next - 1n);
  } else if (next > afterMax) {
    notes.push({
      table: table.name,
      object: column.name,
      message: `next id ${next} not kept: without AUTOINCREMENT SQLite hands out ${afterMax} (the highest id + 1)`,
    });
  }
}

/** Next ids only (a sync's cutover: the source has moved on since the constraints phase). */
export function setSqliteNextIds(db: SqliteDatabase, request: SchemaRequest): SchemaNote[] {
  const notes: SchemaNote[] = [];
  for (const table of request.tables) setSqliteNextId(db, table, notes);
  return notes;
}

/** Notes rows that break a foreign key (the load ran with foreign keys off, as SQLite needs). */
export function checkSqliteForeignKeys(db: SqliteDatabase, table: Table, notes: SchemaNote[]): void {
  if (table.foreignKeys.length === 0) return;
  const broken = new Map<string, number>();
  for (const row of catalogRows<SqliteForeignKeyCheckRow>(db, SQLITE_FOREIGN_KEY_CHECK, table.name)) {
    broken.set(row.parent, (broken.get(row.parent) ?? 0) + 1);
  }
  for (const [parent, count] of broken) {
    notes.push({
      table: table.name,
      message: `${count} row(s) reference rows of "${parent}" that do not exist (the source holds them so too)`,
    });
  }
}

/** Runs the 'constraints' phase for every requested table. */
export function createSqliteConstraints(db: SqliteDatabase, request: SchemaRequest): SchemaNote[] {
  const notes: SchemaNote[] = [];
  const sameDialect = request.sourceDialect === 'sqlite';
  for (const table of request.tables) {
    for (const index of table.indexes) {
      const sql = createIndexSql(table, index, sameDialect, notes);
      if (sql) execSqlite(db, `Creating index "${index.name}" on table "${table.name}"`, sql);
    }
    setSqliteNextId(db, table, notes);
    checkSqliteForeignKeys(db, table, notes);
  }
  return notes;
}
