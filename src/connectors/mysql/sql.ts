/**
 * MariaDB/MySQL SQL text: quoting helpers, the session settings, and the catalog queries with
 * an interface per catalog row. Every query reads the connection's current database (`DATABASE()`).
 */
import { PROGRESS_TABLE } from '../connector.js';

/** Quotes an identifier with backticks (a backtick inside is doubled). */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** Quotes a string literal for a session without NO_BACKSLASH_ESCAPES (Ferry's own sessions). */
export function quoteString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\0/g, '\\0')}'`;
}

/**
 * sql_mode of every Ferry session: strict for all engines, an explicit id 0 stays 0
 * (NO_AUTO_VALUE_ON_ZERO), no silent engine change, backslash escapes ON (no NO_BACKSLASH_ESCAPES),
 * zero dates allowed so a same-engine copy keeps `0000-00-00`.
 */
export const SESSION_SQL_MODE =
  'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION';

/**
 * Pins the session to UTC, utf8mb4 and Ferry's sql_mode; run once on every new connection. Explicit
 * TIMESTAMP defaults: otherwise older servers give a `TIMESTAMP NOT NULL` column a hidden
 * `DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP`.
 */
export const SESSION_SETUP = [
  `SET NAMES utf8mb4`,
  `SET SESSION time_zone = '+00:00', sql_mode = '${SESSION_SQL_MODE}', explicit_defaults_for_timestamp = 1`,
] as const;

/** `?binlog=off`: this session's writes skip the binary log (needs SUPER or BINLOG ADMIN). */
export const SESSION_NO_BINLOG = 'SET SESSION sql_log_bin = 0';

/** MySQL 8 caches information_schema.TABLES statistics (AUTO_INCREMENT); MariaDB has no such cache. */
export const MYSQL8_NO_STATS_CACHE = 'SET SESSION information_schema_stats_expiry = 0';

/** Product and version of the server, e.g. `10.11.19-MariaDB-0+deb12u1-log`. */
export const SELECT_VERSION = 'SELECT VERSION() AS version';

/** The current database, for stripping its name out of object definitions. */
export const SELECT_DATABASE = 'SELECT DATABASE() AS name';

/** The collation `DEFAULT CHARSET=utf8mb4` gives on this server (column collations differing from it are kept). */
export const SELECT_DEFAULT_UTF8MB4_COLLATION =
  "SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE CHARACTER_SET_NAME = 'utf8mb4' AND IS_DEFAULT = 'Yes'";

/** A row of information_schema.TABLES. https://mariadb.com/kb/en/information-schema-tables-table/ */
export interface MysqlTableRow {
  table_name: string;
  table_type: string;
  table_comment: string | null;
  auto_increment: string | number | null;
  table_rows: string | number | null;
  /** Bytes of the clustered index (the rows), from statistics; not exact. */
  data_length: string | number | null;
}

/** Base tables (and system-versioned ones) of the current database, with comment and next AUTO_INCREMENT. */
export const SELECT_TABLES = `SELECT TABLE_NAME AS table_name, TABLE_TYPE AS table_type, TABLE_COMMENT AS table_comment,
  AUTO_INCREMENT AS auto_increment, TABLE_ROWS AS table_rows, DATA_LENGTH AS data_length
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')
ORDER BY TABLE_NAME`;

/** A row of information_schema.COLUMNS. https://mariadb.com/kb/en/information-schema-columns-table/ */
export interface MysqlColumnRow {
  table_name: string;
  column_name: string;
  ordinal_position: number;
  column_default: string | null;
  is_nullable: 'YES' | 'NO';
  data_type: string;
  character_maximum_length: string | number | null;
  numeric_precision: string | number | null;
  numeric_scale: string | number | null;
  datetime_precision: string | number | null;
  collation_name: string | null;
  column_type: string;
  extra: string;
  column_comment: string;
  generation_expression: string | null;
}

/** Every column of the current database's tables, in ordinal order. */
export const SELECT_COLUMNS = `SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, ORDINAL_POSITION AS ordinal_position,
  COLUMN_DEFAULT AS column_default, IS_NULLABLE AS is_nullable, DATA_TYPE AS data_type,
  CHARACTER_MAXIMUM_LENGTH AS character_maximum_length, NUMERIC_PRECISION AS numeric_precision,
  NUMERIC_SCALE AS numeric_scale, DATETIME_PRECISION AS datetime_precision, COLLATION_NAME AS collation_name,
  COLUMN_TYPE AS column_type, EXTRA AS extra, COLUMN_COMMENT AS column_comment,
  GENERATION_EXPRESSION AS generation_expression
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, ORDINAL_POSITION`;

/** The columns of one table of the current database (the writer's view of its target). */
export const SELECT_TABLE_COLUMNS = `SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, ORDINAL_POSITION AS ordinal_position,
  COLUMN_DEFAULT AS column_default, IS_NULLABLE AS is_nullable, DATA_TYPE AS data_type,
  CHARACTER_MAXIMUM_LENGTH AS character_maximum_length, NUMERIC_PRECISION AS numeric_precision,
  NUMERIC_SCALE AS numeric_scale, DATETIME_PRECISION AS datetime_precision, COLLATION_NAME AS collation_name,
  COLUMN_TYPE AS column_type, EXTRA AS extra, COLUMN_COMMENT AS column_comment,
  GENERATION_EXPRESSION AS generation_expression
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?
ORDER BY ORDINAL_POSITION`;

/** A column-level CHECK of MariaDB. https://mariadb.com/kb/en/information-schema-check_constraints-table/ */
export interface MysqlCheckRow {
  table_name: string;
  constraint_name: string;
  check_clause: string;
}

/** MariaDB's column CHECKs: `json_valid(col)` marks a JSON column (MariaDB's JSON is LONGTEXT). */
export const SELECT_MARIADB_COLUMN_CHECKS = `SELECT TABLE_NAME AS table_name, CONSTRAINT_NAME AS constraint_name, CHECK_CLAUSE AS check_clause
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE() AND LEVEL = 'Column'`;

/** A row of information_schema.STATISTICS (one index column). https://mariadb.com/kb/en/information-schema-statistics-table/ */
export interface MysqlIndexColumnRow {
  table_name: string;
  index_name: string;
  seq_in_index: number;
  column_name: string | null;
  collation: string | null;
  sub_part: string | number | null;
  non_unique: string | number;
  index_type: string;
  expression: string | null;
}

/** Every index column of the current database, in index order (MariaDB: no functional key parts). */
export const SELECT_INDEX_COLUMNS_MARIADB = `SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, SEQ_IN_INDEX AS seq_in_index,
  COLUMN_NAME AS column_name, COLLATION AS collation, SUB_PART AS sub_part, NON_UNIQUE AS non_unique,
  INDEX_TYPE AS index_type, NULL AS expression
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`;

/** Every index column of the current database, in index order (MySQL 8: with functional key parts). */
export const SELECT_INDEX_COLUMNS_MYSQL = `SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, SEQ_IN_INDEX AS seq_in_index,
  COLUMN_NAME AS column_name, COLLATION AS collation, SUB_PART AS sub_part, NON_UNIQUE AS non_unique,
  INDEX_TYPE AS index_type, EXPRESSION AS expression
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`;

/**
 * One column of a foreign key with its actions: KEY_COLUMN_USAGE joined to REFERENTIAL_CONSTRAINTS.
 * https://mariadb.com/kb/en/information-schema-referential_constraints-table/
 */
export interface MysqlForeignKeyRow {
  table_name: string;
  constraint_name: string;
  column_name: string;
  ordinal_position: number;
  referenced_table_name: string;
  referenced_column_name: string;
  update_rule: string;
  delete_rule: string;
}

/** Foreign keys between tables of the current database, columns in key order. */
export const SELECT_FOREIGN_KEYS = `SELECT k.TABLE_NAME AS table_name, k.CONSTRAINT_NAME AS constraint_name, k.COLUMN_NAME AS column_name,
  k.ORDINAL_POSITION AS ordinal_position, k.REFERENCED_TABLE_NAME AS referenced_table_name,
  k.REFERENCED_COLUMN_NAME AS referenced_column_name, r.UPDATE_RULE AS update_rule, r.DELETE_RULE AS delete_rule
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_SCHEMA = DATABASE()
ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`;

/** A named object (view, trigger, routine, event, sequence) and, for triggers, its table. */
export interface MysqlObjectRow {
  name: string;
  kind: string;
  table_name: string | null;
}

/** Views of the current database. https://mariadb.com/kb/en/information-schema-views-table/ */
export const SELECT_VIEWS = `SELECT TABLE_NAME AS name, 'VIEW' AS kind, NULL AS table_name
FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME`;

/** Triggers of the current database, in firing order per table. */
export const SELECT_TRIGGERS = `SELECT TRIGGER_NAME AS name, 'TRIGGER' AS kind, EVENT_OBJECT_TABLE AS table_name
FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()
ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER`;

/** Stored functions and procedures of the current database (`kind` is FUNCTION or PROCEDURE). */
export const SELECT_ROUTINES = `SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS kind, NULL AS table_name
FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY ROUTINE_NAME`;

/** Scheduled events of the current database. */
export const SELECT_EVENTS = `SELECT EVENT_NAME AS name, 'EVENT' AS kind, NULL AS table_name
FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() ORDER BY EVENT_NAME`;

/** MariaDB sequences of the current database. */
export const SELECT_SEQUENCES = `SELECT TABLE_NAME AS name, 'SEQUENCE' AS kind, NULL AS table_name
FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'SEQUENCE' ORDER BY TABLE_NAME`;

/** The base tables of the current database among a list of names (case-sensitive check done by the caller). */
export const SELECT_EXISTING_TABLES = `SELECT TABLE_NAME AS table_name FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')`;

/** Turns foreign key checks off for a session that drops, truncates or bulk-loads (FKs come after the data). */
/** Index and foreign-key names a table has already (a resumed constraints phase skips them). */
export const SELECT_CONSTRAINT_NAMES = `SELECT INDEX_NAME AS name FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?
UNION SELECT CONSTRAINT_NAME AS name FROM information_schema.TABLE_CONSTRAINTS
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_TYPE = 'FOREIGN KEY'`;

export const FOREIGN_KEY_CHECKS_OFF = 'SET SESSION foreign_key_checks = 0';

/** Turns foreign key checks back on before a connection returns to the pool. */
export const FOREIGN_KEY_CHECKS_ON = 'SET SESSION foreign_key_checks = 1';

/**
 * Long network timeouts for streaming sessions: a reader paused by backpressure or a writer waiting
 * for its next batch must not be cut off by the server's 30/60-second defaults.
 */
export const STREAM_TIMEOUTS = 'SET SESSION net_write_timeout = 86400, net_read_timeout = 86400';

/** The server's warnings of the last statement, on the same connection. */
export const SHOW_WARNINGS = 'SHOW WARNINGS';

/** A row of SHOW WARNINGS. https://mariadb.com/kb/en/show-warnings/ */
export interface MysqlWarningRow {
  Level: string;
  Code: number;
  Message: string;
}

/** The SHOW CREATE statement of an object kind, with the result column that holds the definition. */
export const SHOW_CREATE: Record<string, { statement: string; column: string }> = {
  VIEW: { statement: 'SHOW CREATE VIEW', column: 'Create View' },
  TRIGGER: { statement: 'SHOW CREATE TRIGGER', column: 'SQL Original Statement' },
  FUNCTION: { statement: 'SHOW CREATE FUNCTION', column: 'Create Function' },
  PROCEDURE: { statement: 'SHOW CREATE PROCEDURE', column: 'Create Procedure' },
  EVENT: { statement: 'SHOW CREATE EVENT', column: 'Create Event' },
  SEQUENCE: { statement: 'SHOW CREATE SEQUENCE', column: 'Create Table' },
};

/** How long the snapshot's global read lock may wait for running statements, in seconds. */
export const SNAPSHOT_LOCK_WAIT_SECONDS = 10;

/** Bounds the wait of FLUSH TABLES WITH READ LOCK on the lock connection. */
export const SET_LOCK_WAIT_TIMEOUT = 'SET SESSION lock_wait_timeout = ?';

/** Stops every commit for the instant the snapshot and binlog position are taken (needs RELOAD). */
export const FLUSH_TABLES_WITH_READ_LOCK = 'FLUSH TABLES WITH READ LOCK';

/** Lets commits go again. */
export const UNLOCK_TABLES = 'UNLOCK TABLES';

/** The snapshot's isolation: every read of the transaction sees its first read view. */
export const SNAPSHOT_ISOLATION = 'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ';

/** Opens the snapshot's read view now (not at the first read), read only. */
export const START_CONSISTENT_SNAPSHOT = 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY';

/** The binlog file and position (no row when the binlog is off). MySQL 8.4 renamed it SHOW BINARY LOG STATUS. */
export const SHOW_MASTER_STATUS = 'SHOW MASTER STATUS';

/** SHOW MASTER STATUS for MySQL 8.4 and later. */
export const SHOW_BINARY_LOG_STATUS = 'SHOW BINARY LOG STATUS';

/** A row of SHOW MASTER STATUS. https://mariadb.com/kb/en/show-binlog-status/ */
export interface MysqlBinlogStatusRow {
  File: string;
  Position: string | number;
  /** MySQL only: the GTID set executed so far. */
  Executed_Gtid_Set?: string;
}

/** MariaDB's GTID position of the binlog (empty before the first GTID event). */
export const SELECT_GTID_BINLOG_POS = 'SELECT @@gtid_binlog_pos AS gtid';

/** Puts the lock connection's lock wait back to the server default before it returns to the pool. */
export const RESET_LOCK_WAIT_TIMEOUT = 'SET SESSION lock_wait_timeout = DEFAULT';

const PROGRESS = quoteIdentifier(PROGRESS_TABLE);

/**
 * Creates Ferry's progress table (connector.ts PROGRESS_TABLE): one row per chunk, recorded once.
 * Binary collation: table names are case-sensitive, and records sort by their bytes.
 */
export const PROGRESS_CREATE = `CREATE TABLE IF NOT EXISTS ${PROGRESS} (
  run_id VARCHAR(255) NOT NULL,
  table_name VARCHAR(64) NOT NULL,
  chunk_no INT UNSIGNED NOT NULL,
  key_range LONGTEXT NOT NULL,
  \`rows\` BIGINT UNSIGNED NOT NULL,
  bytes BIGINT UNSIGNED NOT NULL,
  written_at DATETIME(6) NOT NULL,
  PRIMARY KEY (run_id, table_name, chunk_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/** Records a chunk, in the transaction that loaded its rows; `written_at` in UTC. */
export const PROGRESS_INSERT = `INSERT INTO ${PROGRESS}
  (run_id, table_name, chunk_no, key_range, \`rows\`, bytes, written_at)
  VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))`;

/** Whether the progress table exists in the current database (a row when it does). */
export const PROGRESS_EXISTS = `SELECT 1 AS present FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${PROGRESS_TABLE}'`;

/** A row of the progress table as `recordedChunks` returns it. */
export interface MysqlProgressRow {
  run: string;
  table: string;
  chunk: number;
  range: string;
  rows: string | number;
  bytes: string | number;
}

/** The chunks a run recorded, by table and chunk number. */
export const PROGRESS_SELECT = `SELECT run_id AS run, table_name AS \`table\`, chunk_no AS chunk,
  key_range AS \`range\`, \`rows\`, bytes FROM ${PROGRESS} WHERE run_id = ? ORDER BY table_name, chunk_no`;

/** Ends the statement running on another connection (thread), leaving its transaction open. */
export function killQuery(threadId: number | null): string {
  if (threadId === null || !Number.isInteger(threadId)) throw new Error('the connection has no thread id');
  return `KILL QUERY ${threadId}`;
}

/**
 * What a MariaDB/MySQL primary wants to hear from a replica before COM_BINLOG_DUMP: that it reads
 * the events' CRC32 trailers, that it understands MariaDB GTID events (capability 4, so no fake
 * BEGIN queries stand in for them), and how often to send a heartbeat when idle (nanoseconds).
 */
export function binlogDumpSetup(heartbeatSeconds: number): string[] {
  return [
    'SET @master_binlog_checksum = @@global.binlog_checksum',
    'SET @mariadb_slave_capability = 4',
    `SET @master_heartbeat_period = ${Math.max(1, Math.round(heartbeatSeconds * 1e9))}`,
  ];
}

/** The binlog checksum the dump will carry (`CRC32` or `NONE`). */
export const SELECT_BINLOG_CHECKSUM = 'SELECT @@global.binlog_checksum AS checksum';

/** The binlog files the server keeps, with their sizes. https://mariadb.com/kb/en/show-binary-logs/ */
export const SHOW_BINARY_LOGS = 'SHOW BINARY LOGS';

/** A row of SHOW BINARY LOGS. */
export interface MysqlBinaryLogRow {
  Log_name: string;
  File_size: string | number;
}

/** Collation ids and their character sets, to decode the binlog's text columns. */
export const SELECT_COLLATION_CHARSETS =
  'SELECT ID AS id, CHARACTER_SET_NAME AS charset FROM information_schema.COLLATIONS';

/** The server settings change data capture needs (binlog_row_metadata is MariaDB 10.5+ / MySQL 8.0.1+). */
export const SELECT_CDC_SETTINGS =
  'SELECT @@GLOBAL.log_bin AS log_bin, @@GLOBAL.binlog_format AS binlog_format, @@GLOBAL.binlog_row_image AS binlog_row_image';

/** binlog_row_metadata, read apart: servers before MariaDB 10.5 / MySQL 8.0.1 do not know it. */
export const SELECT_BINLOG_ROW_METADATA = 'SELECT @@GLOBAL.binlog_row_metadata AS binlog_row_metadata';

/** Geometry from the binlog's WKB as the reader prints it (ST_AsText), by the server itself. */
export const SELECT_WKB_AS_TEXT = 'SELECT ST_AsText(ST_GeomFromWKB(?)) AS wkt';

/** MariaDB's binlog event compression (absent on MySQL). */
export const SELECT_BINLOG_COMPRESS = 'SELECT @@GLOBAL.log_bin_compress AS log_bin_compress';

/** MariaDB's INET6 from the 16 bytes the binlog stores, as the reader prints it. */
export const SELECT_INET6_TEXT = 'SELECT CAST(CAST(? AS BINARY(16)) AS INET6) AS ip';

/** Text in a character set Node cannot decode exactly as MariaDB does, converted by the server. */
export function convertTextSql(charset: string): string {
  return `SELECT CONVERT(CAST(? AS CHAR CHARACTER SET ${charset}) USING utf8mb4) AS text`;
}
