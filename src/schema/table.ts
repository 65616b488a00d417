/**
 * The neutral schema model: what introspection returns and what DDL consumes. Names are the
 * engine's own (case kept); every connector quotes them.
 */
import type { Dialect } from '../connectors/dialect.js';
import type { LogicalType } from './logical-type.js';

/** A column default: a literal in canonical text form, or an expression in the source's dialect. */
export type ColumnDefault =
  | { kind: 'literal'; value: string }
  | { kind: 'expression'; sql: string; dialect: Dialect };

/** An automatically numbered column (AUTO_INCREMENT, identity, serial, SQLite rowid alias). */
export interface AutoIncrement {
  /** PostgreSQL `GENERATED ALWAYS`: the engine refuses explicit values in INSERT. */
  always?: boolean;
  /** The value the source would hand out next, as decimal text, when the engine reports it. */
  nextValue?: string;
  /** Numbers are never reused (SQLite AUTOINCREMENT): the target keeps a high-water mark. */
  strict?: boolean;
}

/** One column of a table. */
export interface Column {
  name: string;
  type: LogicalType;
  /** The full native type as the source engine wrote it (`tinyint(1) unsigned`, `numeric(10,2)`). */
  nativeType: string;
  nullable: boolean;
  default?: ColumnDefault;
  /** Computed by the engine: never read or written, recreated from its expression. */
  generated?: { expression: string; stored: boolean; dialect: Dialect };
  autoIncrement?: AutoIncrement;
  comment?: string;
  /** MySQL character set / collation or PostgreSQL collation, when not the default. */
  collation?: string;
}

/** One column of an index: a prefix length and a direction where the engine has them. */
export interface IndexColumn {
  name: string;
  descending?: boolean;
  /** MySQL prefix index length in characters (or bytes for binary columns). */
  prefixLength?: number;
}

/** A secondary or unique index (the primary key is `Table.primaryKey`). */
export interface Index {
  name: string;
  columns: IndexColumn[];
  unique: boolean;
  /** The full native definition, used verbatim between same engines (expression indexes etc.). */
  definition?: { sql: string; dialect: Dialect };
}

/** Referential action of a foreign key. */
export type ForeignKeyAction = 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT';

/** A foreign key from `columns` of this table to `referencedColumns` of `referencedTable`. */
export interface ForeignKey {
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ForeignKeyAction;
  onUpdate: ForeignKeyAction;
}

/** A table: columns in their ordinal order, keys, indexes, foreign keys. */
export interface Table {
  name: string;
  columns: Column[];
  /** Column names of the primary key, in key order; empty when the table has none. */
  primaryKey: string[];
  /** The primary key constraint's name where the engine names it. */
  primaryKeyName?: string;
  indexes: Index[];
  foreignKeys: ForeignKey[];
  comment?: string;
  /** The source's row count estimate (statistics), for progress; not exact. */
  estimatedRows?: number;
  /** The source's estimate of the table's data size in bytes (statistics), for chunk sizes; not exact. */
  estimatedBytes?: number;
  /**
   * Source side: the rows a run works on, as an SQL condition in the source's dialect (a plan's
   * `where`); reads and checksums take only matching rows (ReadOptions.where). Absent = every row.
   */
  rowFilter?: string;
}

/** A database object other than a table: copied between same engines, listed otherwise. */
export interface SchemaObject {
  kind: 'view' | 'trigger' | 'routine' | 'event' | 'sequence';
  name: string;
  /** The table a trigger belongs to. */
  table?: string;
  /** The statement(s) that recreate it, in the source dialect. */
  definition: string;
}

/** The result of introspection. */
export interface DatabaseSchema {
  dialect: Dialect;
  /** The server's product and version, e.g. `MariaDB 10.11.19` or `PostgreSQL 15.19`. */
  serverVersion: string;
  tables: Table[];
  objects: SchemaObject[];
}

/** The columns Ferry reads and writes: every column the engine does not compute itself. */
export function copiedColumns(table: Table): Column[] {
  return table.columns.filter((column) => column.generated === undefined);
}

/**
 * The columns a table's chunks split on: its primary key, else the first unique index made only of
 * whole NOT NULL columns; undefined when there is neither (the table is copied in one chunk).
 */
export function chunkKeyOf(table: Table): string[] | undefined {
  if (table.primaryKey.length > 0) return table.primaryKey;
  const notNull = new Set(table.columns.filter((column) => !column.nullable).map((column) => column.name));
  const unique = table.indexes.find(
    (index) =>
      index.unique &&
      // Expression and partial indexes list no columns.
      index.columns.length > 0 &&
      index.columns.every((column) => column.prefixLength === undefined && notNull.has(column.name)),
  );
  return unique?.columns.map((column) => column.name);
}
