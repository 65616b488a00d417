/** The embedded state file's tables (SQLite), one statement each. */

/** Bumped when the tables change shape: an older file is refused with a message, never misread. */
export const STATE_VERSION = '1';

/** Creates the tables of an empty state file. */
export const CREATE_STATE_TABLES = `
CREATE TABLE IF NOT EXISTS ferry_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ferry_run (
  id TEXT PRIMARY KEY, plan_name TEXT NOT NULL, identity TEXT NOT NULL,
  started_at TEXT NOT NULL, updated_at TEXT NOT NULL, status TEXT NOT NULL,
  attempts INTEGER NOT NULL, phase TEXT, pid INTEGER, finished_at TEXT, report TEXT);
CREATE TABLE IF NOT EXISTS ferry_phase (name TEXT PRIMARY KEY, begun_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ferry_created (target_table TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS ferry_snapshot (seq INTEGER PRIMARY KEY, taken_at TEXT NOT NULL, position TEXT);
CREATE TABLE IF NOT EXISTS ferry_table (
  name TEXT PRIMARY KEY, ord INTEGER NOT NULL, target_table TEXT NOT NULL, key TEXT,
  chunks INTEGER NOT NULL, estimated_rows INTEGER, status TEXT NOT NULL, error TEXT,
  started_at TEXT, finished_at TEXT);
CREATE TABLE IF NOT EXISTS ferry_chunk (
  table_name TEXT NOT NULL, chunk INTEGER NOT NULL, range TEXT NOT NULL, done INTEGER NOT NULL,
  rows INTEGER NOT NULL, bytes INTEGER NOT NULL, snapshot INTEGER, done_at TEXT,
  PRIMARY KEY (table_name, chunk));
CREATE TABLE IF NOT EXISTS ferry_sync (id INTEGER PRIMARY KEY CHECK (id = 1), progress TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ferry_cutover (
  id INTEGER PRIMARY KEY CHECK (id = 1), request TEXT NOT NULL, requested_at TEXT NOT NULL,
  status TEXT NOT NULL, updated_at TEXT NOT NULL, result TEXT);
`;

/** Everything a `--restart` forgets. */
export const CLEAR_STATE = `
DELETE FROM ferry_run; DELETE FROM ferry_phase; DELETE FROM ferry_created;
DELETE FROM ferry_snapshot; DELETE FROM ferry_table; DELETE FROM ferry_chunk;
DELETE FROM ferry_sync; DELETE FROM ferry_cutover;
`;

export const SELECT_VERSION = `SELECT value FROM ferry_meta WHERE key = 'version'`;
export const INSERT_VERSION = `INSERT OR IGNORE INTO ferry_meta (key, value) VALUES ('version', ?)`;
export const SELECT_RUN = 'SELECT * FROM ferry_run LIMIT 1';
export const INSERT_RUN = `INSERT INTO ferry_run (id, plan_name, identity, started_at, updated_at, status, attempts)
VALUES (?, ?, ?, ?, ?, 'running', 0)`;
export const BEGIN_ATTEMPT = `UPDATE ferry_run SET attempts = attempts + 1, pid = ?, status = 'running',
updated_at = ?, finished_at = NULL, report = NULL`;
export const SET_PHASE = 'UPDATE ferry_run SET phase = ?, updated_at = ?';
export const INSERT_PHASE = 'INSERT OR IGNORE INTO ferry_phase (name, begun_at) VALUES (?, ?)';
export const SELECT_PHASES = 'SELECT name FROM ferry_phase';
export const INSERT_CREATED = 'INSERT OR IGNORE INTO ferry_created (target_table) VALUES (?)';
export const SELECT_CREATED = 'SELECT target_table FROM ferry_created ORDER BY target_table';
export const INSERT_SNAPSHOT = 'INSERT INTO ferry_snapshot (taken_at, position) VALUES (?, ?)';
export const SELECT_SNAPSHOTS = 'SELECT seq, taken_at, position FROM ferry_snapshot ORDER BY seq';
export const INSERT_TABLE = `INSERT OR REPLACE INTO ferry_table (name, ord, target_table, key, chunks, estimated_rows, status)
VALUES (?, (SELECT COUNT(*) FROM ferry_table), ?, ?, ?, ?, 'pending')`;
export const DELETE_CHUNKS_OF = 'DELETE FROM ferry_chunk WHERE table_name = ?';
export const INSERT_CHUNK = `INSERT INTO ferry_chunk (table_name, chunk, range, done, rows, bytes)
VALUES (?, ?, ?, 0, 0, 0)`;
export const SELECT_TABLES = 'SELECT * FROM ferry_table ORDER BY ord';
export const SELECT_CHUNKS = 'SELECT * FROM ferry_chunk WHERE table_name = ? ORDER BY chunk';
export const SELECT_DONE_CHUNKS = 'SELECT * FROM ferry_chunk WHERE done = 1 ORDER BY table_name, chunk';
export const START_TABLE = `UPDATE ferry_table SET status = 'copying', started_at = COALESCE(started_at, ?)
WHERE name = ? AND status <> 'copied'`;
export const CHUNK_DONE = `UPDATE ferry_chunk SET done = 1, rows = ?, bytes = ?, snapshot = ?, done_at = ?
WHERE table_name = ? AND chunk = ? AND done = 0`;
export const TABLE_DONE = `UPDATE ferry_table SET status = ?, error = ?, finished_at = ? WHERE name = ?`;
export const FINISH_RUN = 'UPDATE ferry_run SET status = ?, report = ?, finished_at = ?, updated_at = ?';
export const TOUCH_RUN = 'UPDATE ferry_run SET updated_at = ?';
export const UPSERT_SYNC = 'INSERT OR REPLACE INTO ferry_sync (id, progress) VALUES (1, ?)';
/** Files written before change data capture have no sync tables: read as empty. */
export const HAS_SYNC_TABLES = `SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('ferry_sync', 'ferry_cutover')`;
export const SELECT_SYNC = 'SELECT progress FROM ferry_sync WHERE id = 1';
export const UPSERT_CUTOVER = `INSERT OR REPLACE INTO ferry_cutover (id, request, requested_at, status, updated_at, result)
VALUES (1, ?, ?, 'requested', ?, NULL)`;
export const SELECT_CUTOVER = 'SELECT * FROM ferry_cutover WHERE id = 1';
export const SET_CUTOVER_STATUS =
  'UPDATE ferry_cutover SET status = ?, updated_at = ?, result = ? WHERE id = 1';
