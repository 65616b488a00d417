/**
 * A SQLite chunk's checksum (the verify spec). SQLite is embedded, so nothing crosses a network:
 * the chunk's rows come from the connector's own reader (same range, same key order, same value
 * decoding) and are hashed here, in JS, with the canonical row text of src/values/canonical-text.ts.
 */
import { FerryError } from '../../errors.js';
import type { LogicalType } from '../../schema/logical-type.js';
import { type Column, copiedColumns, type Table } from '../../schema/table.js';
import type { CanonicalValue } from '../../values/canonical.js';
import {
  type ChecksumMode,
  type ChunkChecksum,
  ChunkHasher,
  canonicalField,
  canonicalRowText,
  canonicalText,
} from '../../values/canonical-text.js';
import type { Coercions } from '../../values/coercions.js';
import type { KeyRange } from '../connector.js';
import { readSqliteTable } from './reader.js';
import type { SqliteDatabase } from './session.js';
import { isSqliteTextBytes } from './text-bytes.js';

/** Rows and bytes per batch of the checksum's read, unless the caller says otherwise. */
const CHECKSUM_BATCH = { batchRows: 10_000, batchBytes: 16 << 20 };

/** Options of sqliteChunkChecksum: the spec's, plus what the SQLite reader takes. */
export interface SqliteChecksumOptions {
  /** The compared columns, in row-text order. */
  columns: string[];
  mode: ChecksumMode;
  /** The columns `range` is on (default the primary key). */
  key?: string[];
  /** Only the rows of this range of `key` (binary order, as planChunks made it); absent = every row. */
  range?: KeyRange;
  /** Only the rows matching this condition (ReadOptions.where; default the table's `rowFilter`). */
  where?: string;
  /** Canonical mode: the policies the copy read with, so a NULLed mismatch compares as NULL. */
  coercions?: Coercions;
  /** Read batch limits (default CHECKSUM_BATCH): memory stays bounded whatever the chunk's size. */
  batchRows?: number;
  batchBytes?: number;
  /** Row iterators in progress, so that closing the connection can end this read (SqliteSession.openReads). */
  openReads?: Set<Iterator<unknown>>;
}

/**
 * Whether SQLite can render column `column` in `mode`: always, since the row text is computed in
 * JS from the reader's values (SQLite JSON is stored text, rendered as stored).
 */
export function sqliteCanRender(_column: Column, _mode: ChecksumMode): boolean {
  return true;
}

/**
 * The row text of one row read by the SQLite reader. 'canonical' is canonicalRowText; 'native'
 * also tells storage classes apart where the reader handed a value over as stored (see nativeField).
 */
export function sqliteRowText(
  values: readonly CanonicalValue[],
  types: readonly LogicalType[],
  mode: ChecksumMode,
): string {
  if (mode === 'canonical') return canonicalRowText(values, types);
  if (values.length !== types.length) {
    throw new RangeError(`sqliteRowText: ${values.length} values for ${types.length} column types`);
  }
  return values.map((value, at) => nativeField(value, types[at] as LogicalType)).join('|');
}

/**
 * One chunk's checksum: count and the two sums over the rows of `range` of `key`, read and decoded
 * by the SQLite reader exactly as a copy of that chunk reads them.
 */
export async function sqliteChunkChecksum(
  db: SqliteDatabase,
  table: Table,
  options: SqliteChecksumOptions,
): Promise<ChunkChecksum> {
  const read = copiedColumns(table);
  const positions = options.columns.map((name) => columnAt(table, read, name));
  const types = positions.map((at) => (read[at] as Column).type);
  const hasher = new ChunkHasher();
  const batches = readSqliteTable(
    db,
    table,
    {
      batchRows: options.batchRows ?? CHECKSUM_BATCH.batchRows,
      batchBytes: options.batchBytes ?? CHECKSUM_BATCH.batchBytes,
      ...(options.range ? { range: options.range } : {}),
      ...(options.key ? { key: options.key } : {}),
      ...(options.where !== undefined ? { where: options.where } : {}),
      ...(options.coercions ? { coercions: options.coercions } : {}),
      // Native compares SQLite with SQLite: values are handed over as stored, as a SQLite copy gets them.
      ...(options.mode === 'native' ? { targetDialect: 'sqlite' as const } : {}),
    },
    options.openReads,
  );
  for await (const batch of batches) {
    for (const row of batch.rows) {
      hasher.addRowText(
        sqliteRowText(
          positions.map((at) => row[at] ?? null),
          types,
          options.mode,
        ),
      );
    }
  }
  return hasher.result();
}

/** The position of column `name` among the columns the reader yields (SQLite names ignore case). */
function columnAt(table: Table, read: Column[], name: string): number {
  let at = read.findIndex((column) => column.name === name);
  if (at < 0) at = read.findIndex((column) => column.name.toLowerCase() === name.toLowerCase());
  if (at < 0) {
    throw new FerryError(
      'SQLITE_CHECKSUM_COLUMN',
      `Table "${table.name}" has no copied column "${name}" to checksum (generated columns are not read).`,
    );
  }
  return at;
}

/** Whether `value` has the JS type the reader gives a decoded value of `type` (else it was handed over as stored). */
function decoded(value: Exclude<CanonicalValue, null>, type: LogicalType): boolean {
  switch (type.kind) {
    case 'integer':
      return typeof value === 'bigint';
    case 'boolean':
      return typeof value === 'boolean';
    case 'float':
      return typeof value === 'number';
    case 'binary':
      return Buffer.isBuffer(value) && !isSqliteTextBytes(value);
    case 'other':
      // Any storage class is an `other` value: INTEGER 5, REAL 5.0 and TEXT '5' must differ.
      return false;
    default:
      return typeof value === 'string';
  }
}

const BINARY: LogicalType = { kind: 'binary' };
const FLOAT: LogicalType = { kind: 'float', bits: 64 };
const TEXT: LogicalType = { kind: 'text' };

/**
 * A native field. A value as stored (a storage class its column's type does not describe, an
 * `other` value, TEXT whose bytes are not valid UTF-8) is tagged with its class after a backslash:
 * no canonical field starts with one except NULL's `\N`, so no two values render alike.
 */
function nativeField(value: CanonicalValue, type: LogicalType): string {
  if (value === null || decoded(value, type)) return canonicalField(value, type);
  if (isSqliteTextBytes(value)) return `\\X${canonicalText(value, BINARY)}`;
  if (Buffer.isBuffer(value)) return `\\B${canonicalText(value, BINARY)}`;
  if (typeof value === 'bigint') return `\\I${value}`;
  if (typeof value === 'number') return `\\R${canonicalText(value, FLOAT)}`;
  if (typeof value === 'string') return `\\T${canonicalField(value, TEXT)}`;
  // A boolean only comes from a boolean column, decoded: unreachable, kept total.
  return canonicalField(value, type);
}
