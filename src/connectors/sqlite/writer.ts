/**
 * Loads batches into a SQLite table with one prepared INSERT, all in one transaction per write()
 * call. Each value is bound so that the column's affinity keeps it as it is; a value SQLite would
 * change (NaN → NULL, 2^63 → REAL, a type SQLite lacks) is a loss, handled by the run's policy
 * (default: lossError, and nothing of the write is kept).
 */

import { DatabaseError, messageOf, ValueError } from '../../errors.js';
import { type Column, copiedColumns, type Table } from '../../schema/table.js';
import type { CanonicalValue, RowBatch } from '../../values/canonical.js';
import type { Coercions } from '../../values/coercions.js';
import type { ChunkRecord, WriteOptions, WriteResult } from '../connector.js';
import {
  checkStorageClass,
  encodeSqliteValue,
  type SqliteParam,
  type SqliteSlot,
  SqliteValueProblem,
} from './codecs.js';
import { applySqlitePolicy, sqliteTarget } from './loss-policy.js';
import { recordSqliteChunk } from './progress.js';
import { type SqliteDeclared, sqliteDeclared } from './reader.js';
import { deleteSqliteKeys } from './replace.js';
import { describeRowKey, keyPositions, rowKeyText } from './row-key.js';
import type { SqliteDatabase } from './session.js';
import { quoteSqliteIdent } from './sql.js';
import { isSqliteTextBytes } from './text-bytes.js';

type Statement = ReturnType<SqliteDatabase['prepare']>;

/** A target column: its declared type and affinity, and whether it is the source column's own type. */
export type WriteSlot = SqliteSlot & SqliteDeclared;

/** The target columns `columns` land in (the file's declared types), for encodeSqliteField. */
export function writeSlots(db: SqliteDatabase, table: string, columns: Column[]): WriteSlot[] {
  // Same-engine DDL copies the native type verbatim, so a matching declared type means a SQLite source.
  return sqliteDeclared(db, table, columns).map((declared, i) => ({
    ...declared,
    native: sameType(declared.declared, columns[i]!.nativeType),
  }));
}

const sameType = (a: string, b: string) =>
  a.trim().replace(/\s+/g, ' ').toUpperCase() === b.trim().replace(/\s+/g, ' ').toUpperCase();

/**
 * Inserts every row of `batches` (rows follow `copiedColumns(table)`) and, for a chunk, its progress
 * record, in one transaction; rolls back on any error. The caller runs one write at a time.
 */
export async function writeSqliteTable(
  db: SqliteDatabase,
  table: Table,
  batches: AsyncIterable<RowBatch>,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const columns = copiedColumns(table);
  const names = columns.map((column) => quoteSqliteIdent(column.name)).join(', ');
  // better-sqlite3 binds a Buffer as BLOB: TEXT handed over as its bytes is cast back to TEXT.
  const insertSql = (asText: boolean[]) =>
    `INSERT INTO ${quoteSqliteIdent(table.name)} (${names}) VALUES (${asText.map((text) => (text ? 'CAST(? AS TEXT)' : '?')).join(', ')})`;
  const variants = new Map<string, Statement>();
  const statementFor = (params: SqliteParam[]): Statement => {
    const asText = params.map(isSqliteTextBytes);
    if (!asText.includes(true)) return insert;
    const key = asText.map(Number).join('');
    let statement = variants.get(key);
    if (!statement) {
      statement = db.prepare(insertSql(asText));
      variants.set(key, statement);
    }
    return statement;
  };
  let slots: WriteSlot[];
  let insert: Statement;
  try {
    slots = writeSlots(db, table.name, columns);
    insert = db.prepare(insertSql(columns.map(() => false)));
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    throw new DatabaseError(
      'SQLITE_WRITE_FAILED',
      `Preparing to load table "${table.name}" failed: ${messageOf(error)}`,
      { cause: error },
    );
  }
  const positions = keyPositions(columns, table.primaryKey);
  let rows = 0;
  let bytes = 0;
  try {
    if (options.replace) deleteSqliteKeys(db, table, options.replace);
    for await (const batch of batches) {
      for (const row of batch.rows) {
        rows++;
        const params = encodeRow(table, columns, slots, row, positions, rows, options.coercions);
        try {
          statementFor(params).run(params);
        } catch (error) {
          const where = describeRowKey(columns, positions, row, rows);
          throw new DatabaseError(
            'SQLITE_WRITE_FAILED',
            `Inserting into table "${table.name}" failed at ${where}: ${messageOf(error)}`,
            { cause: error },
          );
        }
      }
      bytes += batch.bytes;
    }
    // The chunk's record commits with its rows, or neither does (DESIGN.md principle 3).
    if (options.chunk) recordChunk(db, table, options.chunk, { rows, bytes });
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
  return { rows, bytes };
}

function recordChunk(db: SqliteDatabase, table: Table, chunk: ChunkRecord, written: WriteResult): void {
  try {
    recordSqliteChunk(db, chunk, written);
  } catch (error) {
    throw new DatabaseError(
      'SQLITE_CHUNK_RECORD_FAILED',
      `Recording chunk ${chunk.chunk} of table "${table.name}" (run ${chunk.run}) failed: ${messageOf(error)}. Nothing of this chunk was kept.`,
      { cause: error },
    );
  }
}

function encodeRow(
  table: Table,
  columns: Column[],
  slots: WriteSlot[],
  row: CanonicalValue[],
  positions: number[],
  ordinal: number,
  coercions: Coercions | undefined,
): SqliteParam[] {
  if (row.length !== columns.length) {
    throw new DatabaseError(
      'SQLITE_ROW_SHAPE',
      `A row for table "${table.name}" has ${row.length} values where ${columns.length} columns are copied.`,
    );
  }
  const params: SqliteParam[] = new Array(columns.length);
  for (let i = 0; i < columns.length; i++) {
    params[i] = encodeSqliteField(table, columns, slots, i, row, positions, ordinal, coercions);
  }
  return params;
}

/**
 * The bound parameter of `row[i]` for column `columns[i]` landing in `slots[i]`: a value SQLite
 * would change goes to the run's policy (default lossError naming table, column and key).
 */
export function encodeSqliteField(
  table: Table,
  columns: Column[],
  slots: WriteSlot[],
  i: number,
  row: CanonicalValue[],
  positions: number[],
  ordinal: number,
  coercions: Coercions | undefined,
): SqliteParam {
  const column = columns[i]!;
  const slot = slots[i]!;
  try {
    return encodeSqliteValue(column.type, slot, row[i] ?? null);
  } catch (error) {
    if (!(error instanceof SqliteValueProblem)) throw error;
    const where = () => rowKeyText(columns, positions, row, ordinal);
    if (!error.loss) {
      throw new ValueError(
        error.code,
        `Table "${table.name}", column "${column.name}", key ${where()}: the value ${error.message}. Nothing of this write was kept.`,
        { table: table.name, column: column.name, cause: error },
      );
    }
    const site = {
      table: table.name,
      column: column.name,
      key: where(),
      target: sqliteTarget(slot.declared),
      nullable: column.nullable,
    };
    const value = applySqlitePolicy(coercions, { ...site, loss: error.loss }, error.fixes);
    try {
      return checkStorageClass(column.type, slot.affinity, value);
    } catch (again) {
      if (!(again instanceof SqliteValueProblem)) throw again;
      return applySqlitePolicy(coercions, { ...site, loss: 'storage-class' }, {});
    }
  }
}
