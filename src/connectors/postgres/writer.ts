/**
 * Bulk load: `COPY t (cols) FROM STDIN` in text format inside one transaction per write() call.
 * Values are checked by the type table before they leave (NUL in text, over-long text, lost float
 * or decimal digits); what PostgreSQL still refuses becomes a ValueError naming column and key.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DatabaseError, FerryError, isFerryError, messageOf, ValueError } from '../../errors.js';
import { type Column, copiedColumns, type Table } from '../../schema/table.js';
import type { Row, RowBatch } from '../../values/canonical.js';
import type { WriteResult } from '../connector.js';
import { copyErrorToValueError, describeKey } from './copy-errors.js';
import { encodeCopyLine } from './copy-text.js';
import { qualify, quoteIdent } from './identifiers.js';
import { PostgresKeyWindow } from './key-window.js';
import { PostgresEncodeProblem, postgresEncoder } from './types.js';

/** Bytes gathered before a chunk goes to the socket: large enough to amortise, small enough to stream. */
const CHUNK_BYTES = 256 * 1024;

/** Writes batches of canonical rows into one table of one schema. */
export class PostgresWriter {
  constructor(
    private readonly acquire: () => Promise<pg.PoolClient>,
    private readonly schema: string,
  ) {}

  /** Loads every batch in one transaction; nothing stays when anything fails. */
  async write(table: Table, batches: AsyncIterable<RowBatch>): Promise<WriteResult> {
    const columns = copiedColumns(table);
    const names = columns.map((column) => quoteIdent(column.name)).join(', ');
    const sql = `COPY ${qualify(this.schema, table.name)} (${names}) FROM STDIN`;
    const keyNames = table.primaryKey.filter((name) => columns.some((column) => column.name === name));
    const keys = new PostgresKeyWindow(
      keyNames,
      keyNames.map((name) => columns.findIndex((column) => column.name === name)),
    );
    const result: WriteResult = { rows: 0, bytes: 0 };
    const client = await this.acquire();
    let broken = false;
    try {
      await client.query('BEGIN');
      const copy = client.query(copyFrom(sql));
      await pipeline(Readable.from(encodeBatches(table, columns, batches, keys, result)), copy);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw this.wrap(error, table, columns, keys);
    } finally {
      client.release(broken);
    }
  }

  private wrap(error: unknown, table: Table, columns: Column[], keys: PostgresKeyWindow): unknown {
    if (isFerryError(error)) return error;
    const fields = error as { code?: string; message?: string; where?: string };
    const valueError = copyErrorToValueError(
      { ...fields, message: messageOf(error) },
      table,
      columns,
      (line) => keys.keyAt(line),
    );
    if (valueError) return valueError;
    // Other failures (lost connection, missing table, privileges) say nothing about a value.
    const code = typeof fields.code === 'string' ? ` (SQLSTATE ${fields.code})` : '';
    return new DatabaseError(
      'PG_COPY_FAILED',
      `Loading table "${table.name}" with COPY failed${code}: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** The COPY text of the batches, in chunks of about CHUNK_BYTES; counts rows and bytes as it goes. */
async function* encodeBatches(
  table: Table,
  columns: Column[],
  batches: AsyncIterable<RowBatch>,
  keys: PostgresKeyWindow,
  result: WriteResult,
): AsyncGenerator<Buffer> {
  const encoders = columns.map((column) => postgresEncoder(column.type));
  const fields: Array<string | null> = new Array(columns.length);
  let text = '';
  for await (const batch of batches) {
    for (const row of batch.rows) {
      if (row.length !== columns.length) {
        throw new FerryError(
          'ROW_SHAPE',
          `A row for table "${table.name}" has ${row.length} values; the table copies ${columns.length} columns.`,
        );
      }
      for (let i = 0; i < columns.length; i++) {
        const value = row[i];
        if (value === null || value === undefined) {
          fields[i] = null;
          continue;
        }
        try {
          fields[i] = encoders[i]!(value);
        } catch (error) {
          throw encodeError(error, table, columns[i]!, row);
        }
      }
      keys.add(row);
      text += encodeCopyLine(fields);
      result.rows++;
      if (text.length >= CHUNK_BYTES) {
        const chunk = Buffer.from(text, 'utf8');
        result.bytes += chunk.length;
        text = '';
        yield chunk;
      }
    }
  }
  if (text.length > 0) {
    const chunk = Buffer.from(text, 'utf8');
    result.bytes += chunk.length;
    yield chunk;
  }
}

function encodeError(error: unknown, table: Table, column: Column, row: Row): unknown {
  if (!(error instanceof PostgresEncodeProblem)) return error;
  const columns = copiedColumns(table);
  const positions = table.primaryKey.map((name) => columns.findIndex((c) => c.name === name));
  const key =
    positions.length > 0 && positions.every((p) => p >= 0)
      ? ` (key ${describeKey(
          table.primaryKey,
          positions.map((p) => row[p] ?? null),
        )})`
      : '';
  return new ValueError(
    'VALUE_NOT_REPRESENTABLE',
    `Cannot write table "${table.name}", column "${column.name}"${key}: the value ${error.message}. Fix the source value or change the target column.`,
    { table: table.name, column: column.name },
  );
}
