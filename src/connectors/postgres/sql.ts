/**
 * PostgreSQL catalog queries and session statements, as named constants with one purpose each,
 * and the row shapes they return. Catalog reference: https://www.postgresql.org/docs/15/catalogs.html
 */

/** Pins every setting that changes how values print, so COPY text is the same on every server. */
export const SESSION_SETUP = [
  "SET TimeZone = 'UTC'",
  "SET DateStyle = 'ISO, YMD'",
  "SET IntervalStyle = 'postgres'",
  // 1 = shortest text that reads back to the same float (PostgreSQL 12+).
  'SET extra_float_digits = 1',
  "SET bytea_output = 'hex'",
  // money prints with the locale's symbols: one locale on every server keeps its text portable.
  "SET lc_monetary = 'C'",
  'SET standard_conforming_strings = on',
  // UTF-8 text, converted by the server; a SQL_ASCII database stores bytes without an encoding, and
  // a UTF8 client would make the server refuse any that are not UTF-8 before Ferry can apply the
  // invalid-text policy, so there the bytes come as they are and the reader checks them.
  "SELECT set_config('client_encoding', CASE current_setting('server_encoding') WHEN 'SQL_ASCII' THEN 'SQL_ASCII' ELSE 'UTF8' END, false)",
].join('; ');

/** The server's version string, e.g. `15.19 (Debian 15.19-0+deb12u1)`. */
export const SERVER_VERSION = 'SHOW server_version';

/**
 * Base and partitioned tables of a schema (partitions excluded: their rows are read through the
 * parent), with their statistics: rows, and bytes as the pages of the table, its TOAST table and
 * its partitions or children at the last VACUUM/ANALYZE (catalog only: no lock, no file access).
 */
export const TABLES = `
SELECT c.oid::int8::text AS oid, c.relname AS name, obj_description(c.oid, 'pg_class') AS comment,
       c.reltuples::float8 AS reltuples,
       ((WITH RECURSIVE tree(oid) AS (
           SELECT c.oid UNION ALL SELECT i.inhrelid FROM pg_inherits i JOIN tree ON i.inhparent = tree.oid)
         SELECT sum(r.relpages::int8 + COALESCE(t.relpages, 0))
         FROM tree JOIN pg_class r ON r.oid = tree.oid LEFT JOIN pg_class t ON t.oid = r.reltoastrelid)
        * current_setting('block_size')::int8)::float8 AS relbytes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
ORDER BY c.relname`;

/** https://www.postgresql.org/docs/15/catalog-pg-class.html */
export interface TableRow {
  oid: string;
  name: string;
  comment: string | null;
  reltuples: number;
  relbytes: number;
}

/** Columns of the given tables with type facts (domains resolved to their base type), defaults and identity. */
export const COLUMNS = `
SELECT a.attrelid::int8::text AS table_oid, a.attname AS name,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod)
            ELSE format_type(a.atttypid, a.atttypmod) END AS native_type,
       bt.typname AS type_name, bt.typtype AS type_type, bt.typcategory AS type_category,
       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
       CASE WHEN bt.typtype = 'e' THEN ARRAY(
         SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = bt.oid ORDER BY e.enumsortorder)
       END AS enum_labels,
       a.attnotnull AS not_null, a.attidentity AS identity, a.attgenerated AS generated,
       pg_get_expr(d.adbin, d.adrelid) AS default_expr,
       col_description(a.attrelid, a.attnum) AS comment,
       CASE WHEN a.attcollation <> 0 AND a.attcollation <> bt.typcollation THEN co.collname::text END AS collation,
       pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) AS sequence
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`;

/** https://www.postgresql.org/docs/15/catalog-pg-attribute.html */
export interface ColumnRow {
  table_oid: string;
  name: string;
  native_type: string;
  type_name: string;
  /** pg_type.typtype: b base, e enum, c composite, r range, m multirange, p pseudo. */
  type_type: string;
  /** pg_type.typcategory: A array, … */
  type_category: string;
  typmod: number;
  enum_labels: string[] | null;
  not_null: boolean;
  /** '' none, 'a' GENERATED ALWAYS, 'd' BY DEFAULT. */
  identity: string;
  /** '' none, 's' stored. */
  generated: string;
  default_expr: string | null;
  comment: string | null;
  collation: string | null;
  /** The owned sequence (serial or identity), quoted and qualified. */
  sequence: string | null;
}

/** The columns of one table of a schema ($1 schema, $2 table) with their type facts, for the writer. */
export const TARGET_COLUMNS = `
SELECT a.attname AS name,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod)
            ELSE format_type(a.atttypid, a.atttypmod) END AS native_type,
       bt.typname AS type_name, bt.typtype AS type_type, bt.typcategory AS type_category,
       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
       CASE WHEN bt.typtype = 'e' THEN ARRAY(
         SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = bt.oid ORDER BY e.enumsortorder)
       END AS enum_labels,
       a.attnotnull AS not_null
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

/** https://www.postgresql.org/docs/15/catalog-pg-attribute.html */
export type TargetColumnRow = Pick<
  ColumnRow,
  'name' | 'native_type' | 'type_name' | 'type_type' | 'type_category' | 'typmod' | 'enum_labels' | 'not_null'
>;

/** Primary keys of the given tables, columns in key order. */
export const PRIMARY_KEYS = `
SELECT con.conrelid::int8::text AS table_oid, con.conname AS name,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
FROM pg_constraint con
WHERE con.contype = 'p' AND con.conrelid = ANY($1::oid[])`;

/** https://www.postgresql.org/docs/15/catalog-pg-constraint.html */
export interface PrimaryKeyRow {
  table_oid: string;
  name: string;
  columns: string[];
}

/**
 * Secondary indexes of the given tables (not the primary key's), with their key columns in order,
 * their directions, the full definition, and the unique or exclusion constraint they back.
 */
export const INDEXES = `
SELECT i.indrelid::int8::text AS table_oid, ic.relname AS name, i.indisunique AS is_unique,
       (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL OR am.amname <> 'btree') AS complex,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) AS columns,
       ARRAY(SELECT (o.opt & 1) = 1 FROM unnest(i.indoption::int2[]) WITH ORDINALITY o(opt, ord)
             ORDER BY o.ord) AS descending,
       pg_get_indexdef(i.indexrelid) AS definition,
       con.conname AS constraint_name,
       pg_get_constraintdef(con.oid) AS constraint_def
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('u', 'x')
WHERE i.indrelid = ANY($1::oid[]) AND NOT i.indisprimary AND i.indisvalid
ORDER BY ic.relname`;

/** https://www.postgresql.org/docs/15/catalog-pg-index.html */
export interface IndexRow {
  table_oid: string;
  name: string;
  is_unique: boolean;
  /** Expression, partial or non-btree: carried by definition only. */
  complex: boolean;
  columns: string[];
  descending: boolean[];
  definition: string;
  constraint_name: string | null;
  constraint_def: string | null;
}

/** Foreign keys of the given tables, columns in key order. */
export const FOREIGN_KEYS = `
SELECT con.conrelid::int8::text AS table_oid, con.conname AS name, rc.relname AS referenced_table,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)
         AS referenced_columns,
       con.confdeltype AS on_delete, con.confupdtype AS on_update
FROM pg_constraint con JOIN pg_class rc ON rc.oid = con.confrelid
WHERE con.contype = 'f' AND con.conrelid = ANY($1::oid[])
ORDER BY con.conname`;

/** https://www.postgresql.org/docs/15/catalog-pg-constraint.html */
export interface ForeignKeyRow {
  table_oid: string;
  name: string;
  referenced_table: string;
  columns: string[];
  referenced_columns: string[];
  /** a no action, r restrict, c cascade, n set null, d set default. */
  on_delete: string;
  on_update: string;
}

/** A sequence's position and step; `%s` is the sequence's quoted qualified name. */
export const SEQUENCE_STATE = `
SELECT s.last_value::text AS last_value, s.is_called, p.seqincrement::text AS increment
FROM %s s, pg_sequence p WHERE p.seqrelid = $1::regclass`;

/** https://www.postgresql.org/docs/15/sequence-manipulation.html */
export interface SequenceRow {
  last_value: string;
  is_called: boolean;
  increment: string;
}

/** Views and materialized views of a schema (not extension members). */
export const VIEWS = `
SELECT c.relname AS name, c.relkind AS kind, pg_get_viewdef(c.oid) AS definition,
       array_to_string(c.reloptions, ', ') AS options
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('v', 'm')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY c.relname`;

/** https://www.postgresql.org/docs/15/catalog-pg-class.html */
export interface ViewRow {
  name: string;
  /** v view, m materialized view. */
  kind: string;
  definition: string;
  options: string | null;
}

/** User triggers of a schema's tables (optionally only the named tables), with their function's definition. */
export const TRIGGERS = `
SELECT t.tgname AS name, c.relname AS table, pg_get_triggerdef(t.oid) AS definition,
       pg_get_functiondef(t.tgfoid) AS function_def
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND NOT t.tgisinternal AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
ORDER BY c.relname, t.tgname`;

/** https://www.postgresql.org/docs/15/catalog-pg-trigger.html */
export interface TriggerRow {
  name: string;
  table: string;
  definition: string;
  function_def: string;
}

/**
 * Functions and procedures of a schema, not extension members (aggregates and window functions
 * left out), nor trigger functions that a trigger uses: those travel with the trigger's definition.
 */
export const ROUTINES = `
SELECT p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args,
       pg_get_functiondef(p.oid) AS definition,
       count(*) OVER (PARTITION BY p.proname) AS overloads
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = $1 AND p.prokind IN ('f', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgfoid = p.oid AND NOT t.tgisinternal)
ORDER BY p.proname, args`;

/** https://www.postgresql.org/docs/15/catalog-pg-proc.html */
export interface RoutineRow {
  name: string;
  args: string;
  definition: string;
  overloads: string;
}

/** Sequences of a schema that no column owns (serial and identity sequences travel with their column). */
export const SEQUENCES = `
SELECT c.relname AS name, format_type(s.seqtypid, NULL) AS data_type, s.seqstart::text AS start,
       s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max,
       s.seqcache::text AS cache, s.seqcycle AS cycle
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence s ON s.seqrelid = c.oid
WHERE n.nspname = $1 AND c.relkind = 'S'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.deptype IN ('a', 'i', 'e'))
ORDER BY c.relname`;

/** https://www.postgresql.org/docs/15/catalog-pg-sequence.html */
export interface StandaloneSequenceRow {
  name: string;
  data_type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
}

/** Which of the named tables exist in the schema. */
export const EXISTING_TABLES = `
SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname = ANY($2::text[])`;

/** The names of the schema's tables, as TABLES lists them (no partitions), for a sync's look for new tables. */
export const TABLE_NAMES = `
SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition`;

/** Whether an enum type of that name exists in the schema. */
export const TYPE_EXISTS = `
SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = $2`;

/**
 * Moves an owned sequence so that nextval returns max(source next value, highest value + 1):
 * $1 the quoted qualified table, $2 the column, $3 the source's next value or null; `%s` the
 * quoted column and table in the MAX subquery.
 */
export const SET_SEQUENCE = `
SELECT setval(pg_get_serial_sequence($1, $2),
  GREATEST(COALESCE($3::numeric, 1), (SELECT COALESCE(max(%s), 0) + 1 FROM %s))::int8, false)`;

/** Opens a transaction that sees one fixed snapshot: the coordinator's, or a reader's importing it. */
export const SNAPSHOT_BEGIN = 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY';

/** Exports the coordinator's snapshot with the WAL position and the time (UTC, ISO 8601) it stands at. */
export const SNAPSHOT_EXPORT = `
SELECT pg_export_snapshot() AS id, pg_current_wal_lsn()::text AS lsn,
       to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS taken_at`;

/** https://www.postgresql.org/docs/15/functions-admin.html#FUNCTIONS-SNAPSHOT-SYNCHRONIZATION */
export interface SnapshotRow {
  id: string;
  lsn: string;
  taken_at: string;
}

/** Makes the current transaction see an exported snapshot (no bind parameters in utility statements). */
export function setTransactionSnapshot(id: string): string {
  return `SET TRANSACTION SNAPSHOT '${id.replaceAll("'", "''")}'`;
}

/**
 * Creates Ferry's progress table (connector.ts PROGRESS_TABLE) where it is missing; `%s` is its
 * quoted qualified name. One row per chunk: recording a chunk twice breaks the primary key.
 */
export const PROGRESS_CREATE = `
CREATE TABLE IF NOT EXISTS %s (
  run_id text NOT NULL,
  table_name text NOT NULL,
  chunk_no integer NOT NULL,
  key_range text NOT NULL,
  "rows" bigint NOT NULL,
  bytes bigint NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, table_name, chunk_no)
)`;

/** Records a chunk, in the transaction that wrote its rows; `%s` is the table's quoted qualified name. */
export const PROGRESS_INSERT = `
INSERT INTO %s (run_id, table_name, chunk_no, key_range, "rows", bytes) VALUES ($1, $2, $3, $4, $5, $6)`;

/** The chunks a run recorded ($1), by table and chunk number; `%s` is the table's quoted qualified name. */
export const PROGRESS_SELECT = `
SELECT run_id AS run, table_name AS "table", chunk_no AS chunk, key_range AS range,
       "rows"::text AS rows, bytes::text AS bytes
FROM %s WHERE run_id = $1 ORDER BY table_name COLLATE "C", chunk_no`;

/** A row of PROGRESS_SELECT (bigints as text: pg has no exact number for them). */
export interface ProgressRow {
  run: string;
  table: string;
  chunk: number;
  range: string;
  rows: string;
  bytes: string;
}

/** Whether a relation of that name ($1, quoted and qualified) exists. */
export const RELATION_EXISTS = 'SELECT to_regclass($1) IS NOT NULL AS exists';

/** The database's character set: binary COPY moves text in it, so both sides must share it. */
export const SERVER_ENCODING = `SELECT current_setting('server_encoding') AS encoding`;

/**
 * Per column, whether its binary COPY form holds no database-specific type OID: built-in types
 * (OID below 16384, FirstNormalObjectId) and arrays of them, enums (sent as their label), and
 * domains over those. Arrays of user types and composites carry OIDs that differ between databases.
 */
export const BINARY_PORTABLE_COLUMNS = `
SELECT a.attname AS name,
       (bt.typtype = 'e'
        OR (bt.oid < 16384 AND (bt.typelem = 0 OR bt.typelem < 16384))) AS portable
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped`;

/** Row of BINARY_PORTABLE_COLUMNS. */
export interface BinaryPortableRow {
  name: string;
  portable: boolean;
}

/**
 * Index builds after the data sort in memory up to `maintenance_work_mem` (default 64 MB) and
 * spill to disk past it; 256 MB for the building session only keeps a big table's sort in memory.
 * Safe: it changes how fast an index is built, never what it holds.
 */
export const INDEX_BUILD_MEMORY = `SET maintenance_work_mem = '256MB'`;
export const RESET_INDEX_BUILD_MEMORY = 'RESET maintenance_work_mem';

/** Whether a table has its primary key already (a resumed constraints phase skips it). */
export const PRIMARY_KEY_EXISTS = `
SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND i.indisprimary`;
