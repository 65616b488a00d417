/**
 * Preflight privileges of a PostgreSQL side (Connector.checkAccess), read with the
 * `has_*_privilege` functions, which count role membership and ownership as the server does:
 * https://www.postgresql.org/docs/15/functions-info.html#FUNCTIONS-INFO-ACCESS
 */
import type pg from 'pg';
import type { AccessProblem, AccessRequest } from '../connector.js';
import { qualify, quoteIdent } from './identifiers.js';

/** The session's role and its privileges on the database and on the schema ($1) when it exists. */
export const ACCESS_SCHEMA = `
SELECT current_user AS role, current_database() AS database,
       has_database_privilege(current_database(), 'CREATE') AS database_create,
       n.oid IS NOT NULL AS schema_exists,
       CASE WHEN n.oid IS NOT NULL THEN has_schema_privilege(n.oid, 'USAGE') END AS schema_usage,
       CASE WHEN n.oid IS NOT NULL THEN has_schema_privilege(n.oid, 'CREATE') END AS schema_create
FROM (SELECT 1) one LEFT JOIN pg_namespace n ON n.nspname = $1`;

/** A row of ACCESS_SCHEMA. */
export interface AccessSchemaRow {
  role: string;
  database: string;
  database_create: boolean;
  schema_exists: boolean;
  schema_usage: boolean | null;
  schema_create: boolean | null;
}

/** The session's privileges on the named tables of schema $1 ($2), and whether it owns each (DROP). */
export const ACCESS_TABLES = `
SELECT c.relname AS name,
       has_table_privilege(c.oid, 'SELECT') AS can_select,
       has_table_privilege(c.oid, 'INSERT') AS can_insert,
       has_table_privilege(c.oid, 'TRUNCATE') AS can_truncate,
       pg_has_role(c.relowner, 'USAGE') AS owns,
       pg_get_userbyid(c.relowner) AS owner
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = ANY($2::text[])`;

/** A row of ACCESS_TABLES. */
export interface AccessTableRow {
  name: string;
  can_select: boolean;
  can_insert: boolean;
  can_truncate: boolean;
  owns: boolean;
  owner: string;
}

/**
 * The serial and identity sequences of the named tables of schema $1 ($2): introspection reads
 * their position (`SELECT last_value FROM seq`), which needs SELECT on the sequence.
 */
export const ACCESS_SEQUENCES = `
SELECT t.relname AS table, s.relname AS sequence, has_sequence_privilege(s.oid, 'SELECT') AS can_select
FROM pg_depend d
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.deptype IN ('a', 'i') AND n.nspname = $1 AND t.relname = ANY($2::text[])`;

/** A row of ACCESS_SEQUENCES. */
export interface AccessSequenceRow {
  table: string;
  sequence: string;
  can_select: boolean;
}

/** What change data capture needs of the server and the role (sync mode, source side). */
export const ACCESS_REPLICATION = `
SELECT current_setting('wal_level') AS wal_level,
       r.rolreplication OR r.rolsuper AS can_replicate,
       current_setting('max_replication_slots')::int AS max_slots,
       (SELECT count(*)::int FROM pg_replication_slots) AS used_slots,
       (SELECT count(*)::int FROM pg_replication_slots
         WHERE slot_name LIKE 'ferry\\_%' AND database = current_database()) AS ferry_slots,
       current_setting('max_wal_senders')::int AS max_senders,
       (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'walsender') AS used_senders
FROM pg_roles r WHERE r.rolname = current_user`;

/** A row of ACCESS_REPLICATION. */
export interface AccessReplicationRow {
  wal_level: string;
  can_replicate: boolean;
  max_slots: number;
  used_slots: number;
  /** Slots of Ferry's streams in this database: a resumed run reuses its own. */
  ferry_slots: number;
  max_senders: number;
  used_senders: number;
}

/**
 * How each named table of schema $1 ($2) identifies its rows in the change log: pg_class.relreplident
 * (d default = primary key, n nothing, f full, i index), and whether the key or index it needs exists.
 */
export const ACCESS_REPLICA_IDENTITY = `
SELECT c.relname AS name, c.relreplident AS identity,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_primary_key,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident) AS has_identity_index
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = ANY($2::text[])`;

/** A row of ACCESS_REPLICA_IDENTITY. */
export interface AccessReplicaIdentityRow {
  name: string;
  identity: string;
  has_primary_key: boolean;
  has_identity_index: boolean;
}

/**
 * Sync mode's needs on a source: logical WAL, a role that may replicate and create the stream's
 * publication, a free slot and WAL sender, and a row identity for every table's UPDATEs and DELETEs.
 */
async function checkReplicationAccess(
  client: pg.ClientBase,
  schema: string,
  facts: AccessSchemaRow,
  tables: AccessTableRow[],
  problems: AccessProblem[],
): Promise<void> {
  const role = `PostgreSQL role ${quoteIdent(facts.role)}`;
  const [server] = (await client.query<AccessReplicationRow>(ACCESS_REPLICATION)).rows;
  const add = (level: AccessProblem['level'], subject: string, need: string, message: string, fix: string) =>
    problems.push({ level, subject, need, message, fix });
  if (server && server.wal_level !== 'logical') {
    add(
      'error',
      'server',
      'wal_level',
      `wal_level is ${server.wal_level}: the change stream needs logical decoding`,
      'ALTER SYSTEM SET wal_level = logical; then restart the server',
    );
  }
  if (server && !server.can_replicate) {
    add(
      'error',
      'server',
      'REPLICATION',
      `${role} lacks the REPLICATION attribute: it cannot create or read a replication slot`,
      `ALTER ROLE ${quoteIdent(facts.role)} REPLICATION;`,
    );
  }
  if (server && server.used_slots >= server.max_slots) {
    // A resumed run streams from its own slot, which exists already.
    add(
      server.ferry_slots > 0 ? 'warning' : 'error',
      'server',
      'max_replication_slots',
      `all ${server.max_slots} replication slots are in use: the change stream needs one of its own`,
      'drop an unused slot (SELECT pg_drop_replication_slot(name)) or raise max_replication_slots and restart',
    );
  }
  if (server && server.used_senders >= server.max_senders) {
    add(
      'error',
      'server',
      'max_wal_senders',
      `all ${server.max_senders} WAL senders are busy: the change stream needs one replication connection`,
      'raise max_wal_senders and restart, or end an idle replication connection',
    );
  }
  const database = quoteIdent(facts.database);
  if (!facts.database_create) {
    add(
      'error',
      facts.database,
      'CREATE',
      `${role} lacks CREATE on database ${database}: the stream's publication cannot be created`,
      `GRANT CREATE ON DATABASE ${database} TO ${quoteIdent(facts.role)};`,
    );
  }
  for (const table of tables.filter((row) => !row.owns)) {
    add(
      'error',
      table.name,
      'ownership',
      `${role} does not own table ${qualify(schema, table.name)}: only its owner (${quoteIdent(table.owner)}) can add it to a publication`,
      `ALTER TABLE ${qualify(schema, table.name)} OWNER TO ${quoteIdent(facts.role)}; (or run as ${quoteIdent(table.owner)})`,
    );
  }
  const identities = (
    await client.query<AccessReplicaIdentityRow>(ACCESS_REPLICA_IDENTITY, [schema, tables.map((t) => t.name)])
  ).rows;
  for (const row of identities) {
    const identified =
      row.identity === 'f' ||
      (row.identity === 'd' && row.has_primary_key) ||
      (row.identity === 'i' && row.has_identity_index);
    if (identified) continue;
    const name = qualify(schema, row.name);
    const why =
      row.identity === 'n'
        ? 'it has REPLICA IDENTITY NOTHING'
        : row.identity === 'i'
          ? 'its replica identity index is gone'
          : 'it has no primary key';
    add(
      'error',
      row.name,
      'REPLICA IDENTITY',
      `table ${name} cannot be streamed: ${why}, so its UPDATEs and DELETEs carry no key (the server refuses them once it is published)`,
      `ALTER TABLE ${name} ADD PRIMARY KEY (…); or ALTER TABLE ${name} REPLICA IDENTITY FULL;`,
    );
  }
}

/** See Connector.checkAccess: what the session's role lacks in `schema` for `request`. */
export async function checkPostgresAccess(
  client: pg.ClientBase,
  schema: string,
  request: AccessRequest,
): Promise<AccessProblem[]> {
  const [facts] = (await client.query<AccessSchemaRow>(ACCESS_SCHEMA, [schema])).rows;
  if (!facts) return [];
  const tables = (await client.query<AccessTableRow>(ACCESS_TABLES, [schema, request.tables])).rows;
  const role = `PostgreSQL role ${quoteIdent(facts.role)}`;
  const problems: AccessProblem[] = [];
  const lack = (subject: string, need: string, on: string, why: string, fix: string) =>
    problems.push({ level: 'error', subject, need, message: `${role} lacks ${need} on ${on}: ${why}`, fix });
  const grantee = quoteIdent(facts.role);
  const schemaName = quoteIdent(schema);

  if (facts.schema_exists && facts.schema_usage === false) {
    lack(
      schema,
      'USAGE',
      `schema ${schemaName}`,
      'no table in it can be reached',
      `GRANT USAGE ON SCHEMA ${schemaName} TO ${grantee};`,
    );
  }
  if (request.role === 'source') {
    if (!facts.schema_exists) return problems;
    for (const table of tables.filter((row) => !row.can_select)) {
      lack(
        table.name,
        'SELECT',
        `table ${qualify(schema, table.name)}`,
        'its rows cannot be read',
        `GRANT SELECT ON ${qualify(schema, table.name)} TO ${grantee};`,
      );
    }
    const sequences = (await client.query<AccessSequenceRow>(ACCESS_SEQUENCES, [schema, request.tables]))
      .rows;
    for (const row of sequences.filter((sequence) => !sequence.can_select)) {
      lack(
        row.table,
        'SELECT',
        `sequence ${qualify(schema, row.sequence)}`,
        `the next value of table "${row.table}"'s numbering cannot be read`,
        `GRANT SELECT ON SEQUENCE ${qualify(schema, row.sequence)} TO ${grantee};`,
      );
    }
    if (request.mode === 'sync') await checkReplicationAccess(client, schema, facts, tables, problems);
    return problems;
  }

  const database = quoteIdent(facts.database);
  if (!facts.schema_exists) {
    if (!facts.database_create) {
      lack(
        schema,
        'CREATE',
        `database ${database}`,
        `schema ${schemaName} does not exist and cannot be created`,
        `GRANT CREATE ON DATABASE ${database} TO ${grantee}; (or CREATE SCHEMA ${schemaName} as its owner)`,
      );
    }
    return problems;
  }
  if (facts.schema_create === false) {
    lack(
      schema,
      'CREATE',
      `schema ${schemaName}`,
      "no table can be created there (nor Ferry's progress table)",
      `GRANT CREATE ON SCHEMA ${schemaName} TO ${grantee};`,
    );
  }
  if (request.createTables && !facts.database_create) {
    // The schema phase starts with CREATE SCHEMA IF NOT EXISTS, which checks this even when the schema exists.
    lack(
      facts.database,
      'CREATE',
      `database ${database}`,
      'the schema phase runs CREATE SCHEMA IF NOT EXISTS before creating tables',
      `GRANT CREATE ON DATABASE ${database} TO ${grantee};`,
    );
  }
  for (const table of tables) {
    const name = qualify(schema, table.name);
    if (request.clear === 'drop') {
      if (!table.owns) {
        lack(
          table.name,
          'ownership',
          `table ${name}`,
          `only its owner (${quoteIdent(table.owner)}) can drop it`,
          `ALTER TABLE ${name} OWNER TO ${grantee}; (or run as ${quoteIdent(table.owner)})`,
        );
      }
      continue; // dropped and created again: the role owns what it creates
    }
    if (request.clear === 'truncate' && !table.can_truncate) {
      lack(
        table.name,
        'TRUNCATE',
        `table ${name}`,
        'it cannot be emptied first',
        `GRANT TRUNCATE ON ${name} TO ${grantee};`,
      );
    }
    if (!table.can_insert) {
      lack(
        table.name,
        'INSERT',
        `table ${name}`,
        'rows cannot be written into it',
        `GRANT INSERT ON ${name} TO ${grantee};`,
      );
    }
  }
  return problems;
}
