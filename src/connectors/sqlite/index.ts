/**
 * The SQLite connector (Ferry's embedded default engine), on better-sqlite3 with safe integers.
 * A source file is only ever opened read-only; a target file is created on the first write-side
 * call and loaded in WAL mode, then checkpointed back into one self-contained file on close.
 */

import type { ApplierOptions, ChangeApplier } from '../../cdc/applier.js';
import { DatabaseError, isFerryError, messageOf } from '../../errors.js';
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
import { checkSqliteAccess } from './access.js';
import { SqliteApplier } from './apply.js';
import { sqliteCanRender, sqliteChunkChecksum } from './checksum.js';
import { planSqliteChunks } from './chunk-plan.js';
import { createSqliteConstraints, setSqliteNextIds } from './constraints.js';
import { addColumnsSql, createTableSql } from './ddl.js';
import { introspectSqlite } from './introspect.js';
import { sampleSqliteLoad } from './load.js';
import { createSqliteObjects } from './objects.js';
import { createSqliteProgress, isSqliteProgressTable, sqliteRecordedChunks } from './progress.js';
import { readSqliteTable } from './reader.js';
import { execSqlite, type SqliteDatabase, SqliteSession } from './session.js';
import { quoteSqliteIdent, SQLITE_COLUMN_NAMES, SQLITE_PIN_SNAPSHOT, SQLITE_TABLE_EXISTS } from './sql.js';
import { isSqliteTransient } from './transient.js';
import { SQLITE_TYPE_SYSTEM } from './types.js';
import { writeSqliteTable } from './writer.js';

/** SQLite's limits, as the engine sees them. */
const SQLITE_CAPABILITIES: ConnectorCapabilities = {
  maxIdentifierLength: 1024, // SQLite has no practical limit; this keeps names printable
  indexNamesUniquePer: 'schema',
  foreignKeyNamesUniquePer: 'table',
  caseInsensitiveColumnNames: true,
};

function wrapped<T>(purpose: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (isFerryError(error)) throw error;
    throw new DatabaseError('SQLITE_STATEMENT_FAILED', `${purpose} failed: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

/** One SQLite file reached through a `sqlite:` URL. */
export class SqliteConnector implements Connector {
  readonly dialect = 'sqlite' as const;
  readonly capabilities = SQLITE_CAPABILITIES;
  readonly types = SQLITE_TYPE_SYSTEM;
  readonly display: string;
  private readonly session: SqliteSession;

  constructor(url: ConnectionUrl) {
    this.display = url.display;
    this.session = new SqliteSession(url, url.display);
  }

  async connect(): Promise<void> {
    this.session.open();
  }

  checkAccess(request: AccessRequest): Promise<AccessProblem[]> {
    return checkSqliteAccess(this.session.path, request);
  }

  async introspect(filter?: TableFilter): Promise<DatabaseSchema> {
    return wrapped(`Reading the schema of ${this.session.path}`, () =>
      introspectSqlite(this.session.reader(), filter),
    );
  }

  async existingTables(names: string[]): Promise<ExistingTable[]> {
    const db = this.session.existing();
    if (!db) return [];
    return wrapped('Looking up existing tables', () =>
      names
        .filter((name) => !isSqliteProgressTable(name))
        .filter((name) => db.prepare(SQLITE_TABLE_EXISTS).get(name) !== undefined)
        .map((name) => ({
          name,
          hasRows: db.prepare(`SELECT 1 FROM ${quoteSqliteIdent(name)} LIMIT 1`).get() !== undefined,
        })),
    );
  }

  async dropTables(names: string[]): Promise<void> {
    await this.onExistingFile((db) => {
      for (const name of names)
        execSqlite(db, `Dropping table "${name}"`, `DROP TABLE IF EXISTS ${quoteSqliteIdent(name)}`);
    });
  }

  async truncateTables(names: string[]): Promise<void> {
    await this.onExistingFile((db) => {
      for (const name of names)
        execSqlite(db, `Emptying table "${name}"`, `DELETE FROM ${quoteSqliteIdent(name)}`);
    });
  }

  async createSchema(request: SchemaRequest, phase: SchemaPhase): Promise<SchemaNote[]> {
    // One writer per file: an index built beside the chunks still loading would only wait for them.
    if (phase === 'indexes') return [];
    return this.session.exclusive(() => {
      const db = this.session.writer();
      return wrapped(`Creating the ${phase} of ${this.session.path}`, () =>
        db.transaction(() => {
          if (phase === 'constraints') return createSqliteConstraints(db, request);
          if (phase === 'sequences') return setSqliteNextIds(db, request);
          const notes: SchemaNote[] = [];
          for (const table of request.tables) {
            execSqlite(db, `Creating table "${table.name}"`, createTableSql(table, request, notes));
          }
          return notes;
        })(),
      );
    });
  }

  async addColumns(table: string, columns: Column[], request: ColumnsRequest): Promise<SchemaNote[]> {
    return this.session.exclusive(() => {
      const db = this.session.writer();
      return wrapped(`Adding columns to table "${table}" of ${this.session.path}`, () =>
        db.transaction(() => {
          const notes: SchemaNote[] = [];
          const rows = db.prepare(SQLITE_COLUMN_NAMES).all(table) as Array<{
            name: string;
          }>;
          const existing = new Set(rows.map((row) => row.name.toLowerCase()));
          for (const sql of addColumnsSql(table, columns, request, existing, notes)) {
            execSqlite(db, `Adding a column to table "${table}"`, sql);
          }
          return notes;
        })(),
      );
    });
  }

  async createObjects(objects: SchemaObject[]): Promise<void> {
    await this.session.exclusive(() => {
      const db = this.session.writer();
      db.transaction(() => createSqliteObjects(db, objects))();
    });
  }

  /**
   * One read transaction on the reading connection: every read until release sees the same data.
   * One reader, whatever was asked: the reads share the connection and run one after another.
   */
  async openSnapshot(_options?: SnapshotOptions): Promise<SourceSnapshot> {
    const db = this.session.reader();
    return wrapped(`Opening a read transaction on ${this.session.path}`, () => {
      if (!db.inTransaction) {
        db.exec('BEGIN');
        // BEGIN is deferred: the first read is what fixes the snapshot, so read now.
        db.prepare(SQLITE_PIN_SNAPSHOT).get();
      }
      return { takenAt: new Date().toISOString(), readers: 1 };
    });
  }

  async releaseSnapshot(): Promise<void> {
    const db = this.session.existing();
    if (db?.open && db.inTransaction) db.exec('COMMIT');
  }

  /** Only the probe, on a read-only connection of its own (load.ts). */
  async sampleLoad(probe?: LoadProbe): Promise<LoadSample> {
    return sampleSqliteLoad(this.session.path, () => this.session.reader(), probe);
  }

  read(table: Table, options: ReadOptions): AsyncIterable<RowBatch> {
    const session = this.session;
    // Opened on the first next(), so that a missing file fails inside the iteration like any read error.
    return (async function* () {
      yield* readSqliteTable(session.reader(), table, options, session.openReads);
    })();
  }

  /** One write at a time on the one connection: a second waits for the first's transaction to end. */
  async write(table: Table, batches: AsyncIterable<RowBatch>, options?: WriteOptions): Promise<WriteResult> {
    return this.session.exclusive(() => writeSqliteTable(this.session.writer(), table, batches, options));
  }

  /** No encoding of its own: rows travel as canonical values (reading them is the cheap part). */
  async rowEncodings(_table: Table): Promise<string[]> {
    return [];
  }

  async acceptsEncoding(_table: Table, _encoding: string): Promise<boolean> {
    return false;
  }

  canRenderChecksum(column: Column, mode: ChecksumMode): boolean {
    return sqliteCanRender(column, mode);
  }

  /** Computed in-process from the reader's values: SQLite is embedded, nothing crosses a network. */
  async checksum(table: Table, options: ChecksumOptions): Promise<ChunkChecksum> {
    return sqliteChunkChecksum(this.session.reader(), table, {
      ...options,
      openReads: this.session.openReads,
    });
  }

  isTransient(error: unknown): boolean {
    return isSqliteTransient(error);
  }

  async planChunks(table: Table, options: ChunkPlanOptions): Promise<KeyRange[]> {
    return wrapped(`Planning the chunks of table "${table.name}"`, () =>
      planSqliteChunks(this.session.reader(), table, options),
    );
  }

  async prepareProgress(): Promise<void> {
    await this.session.exclusive(() =>
      wrapped(`Creating Ferry's progress table in ${this.session.path}`, () =>
        createSqliteProgress(this.session.writer()),
      ),
    );
  }

  /** After any write in progress, so that no uncommitted chunk is reported. */
  async recordedChunks(run: string): Promise<RecordedChunk[]> {
    return this.session.exclusive(() => {
      const db = this.session.existing();
      if (!db) return [];
      return wrapped(`Reading Ferry's progress table in ${this.session.path}`, () =>
        sqliteRecordedChunks(db, run),
      );
    });
  }

  /** Target side, sync mode: one session at a time on this file (apply.ts). */
  async openApplier(options: ApplierOptions): Promise<ChangeApplier> {
    return new SqliteApplier(this.session, options);
  }

  async close(): Promise<void> {
    this.session.close();
  }

  /** Runs write-side work in one transaction when the file exists; without a file there is nothing to change. */
  private async onExistingFile(work: (db: SqliteDatabase) => void): Promise<void> {
    await this.session.exclusive(() => {
      if (!this.session.existing()) return;
      const db = this.session.writer();
      db.transaction(() => work(db))();
    });
  }
}

/** Builds (without opening) the connector for a `sqlite:` URL; the registry calls this. */
export function createSqliteConnector(url: ConnectionUrl): SqliteConnector {
  return new SqliteConnector(url);
}
