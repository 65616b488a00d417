/**
 * The SQL of the SQLite applier (apply.ts): the sync tables (cdc/applier.ts SYNC_*) and the catalog
 * pragmas its statements are built from. Text compares under BINARY (SQLite's default): position
 * keys in plain byte order, as the contract says.
 */
import { SYNC_APPLIED_TABLE, SYNC_COUNTS_TABLE, SYNC_STATE_TABLE } from '../../cdc/applier.js';
import { quoteSqliteIdent } from './sql.js';

const STATE = quoteSqliteIdent(SYNC_STATE_TABLE);
const APPLIED = quoteSqliteIdent(SYNC_APPLIED_TABLE);
const COUNTS = quoteSqliteIdent(SYNC_COUNTS_TABLE);

/** Creates the three sync tables where missing. */
export const SYNC_CREATE = `CREATE TABLE IF NOT EXISTS ${STATE} (
  stream TEXT NOT NULL PRIMARY KEY,
  watermark_key TEXT NOT NULL,
  watermark TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ${APPLIED} (
  stream TEXT NOT NULL,
  position_key TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  PRIMARY KEY (stream, position_key)
);
CREATE TABLE IF NOT EXISTS ${COUNTS} (
  stream TEXT NOT NULL,
  table_name TEXT NOT NULL,
  inserts INTEGER NOT NULL DEFAULT 0,
  updates INTEGER NOT NULL DEFAULT 0,
  deletes INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (stream, table_name)
)`;

/** Whether the sync tables exist (the counts table is created last). */
export const SYNC_TABLES_EXIST = `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${SYNC_COUNTS_TABLE}'`;

/** The stream's watermark row, if any. */
export const SYNC_STATE_SELECT = `SELECT watermark_key, watermark FROM ${STATE} WHERE stream = ?`;

/** The applied keys above a watermark (NULL: all), in order. */
export const SYNC_APPLIED_SELECT = `SELECT position_key FROM ${APPLIED}
WHERE stream = ? AND (? IS NULL OR position_key > ?) ORDER BY position_key`;

/** Records one applied transaction, in its own transaction. */
export const SYNC_APPLIED_INSERT = `INSERT INTO ${APPLIED} (stream, position_key, applied_at)
VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

/** Adds one table's counts of a transaction. */
export const SYNC_COUNTS_ADD = `INSERT INTO ${COUNTS} (stream, table_name, inserts, updates, deletes) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (stream, table_name) DO UPDATE SET
  inserts = inserts + excluded.inserts, updates = updates + excluded.updates, deletes = deletes + excluded.deletes`;

/** Moves the watermark forward, never back. */
export const SYNC_STATE_UPSERT = `INSERT INTO ${STATE} (stream, watermark_key, watermark, updated_at)
VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
ON CONFLICT (stream) DO UPDATE SET
  watermark_key = excluded.watermark_key, watermark = excluded.watermark, updated_at = excluded.updated_at
WHERE excluded.watermark_key > watermark_key`;

/** Forgets the applied records the watermark covers. */
export const SYNC_APPLIED_FORGET = `DELETE FROM ${APPLIED} WHERE stream = ? AND position_key <= ?`;

/** The stream's counts, per table. */
export const SYNC_COUNTS_SELECT = `SELECT table_name, inserts, updates, deletes FROM ${COUNTS} WHERE stream = ? ORDER BY table_name`;

/** Removes one stream's rows from each sync table. */
export const SYNC_FORGET = [STATE, APPLIED, COUNTS].map((table) => `DELETE FROM ${table} WHERE stream = ?`);

/** Whether any stream still has a record. */
export const SYNC_ANY_LEFT = `SELECT (SELECT count(*) FROM ${STATE}) + (SELECT count(*) FROM ${APPLIED}) + (SELECT count(*) FROM ${COUNTS})`;

/** Drops the sync tables once no stream is left. */
export const SYNC_DROP = `DROP TABLE ${STATE}; DROP TABLE ${APPLIED}; DROP TABLE ${COUNTS}`;

/** The primary key's columns in key order (`pk` > 0), INTEGER PRIMARY KEY included. https://www.sqlite.org/pragma.html#pragma_table_info */
export const PRIMARY_KEY_COLUMNS = 'SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk';

/** The columns of each unique, not partial index. https://www.sqlite.org/pragma.html#pragma_index_list */
export const UNIQUE_INDEX_COLUMNS = `SELECT l.name AS index_name, i.name AS column_name
FROM pragma_index_list(?) l JOIN pragma_index_info(l.name) i
WHERE l."unique" = 1 AND l.partial = 0 ORDER BY l.name, i.seqno`;
