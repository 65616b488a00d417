/**
 * The SQL of the MariaDB/MySQL applier (apply.ts): the sync tables (cdc/applier.ts SYNC_*) and the
 * catalog rows its statements are built from. Binary collation: stream names and position keys
 * compare by their bytes, as the contract says, and table names are case-sensitive here.
 */
import { SYNC_APPLIED_TABLE, SYNC_COUNTS_TABLE, SYNC_STATE_TABLE } from '../../cdc/applier.js';
import { quoteIdentifier } from './sql.js';

const STATE = quoteIdentifier(SYNC_STATE_TABLE);
const APPLIED = quoteIdentifier(SYNC_APPLIED_TABLE);
const COUNTS = quoteIdentifier(SYNC_COUNTS_TABLE);

/** The stream's watermark: every transaction at or before it is applied. */
export const SYNC_STATE_CREATE = `CREATE TABLE IF NOT EXISTS ${STATE} (
  stream VARCHAR(255) NOT NULL PRIMARY KEY,
  watermark_key VARCHAR(255) NOT NULL,
  watermark LONGTEXT NOT NULL,
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/** The transactions applied above the watermark, one row each. */
export const SYNC_APPLIED_CREATE = `CREATE TABLE IF NOT EXISTS ${APPLIED} (
  stream VARCHAR(255) NOT NULL,
  position_key VARCHAR(255) NOT NULL,
  applied_at DATETIME(6) NOT NULL,
  PRIMARY KEY (stream, position_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/** Changes applied per stream, table and session (cdc/count-lanes.ts). */
export const SYNC_COUNTS_CREATE = `CREATE TABLE IF NOT EXISTS ${COUNTS} (
  stream VARCHAR(255) NOT NULL,
  table_name VARCHAR(255) NOT NULL,
  inserts BIGINT UNSIGNED NOT NULL DEFAULT 0,
  updates BIGINT UNSIGNED NOT NULL DEFAULT 0,
  deletes BIGINT UNSIGNED NOT NULL DEFAULT 0,
  lane INT NOT NULL DEFAULT 0,
  PRIMARY KEY (stream, table_name, lane)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/** Whether the sync tables exist (the counts table is created last). */
export const SYNC_TABLES_EXIST = `SELECT 1 FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${SYNC_COUNTS_TABLE}'`;

/** The stream's watermark row, if any. */
export const SYNC_STATE_SELECT = `SELECT watermark_key, watermark FROM ${STATE} WHERE stream = ?`;

/** A row of SYNC_STATE_SELECT. */
export interface MysqlSyncStateRow {
  watermark_key: string;
  watermark: string;
}

/** The applied keys above a watermark (NULL: all), in order. */
export const SYNC_APPLIED_SELECT = `SELECT position_key FROM ${APPLIED}
WHERE stream = ? AND (? IS NULL OR position_key > ?) ORDER BY position_key`;

/** Records `count` applied transactions (stream, key per row), in the open transaction. */
export function syncAppliedInsert(count: number): string {
  const rows = Array.from({ length: count }, () => '(?, ?, UTC_TIMESTAMP(6))').join(', ');
  return `INSERT INTO ${APPLIED} (stream, position_key, applied_at) VALUES ${rows}`;
}

/** Adds the counts of `count` tables (stream, table, lane, inserts, updates, deletes per row) to a session's lane. */
export function syncCountsAdd(count: number): string {
  const rows = Array.from({ length: count }, () => '(?, ?, ?, ?, ?, ?)').join(', ');
  return `INSERT INTO ${COUNTS} (stream, table_name, lane, inserts, updates, deletes) VALUES ${rows}
ON DUPLICATE KEY UPDATE inserts = inserts + VALUES(inserts), updates = updates + VALUES(updates), deletes = deletes + VALUES(deletes)`;
}

/** Moves the watermark forward, never back (assignments run left to right: the key is set last). */
export const SYNC_STATE_UPSERT = `INSERT INTO ${STATE} (stream, watermark_key, watermark, updated_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6))
ON DUPLICATE KEY UPDATE
  watermark = IF(VALUES(watermark_key) > watermark_key, VALUES(watermark), watermark),
  updated_at = IF(VALUES(watermark_key) > watermark_key, VALUES(updated_at), updated_at),
  watermark_key = GREATEST(watermark_key, VALUES(watermark_key))`;

/** Forgets the applied records the watermark covers. */
export const SYNC_APPLIED_FORGET = `DELETE FROM ${APPLIED} WHERE stream = ? AND position_key <= ?`;

/** The stream's counts, per table. */
export const SYNC_COUNTS_SELECT = `SELECT table_name, SUM(inserts) AS inserts, SUM(updates) AS updates, SUM(deletes) AS deletes
FROM ${COUNTS} WHERE stream = ? GROUP BY table_name ORDER BY table_name`;

/** A row of SYNC_COUNTS_SELECT (BIGINT as text: bigNumberStrings). */
export interface MysqlSyncCountsRow {
  table_name: string;
  inserts: string | number;
  updates: string | number;
  deletes: string | number;
}

/** Removes one stream's rows from each sync table. */
export const SYNC_FORGET = [STATE, APPLIED, COUNTS].map((table) => `DELETE FROM ${table} WHERE stream = ?`);

/** Whether any stream still has a record. */
export const SYNC_ANY_LEFT = `SELECT (SELECT COUNT(*) FROM ${STATE}) + (SELECT COUNT(*) FROM ${APPLIED}) + (SELECT COUNT(*) FROM ${COUNTS}) AS n`;

/** Drops the sync tables once no stream is left. */
export const SYNC_DROP = `DROP TABLE IF EXISTS ${STATE}, ${APPLIED}, ${COUNTS}`;

/** The columns of each whole-column unique index of a table (prefix indexes left out). */
export const UNIQUE_KEY_COLUMNS = `SELECT INDEX_NAME AS index_name, COLUMN_NAME AS column_name, SUB_PART AS sub_part
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0
ORDER BY INDEX_NAME, SEQ_IN_INDEX`;

/** A row of UNIQUE_KEY_COLUMNS. https://mariadb.com/kb/en/information-schema-statistics-table/ */
export interface MysqlUniqueKeyRow {
  index_name: string;
  column_name: string;
  sub_part: number | string | null;
}

/** The warnings of the statement just run. */
export const SHOW_WARNINGS_LIMIT = 'SHOW WARNINGS LIMIT 3';
