/**
 * SQLite catalog queries, one named constant each, and the rows they return. Catalog reads use
 * the table-valued pragma functions so that table names are bound, never spliced.
 * See https://www.sqlite.org/pragma.html and https://www.sqlite.org/schematab.html.
 */

import { PROGRESS_TABLE } from '../connector.js';

/** Double-quotes an identifier for SQLite (`"` doubled inside). */
export function quoteSqliteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Single-quotes a string literal for SQLite (`'` doubled inside). */
export function quoteSqliteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The library's SQLite version, for `serverVersion`. */
export const SQLITE_VERSION = 'SELECT sqlite_version() AS version';

/** Proves an opened file is a database (SQLite reads the header lazily, on the first query). */
export const SQLITE_PROBE = 'SELECT count(*) AS n FROM sqlite_master';

/** Base tables in creation order, without SQLite's own (`sqlite_sequence`, `sqlite_stat1`, …). */
export const SQLITE_TABLES = `SELECT name, sql FROM sqlite_master
  WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid`;

/** Views and triggers in creation order (so a view comes after the views it reads). */
export const SQLITE_OBJECTS = `SELECT type, name, tbl_name, sql FROM sqlite_master
  WHERE type IN ('view', 'trigger') AND sql IS NOT NULL ORDER BY rowid`;

/** One schema object's statement by type and name. */
export const SQLITE_MASTER_SQL = 'SELECT sql FROM sqlite_master WHERE type = ? AND name = ?';

/** Whether a table (or SQLite's own table such as `sqlite_sequence`) exists, name compared as SQLite does. */
export const SQLITE_TABLE_EXISTS =
  "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE";

/** Whether a table has no rowid (`wr` of https://www.sqlite.org/pragma.html#pragma_table_list). */
export const SQLITE_WITHOUT_ROWID = 'SELECT wr FROM pragma_table_list(?)';

/** The file's text encoding: `UTF-8`, `UTF-16le` or `UTF-16be`. */
export const SQLITE_ENCODING = 'SELECT encoding FROM pragma_encoding';

/** Columns including generated ones (`hidden` 2 virtual, 3 stored). */
export const SQLITE_TABLE_XINFO =
  'SELECT cid, name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?)';

/** Indexes of a table: `origin` is `c` (CREATE INDEX), `u` (UNIQUE constraint) or `pk`. */
export const SQLITE_INDEX_LIST = 'SELECT seq, name, "unique", origin, partial FROM pragma_index_list(?)';

/** Key and auxiliary columns of an index (`key` 1 for key columns; `cid` -2 for an expression). */
export const SQLITE_INDEX_XINFO = 'SELECT seqno, cid, name, "desc", coll, key FROM pragma_index_xinfo(?)';

/** Foreign keys of a table, one row per column; `id` counts from the last declared. */
export const SQLITE_FOREIGN_KEY_LIST =
  'SELECT id, seq, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?)';

/** Rows that break a table's foreign keys (checked after a load made with foreign keys off). */
export const SQLITE_FOREIGN_KEY_CHECK =
  'SELECT "table", rowid, parent, fkid FROM pragma_foreign_key_check(?)';

/** The AUTOINCREMENT high-water mark of a table. */
export const SQLITE_SEQUENCE_GET = 'SELECT seq FROM sqlite_sequence WHERE name = ?';

/** Clears a table's AUTOINCREMENT high-water mark before setting it. */
export const SQLITE_SEQUENCE_DELETE = 'DELETE FROM sqlite_sequence WHERE name = ?';

/** Sets a table's AUTOINCREMENT high-water mark (the last value handed out). */
export const SQLITE_SEQUENCE_INSERT = 'INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)';

/** Row-count statistics left by ANALYZE: the first number of `stat` is the table's row count. */
export const SQLITE_STAT1 = 'SELECT stat FROM sqlite_stat1 WHERE tbl = ? LIMIT 1';

/** A row of `pragma_table_xinfo` (https://www.sqlite.org/pragma.html#pragma_table_xinfo). */
export interface SqliteColumnRow {
  cid: number;
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}

/** A row of `pragma_index_list` (https://www.sqlite.org/pragma.html#pragma_index_list). */
export interface SqliteIndexRow {
  seq: number;
  name: string;
  unique: number;
  origin: 'c' | 'u' | 'pk';
  partial: number;
}

/** A row of `pragma_index_xinfo` (https://www.sqlite.org/pragma.html#pragma_index_xinfo). */
export interface SqliteIndexColumnRow {
  seqno: number;
  cid: number;
  name: string | null;
  desc: number;
  coll: string | null;
  key: number;
}

/** A row of `pragma_foreign_key_list` (https://www.sqlite.org/pragma.html#pragma_foreign_key_list). */
export interface SqliteForeignKeyRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
  on_update: string;
  on_delete: string;
}

/** A row of `sqlite_master` (https://www.sqlite.org/schematab.html). */
export interface SqliteMasterRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

/** A row of `pragma_foreign_key_check` (https://www.sqlite.org/pragma.html#pragma_foreign_key_check). */
export interface SqliteForeignKeyCheckRow {
  table: string;
  rowid: number | null;
  parent: string;
  fkid: number;
}

/** A read that starts the deferred read transaction, fixing the snapshot every later read sees. */
export const SQLITE_PIN_SNAPSHOT = 'SELECT count(*) FROM sqlite_master';

const PROGRESS = quoteSqliteIdent(PROGRESS_TABLE);

/** Creates Ferry's progress table (connector.ts PROGRESS_TABLE); one row per chunk, recorded once. */
export const SQLITE_PROGRESS_CREATE = `CREATE TABLE IF NOT EXISTS ${PROGRESS} (
  run_id TEXT NOT NULL,
  table_name TEXT NOT NULL,
  chunk_no INTEGER NOT NULL,
  key_range TEXT NOT NULL,
  "rows" INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  written_at TEXT NOT NULL,
  PRIMARY KEY (run_id, table_name, chunk_no)
)`;

/** Records a chunk, in the transaction that wrote its rows; `written_at` in UTC, ISO 8601. */
export const SQLITE_PROGRESS_INSERT = `INSERT INTO ${PROGRESS}
  (run_id, table_name, chunk_no, key_range, "rows", bytes, written_at)
  VALUES (?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

/** The chunks a run recorded, by table and chunk number. */
export const SQLITE_PROGRESS_SELECT = `SELECT run_id AS run, table_name AS "table", chunk_no AS chunk,
  key_range AS range, "rows", bytes FROM ${PROGRESS} WHERE run_id = ? ORDER BY table_name, chunk_no`;

/** The names of a table's columns, hidden and generated ones too (for adding columns during a sync). */
export const SQLITE_COLUMN_NAMES = 'SELECT name FROM pragma_table_xinfo(?)';
