/**
 * The PostgreSQL change stream (Connector.openChangeStream): START_REPLICATION on the stream's
 * logical slot with pgoutput, decoded into StreamItems by PgoutputChanges; standby status updates
 * confirm what the engine acknowledged, so the slot frees WAL as the target catches up.
 */
import type pg from 'pg';
import type { StreamItem, StreamPosition } from '../../cdc/change.js';
import type { ChangeStream, ChangeStreamOptions, StreamBacklog } from '../../cdc/change-stream.js';
import { DatabaseError, isFerryError, messageOf, UsageError } from '../../errors.js';
import type { Table } from '../../schema/table.js';
import { ACCESS_REPLICA_IDENTITY, type AccessReplicaIdentityRow } from './access.js';
import {
  type BacklogRow,
  PUBLICATION_TABLES,
  type PublicationTableRow,
  RELATION_TYPE_NAMES,
  type RelationTypeNameRow,
  STREAM_BACKLOG,
  startReplication,
} from './cdc-sql.js';
import { type ChangeStreamNames, changeStreamNames } from './change-stream-names.js';
import { formatLsn, parseLsn, postgresStreamPosition } from './lsn.js';
import { PgoutputChanges } from './pgoutput-changes.js';
import { decodePgoutput } from './pgoutput-decoder.js';
import { ReplicationConnection } from './replication-connection.js';
import { parseReplicationMessage, standbyStatusUpdate } from './replication-messages.js';
import { SESSION_SETUP } from './sql.js';
import { ensurePublication } from './sync-snapshot.js';

const DEFAULT_PART_BYTES = 8 << 20;
const DEFAULT_HEARTBEAT_SECONDS = 10;

/** What a change stream needs of its connector. */
export interface ChangeStreamContext {
  replicationConfig: pg.ClientConfig;
  schema: string;
  display: string;
  /** Runs `work` on a pooled connection (never the replication one). */
  withClient<T>(purpose: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** The table as introspection describes it now; undefined when it does not exist. */
  introspect(name: string): Promise<Table | undefined>;
}

/** One open stream of a slot; iterate it once. */
export class PostgresChangeStream implements ChangeStream {
  /** Everything up to here is on the target: the flush position every status update reports. */
  private acknowledged: bigint;
  private closed = false;
  private iterating = false;
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(
    private readonly context: ChangeStreamContext,
    private readonly names: ChangeStreamNames,
    private readonly replication: ReplicationConnection,
    private readonly changes: PgoutputChanges,
    from: bigint,
    heartbeatSeconds: number,
  ) {
    this.acknowledged = from;
    // Asking for a reply makes the server send a keepalive at once: an idle stream reports progress.
    this.heartbeat = setInterval(() => this.sendStatus(true), heartbeatSeconds * 1000);
    this.heartbeat.unref();
  }

  /** Starts streaming the slot of `options.name` from `options.from.lsn`. */
  static async open(
    context: ChangeStreamContext,
    options: ChangeStreamOptions,
  ): Promise<PostgresChangeStream> {
    const names = changeStreamNames(options.name);
    const lsn = options.from.lsn;
    if (lsn === undefined) {
      throw new UsageError(
        'PG_CDC_NO_POSITION',
        `The change stream "${options.name}" of ${context.display} needs a position with an lsn (a snapshot's position or a stored stream position).`,
      );
    }
    const from = parseLsn(lsn);
    await checkPublication(context, names, options.tables);
    const changes = new PgoutputChanges({
      schema: context.schema,
      tables: options.tables,
      from,
      maxPartBytes: options.maxPartBytes ?? DEFAULT_PART_BYTES,
      introspect: (name) => context.introspect(name),
      typeNames: (columns) =>
        context.withClient('Reading the column types of a changed table', async (client) => {
          const values = [columns.map((column) => column.typeOid), columns.map((column) => column.typmod)];
          return (await client.query<RelationTypeNameRow>(RELATION_TYPE_NAMES, values)).rows.map(
            (row) => row.native_type,
          );
        }),
    });
    let replication: ReplicationConnection | undefined;
    try {
      replication = await ReplicationConnection.open(context.replicationConfig);
      // pgoutput prints values with this session's settings (time zone, float digits, bytea hex):
      // the same as the reader's, so the same decoders apply.
      await replication.query(SESSION_SETUP);
      await replication.start(startReplication(names.slot, formatLsn(from), names.publication));
    } catch (error) {
      await replication?.end();
      throw startError(error, names, context.display);
    }
    return new PostgresChangeStream(
      context,
      names,
      replication,
      changes,
      from,
      options.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS,
    );
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamItem> {
    if (this.iterating) {
      throw new UsageError(
        'PG_CDC_ITERATED',
        `The change stream of slot ${this.names.slot} can be iterated once.`,
      );
    }
    this.iterating = true;
    return this.items();
  }

  private async *items(): AsyncGenerator<StreamItem> {
    try {
      for (;;) {
        const payload = await this.replication.next();
        if (!payload) {
          if (this.closed) return;
          // The server ended the stream (a shutdown): a lost connection to the engine, which reopens it.
          throw new Error('Connection terminated by the server: it ended the replication stream');
        }
        const message = parseReplicationMessage(payload);
        if (message.type === 'keepalive') {
          if (message.replyRequested) this.sendStatus(false);
          yield* this.changes.keepalive(message.walEnd, message.sentAt);
          continue;
        }
        yield* await this.changes.push(decodePgoutput(message.data));
      }
    } catch (error) {
      if (this.closed && !isFerryError(error)) return;
      if (isFerryError(error)) throw error;
      throw new DatabaseError(
        'PG_CDC_STREAM_FAILED',
        `The change stream of slot ${this.names.slot} on ${this.context.display} stopped: ${messageOf(error)}. Open it again from the last position the target holds.`,
        { cause: error },
      );
    } finally {
      await this.close();
    }
  }

  acknowledge(position: StreamPosition): void {
    const lsn = parseLsn(position.fields.lsn ?? '');
    if (lsn <= this.acknowledged) return;
    this.acknowledged = lsn;
    this.sendStatus(false);
  }

  async addTables(tables: Table[]): Promise<void> {
    if (tables.length === 0) return;
    const names = tables.map((table) => table.name);
    await this.context.withClient(`Checking the replica identity of ${names.join(', ')}`, async (client) => {
      const rows = (
        await client.query<AccessReplicaIdentityRow>(ACCESS_REPLICA_IDENTITY, [this.context.schema, names])
      ).rows;
      // In a publication, a table with no row identity refuses UPDATE and DELETE on the source.
      const keyless = rows.filter(
        (row) =>
          row.identity === 'n' ||
          (row.identity === 'd' && !row.has_primary_key) ||
          (row.identity === 'i' && !row.has_identity_index),
      );
      if (keyless.length > 0) {
        const list = keyless.map((row) => `"${row.name}"`).join(', ');
        throw new DatabaseError(
          'PG_CDC_NO_IDENTITY',
          `Table(s) ${list} appeared on ${this.context.display} during sync without a primary key or replica identity; added to publication ${this.names.publication}, PostgreSQL would refuse UPDATE and DELETE on them. Give each a primary key (or ALTER TABLE … REPLICA IDENTITY FULL) and run the plan again, or exclude them in the plan.`,
        );
      }
    });
    // Wanted first: their changes may follow the ALTER's commit at once.
    this.changes.accept(tables);
    await this.context.withClient(`Adding tables to publication ${this.names.publication}`, (client) =>
      ensurePublication(client, this.context.schema, this.names.publication, names),
    );
  }

  async backlog(): Promise<StreamBacklog> {
    const row = await this.context.withClient(
      `Reading the backlog of slot ${this.names.slot}`,
      async (client) => {
        return (await client.query<BacklogRow>(STREAM_BACKLOG, [this.names.slot])).rows[0];
      },
    );
    if (!row) {
      throw new DatabaseError(
        'PG_CDC_NO_SLOT',
        `Replication slot ${this.names.slot} no longer exists on ${this.context.display}: the stream cannot go on. Start the sync again with a new snapshot.`,
      );
    }
    return { head: postgresStreamPosition(parseLsn(row.head)), retainedBytes: row.retained };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    await this.replication.end();
  }

  private sendStatus(replyRequested: boolean): void {
    if (this.closed) return;
    this.replication.send(standbyStatusUpdate(this.acknowledged, replyRequested));
  }
}

/**
 * Throws unless the stream's publication holds every table: adding one now would not bring the
 * changes it had between `from` and now (the server decodes them with the publication as it was).
 */
async function checkPublication(context: ChangeStreamContext, names: ChangeStreamNames, tables: Table[]) {
  const rows = await context.withClient(`Reading publication ${names.publication}`, async (client) => {
    return (await client.query<PublicationTableRow>(PUBLICATION_TABLES, [names.publication, context.schema]))
      .rows;
  });
  if (rows.length === 0) {
    throw new DatabaseError(
      'PG_CDC_NO_PUBLICATION',
      `Publication ${names.publication} does not exist on ${context.display}: open the stream's snapshot first (sync mode creates it), or start the sync again if it was dropped.`,
    );
  }
  const held = new Set(rows.map((row) => row.table));
  const missing = tables.filter((table) => !held.has(table.name)).map((table) => `"${table.name}"`);
  if (missing.length > 0) {
    throw new DatabaseError(
      'PG_CDC_NOT_PUBLISHED',
      `Publication ${names.publication} on ${context.display} does not hold table(s) ${missing.join(', ')}, so the stream has none of their changes: copy them again and add them with addTables, or start the sync again.`,
    );
  }
}

/** START_REPLICATION's failure, said with what to do about it. */
function startError(error: unknown, names: ChangeStreamNames, display: string): DatabaseError {
  const code = (error as { code?: unknown } | null)?.code;
  const fixes: Record<string, string> = {
    '42704': `The slot does not exist: open the stream's snapshot first (sync mode creates ${names.slot}), or start the sync again if it was dropped.`,
    '55006': `Another process streams from the slot: stop it, or end it with SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '${names.slot}';`,
    '55000': 'Set wal_level = logical (ALTER SYSTEM SET wal_level = logical) and restart the server.',
    '42501': 'The role needs the REPLICATION attribute: ALTER ROLE … REPLICATION;',
    '28000': 'The role needs the REPLICATION attribute and a pg_hba.conf entry for replication connections.',
  };
  const fix = (typeof code === 'string' ? fixes[code] : undefined) ?? 'Check the slot and the server log.';
  return new DatabaseError(
    'PG_CDC_START_FAILED',
    `Starting the change stream of slot ${names.slot} on ${display} failed: ${messageOf(error)}. ${fix}`,
    { cause: error },
  );
}
