/**
 * The Connector contract: everything the engine knows about a database. One implementation per
 * engine folder (`postgres/`, `mysql/`, `sqlite/`); outside those folders no code names an engine.
 */
import type { ApplierOptions, ChangeApplier } from '../cdc/applier.js';
import type { ChangeStream, ChangeStreamOptions } from '../cdc/change-stream.js';
import type { Column, DatabaseSchema, SchemaObject, Table } from '../schema/table.js';
import type { TypeSystem } from '../schema/type-system.js';
import type { CanonicalValue, RowBatch } from '../values/canonical.js';
import type { ChecksumMode, ChunkChecksum } from '../values/canonical-text.js';
import type { Coercions } from '../values/coercions.js';
import type { Dialect } from './dialect.js';

/** Engine differences the engine must respect, as facts rather than `if (dialect === …)`. */
export interface ConnectorCapabilities {
  /** Longest identifier the engine keeps, in bytes (PostgreSQL 63, MySQL 64). */
  maxIdentifierLength: number;
  /** PostgreSQL and SQLite index names are unique per schema; MySQL's per table. */
  indexNamesUniquePer: 'schema' | 'table';
  /** MySQL foreign key names are unique per database; PostgreSQL's per table. */
  foreignKeyNamesUniquePer: 'schema' | 'table';
  /** Whether `Foo` and `foo` are the same column name (MySQL, SQLite). */
  caseInsensitiveColumnNames: boolean;
}

/** Which tables introspection returns. Absent = every base table of the database/schema. */
export interface TableFilter {
  /** Exact table names (case-sensitive, as the engine stores them). */
  tables?: string[];
}

/**
 * Ferry's progress table on a target: one row per chunk written, committed in the chunk's own
 * transaction (DESIGN.md principle 3). Introspection never returns it.
 */
export const PROGRESS_TABLE = '_ferry_chunks';

/**
 * A key range of one table: the rows whose chunk key is above `after` and at most `through`,
 * tuples compared column by column in binary order (text by the bytes of its UTF-8 form, binary by
 * bytes, numbers and times by value), never under a collation. An absent bound is open.
 */
export interface KeyRange {
  after?: CanonicalValue[];
  through?: CanonicalValue[];
}

/** How to split a table into chunks. */
export interface ChunkPlanOptions {
  /** The columns to split on: the primary key, or a unique key of NOT NULL columns (`chunkKeyOf`). */
  key: string[];
  /** Rows per chunk, at most. */
  rows: number;
}

/** A chunk as the target records it in PROGRESS_TABLE, in the transaction that writes its rows. */
export interface ChunkRecord {
  /** The run that wrote it (a copy's id; a plan's fingerprint later). */
  run: string;
  /** The target table's name. */
  table: string;
  /** The chunk's position among its table's chunks, from 0. */
  chunk: number;
  /** The chunk's key range as text (`keyRangeText`), for people; a resumed run reads the typed ranges its state store saved. */
  range: string;
}

/** A chunk the target has recorded, with what its transaction wrote. */
export interface RecordedChunk extends ChunkRecord {
  rows: number;
  bytes: number;
}

/** Options of `openSnapshot`. */
export interface SnapshotOptions {
  /** How many reads the engine wants to run at once inside the snapshot (default 1). */
  readers?: number;
  /**
   * Sync mode: the change stream that will start exactly at this snapshot. PostgreSQL creates the
   * stream's publication (for `tables`) and logical replication slot and reads from the slot's own
   * exported snapshot, so its position is the slot's consistent point; other engines record their
   * log position as always. When the slot exists already (a resumed run), PostgreSQL cannot have
   * that snapshot again: it takes an ordinary one and returns the slot's confirmed position, so the
   * data read may be newer than the position and the engine heals it by replaying from there.
   */
  changeStream?: { name: string; tables: string[] };
}

/** Size limits of a read; batches close at whichever comes first. */
export interface ReadOptions {
  batchRows: number;
  batchBytes: number;
  /**
   * Only the rows of this range of `key` (binary order, as planChunks made it); absent = every
   * row. Rows come in `key` order.
   */
  range?: KeyRange;
  /** The columns `range` is on (default the primary key). */
  key?: string[];
  /**
   * Only the rows matching this SQL condition in this engine's dialect (a plan's `where`), ANDed
   * in parentheses with the range's own condition; default the table's `rowFilter`, absent = every
   * row. A condition the server refuses fails the read with a DatabaseError naming the table and
   * the condition.
   */
  where?: string;
  /**
   * Read the rows in this encoding (`RowBatch.encoded`) instead of as canonical values: one that
   * one of `rowEncodings` for the table that the target `acceptsEncoding`.
   */
  encoding?: string;
  /** Policies for stored values their own column's type cannot describe (SQLite storage classes). */
  coercions?: Coercions;
  /**
   * The dialect the rows are bound for. A reader may hand a value its own type cannot describe to
   * a writer of the same engine as stored (SQLite keeps any storage class in any column), since
   * that writer keeps it exactly; for any other target such a value is a loss.
   */
  targetDialect?: Dialect;
}

/** Options of a write. */
export interface WriteOptions {
  /** Policies for values the target cannot hold; absent = every loss is an error. */
  coercions?: Coercions;
  /**
   * The chunk these rows are: recorded in PROGRESS_TABLE (with the rows and bytes written) in the
   * same transaction as the rows, so the chunk and its record commit together or not at all.
   * Needs `prepareProgress` first.
   */
  chunk?: ChunkRecord;
  /** Delete these rows first, in the same transaction (verify's repair: delete and insert by key). */
  replace?: KeysToReplace;
}

/** Rows a write removes, by key, in its own transaction before it loads its batches (repair). */
export interface KeysToReplace {
  /** The key's columns, in the target table. */
  key: string[];
  /** One tuple of key values per row to delete (canonical values, in `key` order). */
  keys: CanonicalValue[][];
}

/** What a chunk checksum covers. */
export interface ChecksumOptions {
  /** The columns hashed into each row's text, in this order (this side's names). */
  columns: string[];
  /** 'canonical' across engines; 'native' between two databases of this engine with identical column types. */
  mode: ChecksumMode;
  /** The columns `range` is on; absent with `range` absent = every row. */
  key?: string[];
  range?: KeyRange;
  /** Only the rows matching this condition, as ReadOptions.where (default the table's `rowFilter`). */
  where?: string;
}

/** What a write did. */
export interface WriteResult {
  rows: number;
  bytes: number;
}

/** What the target creates: the tables (already renamed for the target) and where they came from. */
export interface SchemaRequest {
  /** The source's dialect: same-dialect copies reuse native types and definitions verbatim. */
  sourceDialect: Dialect;
  tables: Table[];
  /** The run's policies: `widen` chooses a wider type for the columns it names. */
  coercions?: Coercions;
  /** How many tables' indexes the indexes and constraints phases may build at once, each on its own connection (default 1). */
  parallel?: number;
}

/** Where added columns come from, for `addColumns`: as a SchemaRequest says it. */
export type ColumnsRequest = Pick<SchemaRequest, 'sourceDialect' | 'coercions'>;

/**
 * The steps of `createSchema`: tables before the data; indexes of a table whose rows are all in
 * (while others still load); constraints after all the data; sequences again at a cutover.
 */
export type SchemaPhase = 'tables' | 'indexes' | 'constraints' | 'sequences';

/** Something DDL could not carry exactly (a default expression in another dialect, …), said to the user. */
export interface SchemaNote {
  table: string;
  /** Column, index or constraint the note is about, when there is one. */
  object?: string;
  message: string;
}

/** One consistent point in time of a source, shared by every read until it is released. */
export interface SourceSnapshot {
  /**
   * Where the source's change log stood at that point, for change data capture to start from
   * (PostgreSQL `lsn`, MariaDB/MySQL binlog `file`/`position` and `gtid`); absent where the engine
   * has no log (SQLite).
   */
  position?: Record<string, string>;
  /** When the snapshot was taken (ISO 8601, UTC). */
  takenAt: string;
  /**
   * How many reads may run at once inside it: what `SnapshotOptions.readers` asked for, or fewer
   * where the engine cannot (SQLite reads on one connection).
   */
  readers: number;
}

/** The state of a table on the target before a copy. */
export interface ExistingTable {
  name: string;
  /** Whether it holds at least one row. */
  hasRows: boolean;
}

/**
 * Engine health figures a source may report beside its probe, by engine-neutral name:
 * `threads-running` (MariaDB/MySQL statements executing now), `history-length` (InnoDB undo
 * records a long snapshot keeps), `replication-lag` (seconds), `active-backends` (PostgreSQL
 * sessions running a statement in this database) and `xmin-age` (transactions the oldest
 * PostgreSQL snapshot holds back vacuum by).
 */
export type LoadMetric =
  | 'threads-running'
  | 'history-length'
  | 'replication-lag'
  | 'active-backends'
  | 'xmin-age';

/** What `sampleLoad` measures with. */
export interface LoadProbe {
  /** A table whose `SELECT 1 FROM t LIMIT 1` is the probe (it waits on that table's locks); default `SELECT 1`. */
  table?: string;
  /** Seconds after which a probe still waiting is cancelled and reported as taking this long (default 5). */
  timeoutSeconds?: number;
}

/** One measurement of a source's health. */
export interface LoadSample {
  /** How long the probe took, in seconds; at least `timeoutSeconds` when it was cancelled. */
  probeSeconds: number;
  /** The figures this engine and the account's privileges can read; an absent one is unknown. */
  metrics: Partial<Record<LoadMetric, number>>;
}

/**
 * What a run will do on one side, for `checkAccess`. The source reads `tables` (inside a
 * consistent snapshot when `snapshot`); the target creates tables and Ferry's progress table, and
 * writes into (after dropping or emptying, as `clear` says) the `tables` that exist already.
 */
export interface AccessRequest {
  role: 'source' | 'target';
  /** Source: the tables read. Target: the tables that exist already and will be written into, emptied or dropped. */
  tables: string[];
  /** Source: the run opens a consistent snapshot (`openSnapshot`) and records the change log position. */
  snapshot: boolean;
  /** Target: the run creates tables (schema phase), not only Ferry's progress table. */
  createTables?: boolean;
  /** Target: only the schema is created; no row is written (no progress table, no bulk load). */
  schemaOnly?: boolean;
  /** Target: what happens first to the existing `tables`. */
  clear?: 'drop' | 'truncate';
  /**
   * The run's mode. `snapshot` is a full load; `sync` (change data capture) adds, on a source, the
   * change stream's server settings (PostgreSQL `wal_level`, MariaDB/MySQL binlog settings),
   * privileges (REPLICATION, REPLICATION SLAVE) and room (replication slots, WAL senders), and a
   * row identity for every table (PostgreSQL: a primary key, `REPLICA IDENTITY FULL` or a replica
   * identity index; MariaDB/MySQL: a warning per table without a primary or unique NOT NULL key).
   */
  mode: 'snapshot' | 'sync';
  /** Target: about how many bytes the run will write (the source's estimate), for a free space check. */
  expectedBytes?: number;
}

/** A privilege, setting or room a run needs that this side lacks, said as the engine names it. */
export interface AccessProblem {
  level: 'error' | 'warning';
  /** What it is about: a table, the schema or database, the server, the file. */
  subject: string;
  /** The privilege or setting, as the engine spells it: `RELOAD`, `SELECT`, `local_infile`. */
  need: string;
  /** One line: who lacks what (`MariaDB user 'ferry_ro'@'%' lacks RELOAD …`). */
  message: string;
  /** One line: the statement to run or the setting to change. */
  fix: string;
}

/** What `Connector.makeReadOnly` did. */
export interface ReadOnlySource {
  /** What now refuses writes, for the cutover's log. */
  detail: string;
  /** The statement that makes the source writable again. */
  undo: string;
}

/** One database reached through one URL. Created by the registry; `connect` before anything else. */
export interface Connector {
  readonly dialect: Dialect;
  readonly capabilities: ConnectorCapabilities;
  /** The engine's type system: native types, and mappings from other dialects with their losses. */
  readonly types: TypeSystem;
  /** The URL with the password hidden, for messages. */
  readonly display: string;

  /** Opens the connection(s). Throws ConnectionError naming host and port when the server does not answer. */
  connect(): Promise<void>;

  /**
   * Describes tables (columns, keys, indexes, foreign keys, auto-increment positions) and other
   * objects (views, triggers, routines). Tables named in the filter that do not exist are simply
   * absent from the result: the caller decides whether that is an error.
   */
  introspect(filter?: TableFilter): Promise<DatabaseSchema>;

  /**
   * The names of the tables `introspect()` would describe, without describing them: cheap enough
   * to call every few seconds (a sync looks for new tables this way). Absent = the engine lists
   * them only through `introspect`.
   */
  tableNames?(): Promise<string[]>;

  /** Which of `names` exist as tables here, and whether each holds rows. Writes nothing. */
  existingTables(names: string[]): Promise<ExistingTable[]>;

  /** Drops the named tables (and what depends on them). */
  dropTables(names: string[]): Promise<void>;

  /** Removes every row of the named tables, keeping their definitions. */
  truncateTables(names: string[]): Promise<void>;

  /**
   * Creates schema on this (target) database. `tables`: the tables with primary keys (and, where
   * the engine cannot add them later, foreign keys). `indexes`: the given tables' keys and indexes
   * built after the data, once those tables' rows are all in (other tables may still be loading);
   * a connector may leave them to `constraints`. `constraints`: after the data, secondary and
   * unique indexes not built yet, foreign keys, and auto-increment positions past both the source's next value
   * and the highest value present, so that an INSERT without an id gets a new one. `sequences`:
   * only those auto-increment positions again (a sync's cutover, when the source has moved on). Returns a note
   * for each thing it could not carry exactly (never drops one silently).
   */
  createSchema(request: SchemaRequest, phase: SchemaPhase): Promise<SchemaNote[]>;

  /**
   * Target side, sync mode: adds `columns` (already named for the target, typed as the source
   * describes them) at the end of table `table`, rendered as `createSchema` renders a column
   * (type mapping, default, nullability), in one statement where the engine allows. A column of
   * that name that exists already is left as it is, so a replay is harmless. Called only while no
   * apply session holds the table. Returns a note for what could not be carried (a default);
   * throws DatabaseError naming the table when the engine refuses. Absent = the engine cannot.
   */
  addColumns?(table: string, columns: Column[], request: ColumnsRequest): Promise<SchemaNote[]>;

  /** Recreates views, triggers and routines from a source of the same dialect. */
  createObjects(objects: SchemaObject[]): Promise<void>;

  /**
   * Streams the table's copied columns (`copiedColumns`) as batches of canonical values, in
   * primary-key order where there is one, holding no more than one batch at a time. Throws
   * ValueError for a stored value that its column's type cannot describe exactly.
   */
  read(table: Table, options: ReadOptions): AsyncIterable<RowBatch>;

  /**
   * Bulk-loads batches whose rows follow `copiedColumns(table)`, in one transaction where the
   * engine has them. A value the target would change (truncate, clamp, drop) is handled by the
   * policy `options.coercions` gives for its loss kind: `error` (default) throws `lossError`
   * (table, column, key), anything else is applied and counted with `coercions.applied`.
   */
  write(table: Table, batches: AsyncIterable<RowBatch>, options?: WriteOptions): Promise<WriteResult>;

  /**
   * Source side: splits the table into consecutive key ranges of at most `options.rows` rows each
   * (from the current data; exact sizes are not promised), in binary order of `options.key`. The
   * ranges cover every possible key: the first has no `after`, the last no `through`, and each
   * `after` is the previous `through`. A table of at most `options.rows` rows is one range `{}`.
   */
  planChunks(table: Table, options: ChunkPlanOptions): Promise<KeyRange[]>;

  /**
   * Source side: the encodings in which this table's rows can be read and handed to a writer
   * without decoding a value, best first: an engine's own (PostgreSQL binary COPY, MariaDB LOAD
   * DATA lines) and Ferry's neutral TEXT_LINES (src/values/text-lines.ts). Empty when none keeps
   * every value exactly.
   */
  rowEncodings(table: Table): Promise<string[]>;

  /**
   * Target side: whether rows of `table` (as the source describes it) in `encoding` load into the
   * target table of that name with every value unchanged (same column types, same text encoding).
   * A value the target refuses in that encoding fails the write; the engine then copies the chunk
   * again decoded, so the error names its column and key.
   */
  acceptsEncoding(table: Table, encoding: string): Promise<boolean>;

  /** Target side, before the first chunk write: creates PROGRESS_TABLE where it is missing. */
  prepareProgress(): Promise<void>;

  /** Target side: the chunks recorded for `run` (none when PROGRESS_TABLE does not exist). */
  recordedChunks(run: string): Promise<RecordedChunk[]>;

  /**
   * Source side, before the first read: fixes one consistent point in time. Until
   * `releaseSnapshot`, every `read` sees the database exactly as of that point, whatever is
   * written meanwhile (PostgreSQL: a REPEATABLE READ transaction whose snapshot is exported;
   * MariaDB/MySQL: START TRANSACTION WITH CONSISTENT SNAPSHOT taken under a brief
   * FLUSH TABLES WITH READ LOCK to record the binlog position; SQLite: one read transaction).
   * With `readers` > 1, that many reads may run at once, all at the same point (MariaDB/MySQL
   * opens one transaction per reader under the same lock). Throws ConnectionError/DatabaseError
   * (naming the privilege or timeout) when it cannot.
   */
  openSnapshot(options?: SnapshotOptions): Promise<SourceSnapshot>;

  /** Ends the snapshot's transaction(s); later reads see the current data again. Safe to call twice. */
  releaseSnapshot(): Promise<void>;

  /**
   * Source side, while copying (about once a second): times the probe and reads the engine's load
   * figures, on a connection of its own (never a snapshot reader's), so a busy pool or a long read
   * does not delay it. A probe still waiting after `probe.timeoutSeconds` is cancelled and reported
   * as that long, never left hanging. Throws DatabaseError when the probe table cannot be read.
   */
  sampleLoad(probe?: LoadProbe): Promise<LoadSample>;

  /**
   * Whether this engine renders `column` for a checksum inside the database in `mode` exactly as
   * the canonical row text (src/values/canonical-text.ts) of its reader's values would be; false
   * = Ferry hashes that column after reading it (PostgreSQL jsonb reorders keys, …).
   */
  canRenderChecksum(column: Column, mode: ChecksumMode): boolean;

  /**
   * The checksum of the rows of `options.range` (binary order of `options.key`, the same rows
   * `read` gives for that range): their count and the sums of the MD5 halves of their row texts
   * over `options.columns`, computed where the data is, so matching rows never cross the network.
   * Every column must be one `canRenderChecksum` accepts. Throws DatabaseError naming the table.
   */
  checksum(table: Table, options: ChecksumOptions): Promise<ChunkChecksum>;

  /**
   * Preflight, on a connected side: which privileges, settings and room the work of `request`
   * needs that this account or server lacks, checked from the catalogs without writing anything.
   * Returns no problem when all is there. Absent = the engine cannot tell (nothing is checked).
   */
  checkAccess?(request: AccessRequest): Promise<AccessProblem[]>;

  /**
   * Whether a failure raised by this connector (or its driver) may pass if the work is tried
   * again: a lost or killed connection, a deadlock, a lock wait timeout, a server shutting down.
   */
  isTransient(error: unknown): boolean;

  /**
   * Source side, sync mode: the committed transactions of `options.tables` from `options.from` on
   * (see ChangeStream). Absent where the engine has no change log (SQLite). Throws DatabaseError
   * naming the setting or privilege when the log cannot be read (PostgreSQL `wal_level`, MariaDB
   * `binlog_format`, a slot that is gone, a binlog file already purged).
   */
  openChangeStream?(options: ChangeStreamOptions): Promise<ChangeStream>;

  /** Source side: removes what the stream `name` keeps on the source (slot, publication). Safe when none exists. */
  dropChangeStream?(name: string): Promise<void>;

  /**
   * Source side, cutover (`ferry cutover --read-only`): makes the source refuse the application's
   * writes, as far as the engine allows (docs/sync.md says what each engine does and who can still
   * write), and says how to undo it. Ferry's own reading goes on. Throws DatabaseError naming the
   * privilege when refused.
   */
  makeReadOnly?(): Promise<ReadOnlySource>;

  /** Target side, sync mode: applies a stream's transactions (see ChangeApplier). */
  openApplier?(options: ApplierOptions): Promise<ChangeApplier>;

  /** Releases every connection. Safe to call twice. */
  close(): Promise<void>;
}
