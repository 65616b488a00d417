/**
 * The Connector contract: everything the engine knows about a database. One implementation per
 * engine folder (`postgres/`, `mysql/`, `sqlite/`); outside those folders no code names an engine.
 */
import type { DatabaseSchema, SchemaObject, Table } from '../schema/table.js';
import type { TypeSystem } from '../schema/type-system.js';
import type { RowBatch } from '../values/canonical.js';
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

/** Size limits of a read; batches close at whichever comes first. */
export interface ReadOptions {
  batchRows: number;
  batchBytes: number;
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
}

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
}

/** The state of a table on the target before a copy. */
export interface ExistingTable {
  name: string;
  /** Whether it holds at least one row. */
  hasRows: boolean;
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

  /** Which of `names` exist as tables here, and whether each holds rows. Writes nothing. */
  existingTables(names: string[]): Promise<ExistingTable[]>;

  /** Drops the named tables (and what depends on them). */
  dropTables(names: string[]): Promise<void>;

  /** Removes every row of the named tables, keeping their definitions. */
  truncateTables(names: string[]): Promise<void>;

  /**
   * Creates schema on this (target) database. `tables`: the tables with primary keys (and, where
   * the engine cannot add them later, foreign keys). `constraints`: after the data, secondary and
   * unique indexes, foreign keys, and auto-increment positions past both the source's next value
   * and the highest value present, so that an INSERT without an id gets a new one. Returns a note
   * for each thing it could not carry exactly (never drops one silently).
   */
  createSchema(request: SchemaRequest, phase: 'tables' | 'constraints'): Promise<SchemaNote[]>;

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
   * Source side, before the first read: fixes one consistent point in time. Until
   * `releaseSnapshot`, every `read` sees the database exactly as of that point, whatever is
   * written meanwhile (PostgreSQL: a REPEATABLE READ transaction whose snapshot is exported;
   * MariaDB/MySQL: START TRANSACTION WITH CONSISTENT SNAPSHOT taken under a brief
   * FLUSH TABLES WITH READ LOCK to record the binlog position; SQLite: one read transaction).
   * Throws ConnectionError/DatabaseError (naming the privilege or timeout) when it cannot.
   */
  openSnapshot(): Promise<SourceSnapshot>;

  /** Ends the snapshot's transaction(s); later reads see the current data again. Safe to call twice. */
  releaseSnapshot(): Promise<void>;

  /** Releases every connection. Safe to call twice. */
  close(): Promise<void>;
}
