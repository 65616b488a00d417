/**
 * The sync-mode snapshot: the change stream's publication and logical slot are created, and the
 * readers share the snapshot the slot exported, so the copy and the stream meet exactly at the
 * slot's consistent point (no change in both, none in neither).
 */
import type pg from 'pg';
import { DatabaseError, isFerryError, messageOf } from '../../errors.js';
import type { SnapshotOptions } from '../connector.js';
import {
  addToPublication,
  type CreatedSlotRow,
  createPublication,
  createReplicationSlot,
  PUBLICATION_TABLES,
  type PublicationTableRow,
  SLOT_STATE,
  type SlotRow,
} from './cdc-sql.js';
import { changeStreamNames } from './change-stream-names.js';
import { ReplicationConnection } from './replication-connection.js';
import { PostgresSnapshot } from './snapshot.js';

/** What the sync snapshot needs of its connector. */
export interface SyncSnapshotContext {
  acquire(): Promise<pg.PoolClient>;
  /** The settings of a connection to the source, for the replication connection. */
  replicationConfig: pg.ClientConfig;
  schema: string;
  display: string;
}

/** Creates the publication, or adds to it the tables it lacks. */
export async function ensurePublication(
  client: pg.ClientBase,
  schema: string,
  publication: string,
  tables: string[],
): Promise<void> {
  const rows = (await client.query<PublicationTableRow>(PUBLICATION_TABLES, [publication, schema])).rows;
  if (rows.length === 0) {
    await client.query(createPublication(publication, schema, tables));
    return;
  }
  const held = new Set(rows.map((row) => row.table));
  const missing = tables.filter((name) => !held.has(name));
  if (missing.length > 0) await client.query(addToPublication(publication, schema, missing));
}

/** The slot named `slot`, if it exists; throws when it belongs to another database or plugin. */
export async function existingSlot(
  client: pg.ClientBase,
  slot: string,
  display: string,
): Promise<SlotRow | undefined> {
  const row = (await client.query<SlotRow>(SLOT_STATE, [slot])).rows[0];
  if (!row) return undefined;
  if (!row.here || row.type !== 'logical' || row.plugin !== 'pgoutput') {
    throw new DatabaseError(
      'PG_CDC_SLOT_TAKEN',
      `Replication slot ${slot} on ${display} exists but is not this stream's (${row.type} slot of database ${row.database ?? '(none)'}, plugin ${row.plugin ?? '(none)'}). Give the plan another name, or drop the slot: SELECT pg_drop_replication_slot('${slot}');`,
    );
  }
  return row;
}

/**
 * Opens the snapshot of `options.changeStream`. A slot that exists already (a resumed run) cannot
 * export a snapshot again: the ordinary exported snapshot is taken then, and its position is the
 * slot's confirmed flush position, so the data read is newer than the stream's start and the engine
 * heals it by replaying the stream from there.
 */
export async function openSyncSnapshot(
  context: SyncSnapshotContext,
  stream: NonNullable<SnapshotOptions['changeStream']>,
  readers: number,
): Promise<PostgresSnapshot> {
  const names = changeStreamNames(stream.name);
  const setup = await context.acquire();
  let slot: SlotRow | undefined;
  let broken = false;
  try {
    await ensurePublication(setup, context.schema, names.publication, stream.tables);
    slot = await existingSlot(setup, names.slot, context.display);
  } catch (error) {
    broken = !isFerryError(error);
    if (isFerryError(error)) throw error;
    throw new DatabaseError(
      'PG_CDC_PUBLICATION',
      `Creating publication ${names.publication} on ${context.display} for tables ${stream.tables.map((name) => `"${name}"`).join(', ')} failed: ${messageOf(error)}. The role needs CREATE on the database and must own each table.`,
      { cause: error },
    );
  } finally {
    setup.release(broken);
  }
  if (slot) {
    const snapshot = await PostgresSnapshot.open(await context.acquire(), context.display, readers);
    snapshot.info.position = { lsn: slot.confirmed_flush ?? snapshot.info.position?.lsn ?? '0/0' };
    return snapshot;
  }
  return createSlotSnapshot(context, names.slot, readers);
}

async function createSlotSnapshot(
  context: SyncSnapshotContext,
  slot: string,
  readers: number,
): Promise<PostgresSnapshot> {
  let replication: ReplicationConnection | undefined;
  try {
    replication = await ReplicationConnection.open(context.replicationConfig);
    const [row] = await replication.query<CreatedSlotRow>(createReplicationSlot(slot));
    if (!row) throw new Error('CREATE_REPLICATION_SLOT returned no row');
    const held = replication;
    const now = new Date().toISOString();
    return new PostgresSnapshot(
      // Idle from here on: the exported snapshot lives until this connection's next command.
      { connection: held.events, end: () => held.end() },
      row.snapshot_name,
      { position: { lsn: row.consistent_point }, takenAt: `${now.slice(0, -1)}000Z`, readers },
      context.display,
    );
  } catch (error) {
    await replication?.end();
    throw new DatabaseError(
      'PG_CDC_SLOT_FAILED',
      `Creating replication slot ${slot} on ${context.display} failed: ${messageOf(error)}. ${slotFix(error)}`,
      { cause: error },
    );
  }
}

/** What to do about a failed CREATE_REPLICATION_SLOT, by its SQLSTATE. */
function slotFix(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '55000')
    return 'Set wal_level = logical (ALTER SYSTEM SET wal_level = logical) and restart the server.';
  if (code === '53400') {
    return 'Every replication slot is in use: raise max_replication_slots (restart) or drop an unused slot.';
  }
  if (code === '42710') return 'Another run created it at the same moment: run again.';
  if (code === '42501' || code === '28000') {
    return 'The role needs the REPLICATION attribute (ALTER ROLE … REPLICATION) and a pg_hba.conf entry for replication connections.';
  }
  return 'Check that the server allows replication connections (max_wal_senders) for this role.';
}
