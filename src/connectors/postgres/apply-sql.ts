/**
 * The SQL of the PostgreSQL applier (apply.ts): the session setting, the sync tables
 * (cdc/applier.ts SYNC_*) and the catalog rows the statements are built from. `%s`/`%a`/`%c` stand
 * for the quoted qualified names of the state, applied and counts tables. Position keys compare
 * under `COLLATE "C"`: plain byte order, as the contract says, whatever the database's collation.
 */

/** Skips triggers and foreign-key checks in this session: the source already ran them. Needs superuser or `GRANT SET ON PARAMETER`. */
export const REPLICA_ROLE = 'SET session_replication_role = replica';

/** Gives the pooled connection back as it was. */
export const DEFAULT_ROLE = 'SET session_replication_role = DEFAULT';

/** SQLSTATE 42501 insufficient_privilege. */
export const INSUFFICIENT_PRIVILEGE = '42501';

/** The stream's watermark: every transaction at or before it is applied. */
export const SYNC_STATE_CREATE = `CREATE TABLE IF NOT EXISTS %s (
  stream text COLLATE "C" PRIMARY KEY,
  watermark_key text COLLATE "C" NOT NULL,
  watermark text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
)`;

/** The transactions applied above the watermark, one row each. */
export const SYNC_APPLIED_CREATE = `CREATE TABLE IF NOT EXISTS %a (
  stream text COLLATE "C" NOT NULL,
  position_key text COLLATE "C" NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream, position_key)
)`;

/** Changes applied per stream, table and session (cdc/count-lanes.ts). */
export const SYNC_COUNTS_CREATE = `CREATE TABLE IF NOT EXISTS %c (
  stream text COLLATE "C" NOT NULL,
  table_name text COLLATE "C" NOT NULL,
  inserts bigint NOT NULL DEFAULT 0,
  updates bigint NOT NULL DEFAULT 0,
  deletes bigint NOT NULL DEFAULT 0,
  lane integer NOT NULL DEFAULT 0,
  PRIMARY KEY (stream, table_name, lane)
)`;

/** The stream's watermark row, if any. */
export const SYNC_STATE_SELECT = 'SELECT watermark_key, watermark FROM %s WHERE stream = $1';

/** A row of SYNC_STATE_SELECT. */
export interface SyncStateRow {
  watermark_key: string;
  watermark: string;
}

/** The applied keys above a watermark (`$2` NULL: all), in order. */
export const SYNC_APPLIED_SELECT = `SELECT position_key FROM %a
WHERE stream = $1 AND ($2::text IS NULL OR position_key > $2::text COLLATE "C")
ORDER BY position_key`;

/**
 * Records the applied transactions (`$2`, keys) and adds the counts per table (`$4`–`$7`, arrays
 * in one order) to the session's lane (`$3`), in one statement of the open transaction.
 */
export const SYNC_RECORD = `WITH applied AS (
  INSERT INTO %a (stream, position_key) SELECT $1, key FROM unnest($2::text[]) AS k(key)
)
INSERT INTO %c AS c (stream, table_name, lane, inserts, updates, deletes)
SELECT $1, t.name, $3, t.inserts, t.updates, t.deletes
FROM unnest($4::text[], $5::bigint[], $6::bigint[], $7::bigint[]) AS t(name, inserts, updates, deletes)
ON CONFLICT (stream, table_name, lane) DO UPDATE SET
  inserts = c.inserts + EXCLUDED.inserts, updates = c.updates + EXCLUDED.updates, deletes = c.deletes + EXCLUDED.deletes`;

/** Moves the watermark forward (never back). */
export const SYNC_STATE_UPSERT = `INSERT INTO %s AS s (stream, watermark_key, watermark) VALUES ($1, $2, $3)
ON CONFLICT (stream) DO UPDATE SET watermark_key = EXCLUDED.watermark_key, watermark = EXCLUDED.watermark, updated_at = now()
WHERE s.watermark_key < EXCLUDED.watermark_key`;

/** Forgets the applied records the watermark covers. */
export const SYNC_APPLIED_FORGET =
  'DELETE FROM %a WHERE stream = $1 AND position_key <= $2::text COLLATE "C"';

/** The stream's counts, per table. */
export const SYNC_COUNTS_SELECT = `SELECT table_name, sum(inserts)::text AS inserts, sum(updates)::text AS updates,
  sum(deletes)::text AS deletes
FROM %c WHERE stream = $1 GROUP BY table_name ORDER BY table_name`;

/** A row of SYNC_COUNTS_SELECT (bigint as text). */
export interface SyncCountsRow {
  table_name: string;
  inserts: string;
  updates: string;
  deletes: string;
}

/** Whether any stream still has a record in one of the sync tables. */
export const SYNC_ANY_LEFT = `SELECT (SELECT count(*) FROM %s) + (SELECT count(*) FROM %a) + (SELECT count(*) FROM %c) AS n`;

/**
 * Per column of a target table: the type to cast a bound value to (the column's own type by its
 * qualified internal name, so no typmod is implied: `bpchar`, not `character` = char(1)), and the
 * base type's name (whether values compare with `=`).
 */
export const APPLY_COLUMNS = `
SELECT a.attname AS name,
       quote_ident(tn.nspname) || '.' || quote_ident(t.typname) AS cast_type,
       bt.typname AS base_type
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

/** A row of APPLY_COLUMNS. */
export interface ApplyColumnRow {
  name: string;
  cast_type: string;
  base_type: string;
}

/**
 * The key columns of each unique index `ON CONFLICT` can infer: immediate, not partial, no
 * expressions (INCLUDE columns left out).
 * https://www.postgresql.org/docs/15/sql-insert.html#SQL-ON-CONFLICT
 */
export const UNIQUE_KEYS = `
SELECT array_agg(a.attname::text ORDER BY k.ord) AS columns
FROM pg_index i
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indimmediate
  AND i.indpred IS NULL AND i.indexprs IS NULL AND k.ord <= i.indnkeyatts
GROUP BY i.indexrelid`;

/** Base types without an `=` operator: a whole-row identity compares their text. */
export const NO_EQUALITY_TYPES = new Set([
  'json',
  'xml',
  'point',
  'line',
  'lseg',
  'box',
  'path',
  'polygon',
  'circle',
]);
