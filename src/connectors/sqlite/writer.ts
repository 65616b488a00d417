/**
 * Loads batches into a SQLite table with one prepared INSERT, all in one transaction per write()
 * call. Each value is bound so that the column's affinity keeps it as it is; a value SQLite would
 * change (NaN → NULL, 2^63 → REAL, '12' into a NUMERIC column → 12) is a ValueError instead.
 */

import { DatabaseError, messageOf, ValueError } from '../../errors.js';
import { type Column, copiedColumns, type Table } from '../../schema/table.js';
import type { CanonicalValue, RowBatch } from '../../values/canonical.js';
import type { WriteResult } from '../connector.js';
import { sqliteAffinities } from './reader.js';
import { describeRowKey, keyPositions } from './row-key.js';
import type { SqliteDatabase } from './session.js';
import { quoteSqliteIdent } from './sql.js';
import { encodeSqliteValue, type SqliteAffinity, type SqliteParam, SqliteValueProblem } from './types.js';

/** Inserts every row of `batches` (rows follow `copiedColumns(table)`) in one transaction; rolls back on any error. */
export async function writeSqliteTable(
  db: SqliteDatabase,
  table: Table,
  batches: AsyncIterable<RowBatch>,
): Promise<WriteResult> {
  const columns = copiedColumns(table);
  const names = columns.map((column) => quoteSqliteIdent(column.name)).join(', ');
  const marks = columns.map(() => '?').join(', ');
  let affinities: SqliteAffinity[];
  let insert: ReturnType<SqliteDatabase['prepare']>;
  try {
    affinities = sqliteAffinities(db, table.name, columns);
    insert = db.prepare(`INSERT INTO ${quoteSqliteIdent(table.name)} (${names}) VALUES (${marks})`);
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    throw new DatabaseError(
      'SQLITE_WRITE_FAILED',
      `Preparing to load table "${table.name}" failed: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  const positions = keyPositions(columns, table.primaryKey);
  let rows = 0;
  let bytes = 0;
  try {
    for await (const batch of batches) {
      for (const row of batch.rows) {
        rows++;
        const params = encodeRow(table, columns, affinities, row, positions, rows);
        try {
          insert.run(params);
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
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
  return { rows, bytes };
}

function encodeRow(
  table: Table,
  columns: Column[],
  affinities: SqliteAffinity[],
  row: CanonicalValue[],
  positions: number[],
  ordinal: number,
): SqliteParam[] {
  if (row.length !== columns.length) {
    throw new DatabaseError(
      'SQLITE_ROW_SHAPE',
      `A row for table "${table.name}" has ${row.length} values where ${columns.length} columns are copied.`,
    );
  }
  const params: SqliteParam[] = new Array(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    try {
      params[i] = encodeSqliteValue(column.type, affinities[i]!, row[i] ?? null);
    } catch (error) {
      if (!(error instanceof SqliteValueProblem)) throw error;
      throw new ValueError(
        error.code,
        `Table "${table.name}", column "${column.name}", ${describeRowKey(columns, positions, row, ordinal)}: the value ${error.message}. Nothing of this write was kept.`,
        { table: table.name, column: column.name, cause: error },
      );
    }
  }
  return params;
}
