/**
 * The catalog queries and replication commands of change data capture (logical replication with
 * pgoutput). https://www.postgresql.org/docs/15/protocol-replication.html,
 * https://www.postgresql.org/docs/15/view-pg-replication-slots.html
 */
import { qualify, quoteIdent, quoteLiteral } from './identifiers.js';

/** A replication slot by name ($1), wherever its database; LSNs in the server's `X/Y` text. */
export const SLOT_STATE = `
SELECT s.slot_name AS name, s.plugin, s.slot_type AS type, s.database, s.active, s.active_pid AS pid,
       s.confirmed_flush_lsn::text AS confirmed_flush, s.restart_lsn::text AS restart,
       s.database = current_database() AS here
FROM pg_replication_slots s WHERE s.slot_name = $1`;

/** https://www.postgresql.org/docs/15/view-pg-replication-slots.html */
export interface SlotRow {
  name: string;
  plugin: string | null;
  type: string;
  database: string | null;
  active: boolean;
  pid: number | null;
  confirmed_flush: string | null;
  restart: string | null;
  here: boolean;
}

/** The tables of schema $2 that publication $1 holds; no row at all when the publication is missing. */
export const PUBLICATION_TABLES = `
SELECT p.pubname AS publication, t.tablename AS table
FROM pg_publication p LEFT JOIN pg_publication_tables t ON t.pubname = p.pubname AND t.schemaname = $2
WHERE p.pubname = $1`;

/** A row of PUBLICATION_TABLES (`table` null for a publication without tables in the schema). */
export interface PublicationTableRow {
  publication: string;
  table: string | null;
}

/**
 * Creates the stream's publication for the tables of `schema` (none: an empty one, tables come
 * later). A partitioned table's changes are published as its own, as introspection describes it.
 */
export function createPublication(publication: string, schema: string, tables: string[]): string {
  const list =
    tables.length > 0 ? ` FOR TABLE ${tables.map((name) => qualify(schema, name)).join(', ')}` : '';
  return `CREATE PUBLICATION ${quoteIdent(publication)}${list} WITH (publish_via_partition_root = true)`;
}

/** Adds tables of `schema` to the stream's publication. */
export function addToPublication(publication: string, schema: string, tables: string[]): string {
  return `ALTER PUBLICATION ${quoteIdent(publication)} ADD TABLE ${tables.map((name) => qualify(schema, name)).join(', ')}`;
}

/** Removes the stream's publication, if there is one. */
export function dropPublication(publication: string): string {
  return `DROP PUBLICATION IF EXISTS ${quoteIdent(publication)}`;
}

/**
 * Creates the logical slot and exports the snapshot it starts at (PostgreSQL 15 syntax), valid
 * until this replication connection runs its next command. `slot` is already a plain name.
 */
export function createReplicationSlot(slot: string): string {
  return `CREATE_REPLICATION_SLOT ${slot} LOGICAL pgoutput (SNAPSHOT 'export')`;
}

/** A row of CREATE_REPLICATION_SLOT. */
export interface CreatedSlotRow {
  slot_name: string;
  consistent_point: string;
  snapshot_name: string;
  output_plugin: string;
}

/** Streams the slot's changes from `lsn` (`X/Y`), pgoutput protocol 1, for one publication. */
export function startReplication(slot: string, lsn: string, publication: string): string {
  return `START_REPLICATION SLOT ${slot} LOGICAL ${lsn} (proto_version '1', publication_names ${quoteLiteral(publication)})`;
}

/** Ends the walsender that holds slot $1, if one does. */
export const TERMINATE_SLOT_HOLDER = `
SELECT pg_terminate_backend(active_pid) AS terminated
FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL`;

/** Drops slot $1 (it must not be active). */
export const DROP_SLOT = 'SELECT pg_drop_replication_slot($1)';

/** The server's newest WAL position and the WAL that slot $1 keeps, in bytes. */
export const STREAM_BACKLOG = `
SELECT pg_current_wal_lsn()::text AS head,
       COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::float8 AS retained
FROM pg_replication_slots WHERE slot_name = $1`;

/** A row of STREAM_BACKLOG. */
export interface BacklogRow {
  head: string;
  retained: number;
}

/**
 * The native type text of Relation-message columns (type OIDs $1, typmods $2, in order), spelled
 * as introspection spells `Column.nativeType` (a domain as its base type).
 */
export const RELATION_TYPE_NAMES = `
SELECT CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod)
            ELSE format_type(t.oid, c.typmod) END AS native_type
FROM unnest($1::oid[], $2::int4[]) WITH ORDINALITY c(oid, typmod, ord)
LEFT JOIN pg_type t ON t.oid = c.oid
ORDER BY c.ord`;

/** A row of RELATION_TYPE_NAMES (null for a type that no longer exists). */
export interface RelationTypeNameRow {
  native_type: string | null;
}
