/**
 * The MariaDB/MySQL connector: introspection from information_schema, chunk plans and streaming
 * range reads in binary key order (inside a consistent snapshot of one or more readers when one is
 * open), LOAD DATA LOCAL writes that fail on any warning and record their chunk in the same
 * transaction, and DDL in two phases.
 */

import type { ApplierOptions, ChangeApplier } from '../../cdc/applier.js';
import type { ChangeStream, ChangeStreamOptions } from '../../cdc/change-stream.js';
import type { Column, DatabaseSchema, SchemaObject, Table } from '../../schema/table.js';
import type { RowBatch } from '../../values/canonical.js';
import type { ChecksumMode, ChunkChecksum } from '../../values/canonical-text.js';
import type {
  AccessProblem,
  AccessRequest,
  ChecksumOptions,
  ChunkPlanOptions,
  ColumnsRequest,
  Connector,
  ConnectorCapabilities,
  ExistingTable,
  KeyRange,
  LoadProbe,
  LoadSample,
  ReadOnlySource,
  ReadOptions,
  RecordedChunk,
  SchemaNote,
  SchemaPhase,
  SchemaRequest,
  SnapshotOptions,
  SourceSnapshot,
  TableFilter,
  WriteOptions,
  WriteResult,
} from '../connector.js';
import type { ConnectionUrl } from '../url.js';
import { checkMysqlAccess } from './access.js';
import { MysqlApplier } from './apply.js';
import { MysqlChangeStream } from './cdc.js';
import { mysqlCanRender, mysqlChunkChecksum } from './checksum.js';
import { planMysqlChunks } from './chunk-plan.js';
import { introspectTables } from './introspect.js';
import { MysqlLoad } from './load.js';
import { createObjects, introspectObjects } from './objects.js';
import { mysqlAcceptsEncoding, mysqlRowEncodings } from './passthrough.js';
import { createMysqlProgress, isMysqlProgressTable, mysqlRecordedChunks } from './progress.js';
import { makeMysqlReadOnly } from './read-only.js';
import { MysqlReader } from './reader.js';
import {
  addColumns,
  createConstraints,
  createIndexes,
  createTables,
  positionAutoIncrements,
} from './schema-phases.js';
import { type MysqlConnection, MysqlSession } from './session.js';
import { MysqlSnapshot } from './snapshot.js';
import { type MysqlColumnRow, quoteIdentifier, SELECT_EXISTING_TABLES, SELECT_TABLE_COLUMNS } from './sql.js';
import { isMysqlTransient } from './transient.js';
import { MYSQL_TYPE_SYSTEM } from './types.js';
import { MysqlWriter } from './writer.js';

/** MySQL's limits and name rules, as the engine needs them. */
export const MYSQL_CAPABILITIES: ConnectorCapabilities = {
  maxIdentifierLength: 64,
  indexNamesUniquePer: 'table',
  foreignKeyNamesUniquePer: 'schema',
  caseInsensitiveColumnNames: true,
};

/** One MariaDB or MySQL database reached through a `mysql://` or `mariadb://` URL. */
export class MysqlConnector implements Connector {
  readonly dialect = 'mysql' as const;
  readonly capabilities = MYSQL_CAPABILITIES;
  readonly types = MYSQL_TYPE_SYSTEM;
  readonly display: string;
  private readonly session: MysqlSession;
  private readonly reader: MysqlReader;
  private readonly snapshot: MysqlSnapshot;
  private readonly writer: MysqlWriter;
  /** Target column catalogs for the writer, per table; dropped whenever DDL touches the table. */
  private readonly targetColumns = new Map<string, MysqlColumnRow[]>();

  constructor(private readonly url: ConnectionUrl) {
    this.display = url.display;
    this.session = new MysqlSession(url, url.display);
    this.snapshot = new MysqlSnapshot(this.session);
    this.reader = new MysqlReader(this.session, this.snapshot);
    this.writer = new MysqlWriter(this.session, (connection, table) => this.columnsOf(connection, table));
  }

  /** `mariadb` or `mysql`, after connect. */
  get flavor(): 'mariadb' | 'mysql' {
    return this.session.server.flavor;
  }

  async connect(): Promise<void> {
    await this.session.connect();
  }

  checkAccess(request: AccessRequest): Promise<AccessProblem[]> {
    return checkMysqlAccess(this.session, request);
  }

  async introspect(filter?: TableFilter): Promise<DatabaseSchema> {
    return this.session.use(async (connection) => {
      const tables = await introspectTables(this.session, connection, filter);
      const names = filter?.tables ? new Set(tables.map((table) => table.name)) : undefined;
      const objects = await introspectObjects(this.session, connection, names);
      return { dialect: 'mysql', serverVersion: this.session.server.display, tables, objects };
    });
  }

  async tableNames(): Promise<string[]> {
    const rows = await this.session.use((connection) =>
      this.session.run<{ table_name: string }>(connection, 'Listing tables', SELECT_EXISTING_TABLES),
    );
    return rows.map((row) => row.table_name).filter((name) => !isMysqlProgressTable(name));
  }

  async existingTables(names: string[]): Promise<ExistingTable[]> {
    return this.session.use(async (connection) => {
      const rows = await this.session.run<{ table_name: string }>(
        connection,
        'Listing tables',
        SELECT_EXISTING_TABLES,
      );
      const present = new Set(
        rows.map((row) => row.table_name).filter((name) => !isMysqlProgressTable(name)),
      );
      const result: ExistingTable[] = [];
      for (const name of names) {
        if (!present.has(name)) continue;
        const sample = await this.session.run(
          connection,
          `Checking whether table "${name}" holds rows`,
          `SELECT 1 FROM ${quoteIdentifier(name)} LIMIT 1`,
        );
        result.push({ name, hasRows: sample.length > 0 });
      }
      return result;
    });
  }

  async dropTables(names: string[]): Promise<void> {
    if (names.length === 0) return;
    for (const name of names) this.targetColumns.delete(name);
    await this.session.useWithoutForeignKeyChecks(async (connection) => {
      await this.session.run(
        connection,
        `Dropping tables ${names.join(', ')}`,
        `DROP TABLE IF EXISTS ${names.map(quoteIdentifier).join(', ')}`,
      );
    });
  }

  async truncateTables(names: string[]): Promise<void> {
    await this.session.useWithoutForeignKeyChecks(async (connection) => {
      for (const name of names) {
        await this.session.run(
          connection,
          `Emptying table "${name}"`,
          `TRUNCATE TABLE ${quoteIdentifier(name)}`,
        );
      }
    });
  }

  async addColumns(table: string, columns: Column[], request: ColumnsRequest): Promise<SchemaNote[]> {
    this.targetColumns.delete(table);
    try {
      return await addColumns(this.session, table, columns, request);
    } finally {
      this.targetColumns.delete(table);
    }
  }

  async createSchema(request: SchemaRequest, phase: SchemaPhase): Promise<SchemaNote[]> {
    if (phase === 'sequences') return positionAutoIncrements(this.session, request);
    for (const table of request.tables) this.targetColumns.delete(table.name);
    if (phase === 'tables') return createTables(this.session, request);
    return phase === 'indexes'
      ? createIndexes(this.session, request)
      : createConstraints(this.session, request);
  }

  async createObjects(objects: SchemaObject[]): Promise<void> {
    await createObjects(this.session, objects);
  }

  read(table: Table, options: ReadOptions): AsyncIterable<RowBatch> {
    return this.reader.read(table, options);
  }

  write(table: Table, batches: AsyncIterable<RowBatch>, options?: WriteOptions): Promise<WriteResult> {
    return this.writer.write(table, batches, options);
  }

  planChunks(table: Table, options: ChunkPlanOptions): Promise<KeyRange[]> {
    return planMysqlChunks(this.session, table, options);
  }

  async rowEncodings(table: Table): Promise<string[]> {
    return mysqlRowEncodings(table);
  }

  async acceptsEncoding(table: Table, encoding: string): Promise<boolean> {
    return this.session.use(async (connection) =>
      mysqlAcceptsEncoding(table, encoding, await this.columnsOf(connection, table.name)),
    );
  }

  canRenderChecksum(column: Column, mode: ChecksumMode): boolean {
    return mysqlCanRender(column, mode);
  }

  checksum(table: Table, options: ChecksumOptions): Promise<ChunkChecksum> {
    return this.session.use((connection) => mysqlChunkChecksum(connection, table, options));
  }

  prepareProgress(): Promise<void> {
    return createMysqlProgress(this.session);
  }

  recordedChunks(run: string): Promise<RecordedChunk[]> {
    return mysqlRecordedChunks(this.session, run);
  }

  openSnapshot(options?: SnapshotOptions): Promise<SourceSnapshot> {
    return this.snapshot.open(options);
  }

  releaseSnapshot(): Promise<void> {
    return this.snapshot.release();
  }

  /** The load sampler (load.ts), made on first use; its connection goes back in `close`. */
  private load: MysqlLoad | undefined;

  sampleLoad(probe?: LoadProbe): Promise<LoadSample> {
    this.load ??= new MysqlLoad(this.session);
    return this.load.sample(probe);
  }

  /** See Connector.openChangeStream: a binlog dump from `options.from` (cdc.ts). */
  openChangeStream(options: ChangeStreamOptions): Promise<ChangeStream> {
    return MysqlChangeStream.open(this.session, this.url, (names) => this.describeTables(names), options);
  }

  /** A binlog reader keeps nothing on the source (no slot): the binlog expires on its own schedule. */
  async dropChangeStream(_name: string): Promise<void> {}

  makeReadOnly(): Promise<ReadOnlySource> {
    return makeMysqlReadOnly(this.session);
  }

  /** The connector's introspection of some tables, without the database's other objects. */
  private describeTables(names: string[]): Promise<Table[]> {
    return this.session.use((connection) => introspectTables(this.session, connection, { tables: names }));
  }

  isTransient(error: unknown): boolean {
    return isMysqlTransient(error);
  }

  async close(): Promise<void> {
    await this.snapshot.release();
    this.load?.close();
    await this.session.close();
  }

  /** Target side, sync mode: sessions on this connector's pool (apply.ts). */
  async openApplier(options: ApplierOptions): Promise<ChangeApplier> {
    return new MysqlApplier(this.session, (connection, table) => this.columnsOf(connection, table), options);
  }

  private async columnsOf(connection: MysqlConnection, table: string): Promise<MysqlColumnRow[]> {
    const cached = this.targetColumns.get(table);
    if (cached) return cached;
    const rows = await this.session.run<MysqlColumnRow>(
      connection,
      `Reading the columns of table "${table}"`,
      SELECT_TABLE_COLUMNS,
      [table],
    );
    // information_schema compares names case-insensitively; table names are case-sensitive here.
    const exact = rows.filter((row) => row.table_name === table);
    if (exact.length > 0) this.targetColumns.set(table, exact);
    return exact;
  }
}

/** Builds (does not connect) the connector for a parsed `mysql://` / `mariadb://` URL. */
export function createMysqlConnector(url: ConnectionUrl): Connector {
  return new MysqlConnector(url);
}
