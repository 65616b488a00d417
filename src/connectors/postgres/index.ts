/**
 * The PostgreSQL connector: a pg pool whose sessions are pinned to UTC and the URL's schema
 * (`?schema=`, default `public`), COPY for reads and writes, pg_catalog for introspection.
 */
import pg from 'pg';
import { type ApplierOptions, type ChangeApplier, isSyncTable } from '../../cdc/applier.js';
import type { ChangeStream, ChangeStreamOptions } from '../../cdc/change-stream.js';
import { ConnectionError, DatabaseError, isFerryError, messageOf } from '../../errors.js';
import type { Column, DatabaseSchema, SchemaObject, Table } from '../../schema/table.js';
import type { RowBatch } from '../../values/canonical.js';
import type { ChecksumMode, ChunkChecksum } from '../../values/canonical-text.js';
import { TEXT_LINES } from '../../values/text-lines.js';
import {
  type AccessProblem,
  type AccessRequest,
  type ChecksumOptions,
  type ChunkPlanOptions,
  type ColumnsRequest,
  type Connector,
  type ConnectorCapabilities,
  type ExistingTable,
  type KeyRange,
  type LoadProbe,
  type LoadSample,
  PROGRESS_TABLE,
  type ReadOnlySource,
  type ReadOptions,
  type RecordedChunk,
  type SchemaNote,
  type SchemaPhase,
  type SchemaRequest,
  type SnapshotOptions,
  type SourceSnapshot,
  type TableFilter,
  type WriteOptions,
  type WriteResult,
} from '../connector.js';
import type { ConnectionUrl } from '../url.js';
import { checkPostgresAccess } from './access.js';
import { PostgresApplier } from './apply.js';
import { postgresAcceptsEncoding, postgresRowEncoding } from './binary-passthrough.js';
import { PostgresChangeStream } from './cdc.js';
import { postgresCanRender, postgresChunkChecksum } from './checksum.js';
import { planPostgresChunks } from './chunk-plan.js';
import { postgresConnectionError } from './connection-errors.js';
import { createPostgresConstraints, createPostgresIndexes, setPostgresSequences } from './constraints.js';
import { addPostgresColumns, createPostgresTables } from './ddl.js';
import { dropPostgresChangeStream } from './drop-change-stream.js';
import { qualify } from './identifiers.js';
import { introspectPostgres } from './introspect.js';
import { PostgresLoad } from './load.js';
import { createPostgresObjects } from './objects.js';
import { createPostgresProgress, postgresRecordedChunks } from './progress.js';
import { makePostgresReadOnly } from './read-only.js';
import { PostgresReader } from './reader.js';
import { acquirePostgres, postgresPoolConfig, postgresSchemaOf, withPostgresClient } from './session.js';
import { PostgresSnapshot } from './snapshot.js';
import { EXISTING_TABLES, TABLE_NAMES } from './sql.js';
import { openSyncSnapshot } from './sync-snapshot.js';
import { postgresAcceptsTextLines } from './text-lines.js';
import { isPostgresTransient } from './transient.js';
import { POSTGRES_TYPE_SYSTEM } from './types.js';
import { PostgresWriter } from './writer.js';

const CAPABILITIES: ConnectorCapabilities = {
  maxIdentifierLength: 63,
  indexNamesUniquePer: 'schema',
  foreignKeyNamesUniquePer: 'table',
  caseInsensitiveColumnNames: false,
};

/** One PostgreSQL database (and one schema in it) reached through one URL. */
export class PostgresConnector implements Connector {
  readonly dialect = 'postgres' as const;
  readonly capabilities = CAPABILITIES;
  readonly types = POSTGRES_TYPE_SYSTEM;
  readonly display: string;
  /** The schema this connector reads from or writes to. */
  readonly schema: string;
  private pool: pg.Pool | undefined;
  private readonly reader: PostgresReader;
  private readonly writer: PostgresWriter;
  private snapshot: PostgresSnapshot | undefined;

  constructor(private readonly url: ConnectionUrl) {
    this.display = url.display;
    this.schema = postgresSchemaOf(url);
    this.reader = new PostgresReader(
      () => this.acquire(),
      this.schema,
      () => this.snapshot,
    );
    this.writer = new PostgresWriter(() => this.acquire(), this.schema);
  }

  async connect(): Promise<void> {
    if (this.pool) return;
    const pool = new pg.Pool(postgresPoolConfig(this.url));
    // An idle pooled connection that the server closes must not crash the process.
    pool.on('error', () => {});
    try {
      (await acquirePostgres(pool, this.schema)).release();
    } catch (error) {
      await pool.end().catch(() => {});
      throw postgresConnectionError(error, this.url);
    }
    this.pool = pool;
  }

  private async acquire(): Promise<pg.PoolClient> {
    if (!this.pool) {
      throw new ConnectionError(
        'PG_NOT_CONNECTED',
        `The PostgreSQL connector for ${this.display} is not connected.`,
      );
    }
    try {
      return await acquirePostgres(this.pool, this.schema);
    } catch (error) {
      throw postgresConnectionError(error, this.url);
    }
  }

  /** Runs `work` on a pooled connection; driver errors become DatabaseErrors naming `purpose`. */
  private withClient<T>(purpose: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withPostgresClient(() => this.acquire(), 'PG_QUERY_FAILED', purpose, work);
  }

  checkAccess(request: AccessRequest): Promise<AccessProblem[]> {
    return this.withClient('Checking privileges', (client) =>
      checkPostgresAccess(client, this.schema, request),
    );
  }

  introspect(filter?: TableFilter): Promise<DatabaseSchema> {
    return this.withClient('Reading the schema', (client) => introspectPostgres(client, this.schema, filter));
  }

  async tableNames(): Promise<string[]> {
    const rows = await this.withClient('Listing tables', async (client) => {
      return (await client.query<{ name: string }>(TABLE_NAMES, [this.schema])).rows;
    });
    return rows.map((row) => row.name).filter((name) => name !== PROGRESS_TABLE && !isSyncTable(name));
  }

  existingTables(names: string[]): Promise<ExistingTable[]> {
    return this.withClient('Looking for existing tables', async (client) => {
      const found = (await client.query<{ name: string }>(EXISTING_TABLES, [this.schema, names])).rows.filter(
        // Ferry's own bookkeeping is never a table to copy into.
        (row) => row.name !== PROGRESS_TABLE && !isSyncTable(row.name),
      );
      const existing: ExistingTable[] = [];
      for (const name of names.filter((candidate) => found.some((row) => row.name === candidate))) {
        const sql = `SELECT EXISTS (SELECT 1 FROM ${qualify(this.schema, name)} LIMIT 1) AS has_rows`;
        const hasRows = (await client.query<{ has_rows: boolean }>(sql)).rows[0]?.has_rows ?? false;
        existing.push({ name, hasRows });
      }
      return existing;
    });
  }

  async dropTables(names: string[]): Promise<void> {
    if (names.length === 0) return;
    const list = names.map((name) => qualify(this.schema, name)).join(', ');
    await this.withClient('Dropping tables', (client) =>
      client.query(`DROP TABLE IF EXISTS ${list} CASCADE`),
    );
  }

  async truncateTables(names: string[]): Promise<void> {
    if (names.length === 0) return;
    // One statement for all: tables that reference each other can only be emptied together.
    // No CASCADE: it would silently empty tables nobody named.
    const list = names.map((name) => qualify(this.schema, name)).join(', ');
    await this.withClient('Emptying tables', (client) => client.query(`TRUNCATE TABLE ${list}`));
  }

  async addColumns(table: string, columns: Column[], request: ColumnsRequest): Promise<SchemaNote[]> {
    const shape: Table = { name: table, columns, primaryKey: [], indexes: [], foreignKeys: [] };
    return this.withClient(`Adding columns to table "${table}"`, (client) =>
      addPostgresColumns(client, this.schema, shape, columns, request),
    );
  }

  async createSchema(request: SchemaRequest, phase: SchemaPhase): Promise<SchemaNote[]> {
    if (phase === 'tables') {
      return this.withClient('Creating the schema (tables)', (client) =>
        createPostgresTables(client, this.schema, request),
      );
    }
    if (phase === 'sequences') {
      const notes: SchemaNote[] = [];
      await this.withClient('Setting sequence positions', (client) =>
        setPostgresSequences(client, this.schema, request, notes),
      );
      return notes;
    }
    try {
      const create = phase === 'indexes' ? createPostgresIndexes : createPostgresConstraints;
      return await create(() => this.acquire(), this.schema, request);
    } catch (error) {
      if (isFerryError(error)) throw error;
      throw new DatabaseError(
        'PG_QUERY_FAILED',
        `Creating the schema (${phase}) on PostgreSQL failed: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  async createObjects(objects: SchemaObject[]): Promise<void> {
    await this.withClient('Creating views, routines and triggers', (client) =>
      createPostgresObjects(client, this.schema, objects),
    );
  }

  read(table: Table, options: ReadOptions): AsyncIterable<RowBatch> {
    return this.reader.read(table, options);
  }

  write(table: Table, batches: AsyncIterable<RowBatch>, options?: WriteOptions): Promise<WriteResult> {
    return this.writer.write(table, batches, options);
  }

  async rowEncodings(table: Table): Promise<string[]> {
    const binary = await this.withClient(`Checking the column types of table "${table.name}"`, (client) =>
      postgresRowEncoding(client, this.schema, table),
    );
    return binary ? [binary] : [];
  }

  acceptsEncoding(table: Table, encoding: string): Promise<boolean> {
    return this.withClient(`Checking the column types of table "${table.name}"`, (client) =>
      encoding === TEXT_LINES
        ? postgresAcceptsTextLines(client, this.schema, table)
        : postgresAcceptsEncoding(client, this.schema, table, encoding),
    );
  }

  canRenderChecksum(column: Column, mode: ChecksumMode): boolean {
    return postgresCanRender(column, mode);
  }

  checksum(table: Table, options: ChecksumOptions): Promise<ChunkChecksum> {
    return this.withClient(`Checksumming table "${table.name}"`, (client) =>
      postgresChunkChecksum({ client, schema: this.schema }, table, options),
    );
  }

  isTransient(error: unknown): boolean {
    return isPostgresTransient(error);
  }

  planChunks(table: Table, options: ChunkPlanOptions): Promise<KeyRange[]> {
    return this.withClient(`Planning the chunks of table "${table.name}"`, (client) =>
      planPostgresChunks(client, this.schema, table, options),
    );
  }

  async prepareProgress(): Promise<void> {
    await this.withClient(`Creating Ferry's progress table ${PROGRESS_TABLE}`, (client) =>
      createPostgresProgress(client, this.schema),
    );
  }

  recordedChunks(run: string): Promise<RecordedChunk[]> {
    return this.withClient(`Reading Ferry's progress table ${PROGRESS_TABLE}`, (client) =>
      postgresRecordedChunks(client, this.schema, run),
    );
  }

  async openSnapshot(options: SnapshotOptions = {}): Promise<SourceSnapshot> {
    if (this.snapshot) {
      throw new DatabaseError(
        'PG_SNAPSHOT_OPEN',
        `A snapshot of ${this.display} is already open: call releaseSnapshot() before opening another.`,
      );
    }
    const readers = Math.max(1, Math.floor(options.readers ?? 1) || 1);
    const snapshot = options.changeStream
      ? await openSyncSnapshot(this.cdcContext(), options.changeStream, readers)
      : await PostgresSnapshot.open(await this.acquire(), this.display, readers);
    this.snapshot = snapshot;
    return snapshot.info;
  }

  openChangeStream(options: ChangeStreamOptions): Promise<ChangeStream> {
    return PostgresChangeStream.open(this.cdcContext(), options);
  }

  async dropChangeStream(name: string): Promise<void> {
    await this.withClient(
      `Dropping the replication slot and publication of change stream "${name}"`,
      (client) => dropPostgresChangeStream(client, name, this.display),
    );
  }

  makeReadOnly(): Promise<ReadOnlySource> {
    return this.withClient('Making the source database read-only', (client) => makePostgresReadOnly(client));
  }

  /** What the sync snapshot and the change stream use of this connector. */
  private cdcContext() {
    const { max: _max, ...replicationConfig } = postgresPoolConfig(this.url);
    return {
      acquire: () => this.acquire(),
      replicationConfig,
      schema: this.schema,
      display: this.display,
      withClient: <T>(purpose: string, work: (client: pg.PoolClient) => Promise<T>) =>
        this.withClient(purpose, work),
      introspect: async (name: string) =>
        (await this.introspect({ tables: [name] })).tables.find((table) => table.name === name),
    };
  }

  async releaseSnapshot(): Promise<void> {
    const snapshot = this.snapshot;
    this.snapshot = undefined;
    await snapshot?.release();
  }

  /** Target side, sync mode: sessions on this connector's pool (apply.ts). */
  async openApplier(options: ApplierOptions): Promise<ChangeApplier> {
    return new PostgresApplier(() => this.acquire(), this.schema, options);
  }

  /** The load sampler (load.ts) with its own connection, made on first use and closed in `close`. */
  private load: PostgresLoad | undefined;

  sampleLoad(probe?: LoadProbe): Promise<LoadSample> {
    this.load ??= new PostgresLoad(this.url, this.schema, this.display);
    return this.load.sample(probe);
  }

  async close(): Promise<void> {
    // The coordinator's connection is checked out: the pool cannot end until it comes back.
    await this.releaseSnapshot();
    await this.load?.close();
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }
}

/** Builds (does not connect) the connector for a `postgres://` or `postgresql://` URL. */
export function createPostgresConnector(url: ConnectionUrl): Connector {
  return new PostgresConnector(url);
}
