/**
 * Bulk load: `COPY t (cols) FROM STDIN` in text format inside one transaction per write() call,
 * followed, for a chunk, by its progress record (progress.ts) in the same transaction.
 * Every value is checked against its target column's real type before it leaves; one that does
 * not fit goes to the run's coercion policy (column-encoder.ts). What PostgreSQL still refuses
 * (duplicate keys, CHECKs, malformed input) becomes a ValueError naming column and key.
 */
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DatabaseError, FerryError, isFerryError, messageOf } from '../../errors.js';
import { type Column, copiedColumns, type Table } from '../../schema/table.js';
import type { Row, RowBatch } from '../../values/canonical.js';
import { Coercions } from '../../values/coercions.js';
import type { WriteOptions, WriteResult } from '../connector.js';
import { PostgresColumnEncoder, type PostgresTargetColumn } from './column-encoder.js';
import { BINARY_COPY_HEADER, BINARY_COPY_TRAILER } from './copy-binary.js';
import { copyErrorToValueError, describeKey } from './copy-errors.js';
import { encodeCopyLine } from './copy-text.js';
import { qualify, quoteIdent } from './identifiers.js';
import { PostgresKeyWindow } from './key-window.js';
import { recordPostgresChunk } from './progress.js';
import { deletePostgresKeys } from './replace.js';
import { TARGET_COLUMNS, type TargetColumnRow } from './sql.js';
import { isTextLines } from './text-lines.js';
import { logicalTypeOf, postgresCreatedType, postgresDdlType } from './types.js';

/** Bytes gathered before a chunk goes to the socket: large enough to amortise, small enough to stream. */
const CHUNK_BYTES = 256 * 1024;

/** Writes batches of canonical rows into one table of one schema. */
export class PostgresWriter {
  constructor(
    private readonly acquire: () => Promise<pg.PoolClient>,
    private readonly schema: string,
  ) {}

  /** Loads every batch in one transaction (with the chunk's record, if any); nothing stays when anything fails. */
  async write(
    table: Table,
    batches: AsyncIterable<RowBatch>,
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    const columns = copiedColumns(table);
    const coercions = options.coercions ?? new Coercions();
    const names = columns.map((column) => quoteIdent(column.name)).join(', ');
    const sql = `COPY ${qualify(this.schema, table.name)} (${names}) FROM STDIN`;
    const keyNames = table.primaryKey.filter((name) => columns.some((column) => column.name === name));
    const keys = new PostgresKeyWindow(
      keyNames,
      keyNames.map((name) => columns.findIndex((column) => column.name === name)),
    );
    const result: WriteResult = { rows: 0, bytes: 0 };
    const { first, rest } = await peek(batches);
    const format = first?.encoded?.format;
    const binary = format !== undefined && !isTextLines(format);
    const client = await this.acquire();
    let broken = false;
    try {
      const targets = await targetColumns(client, this.schema, table.name);
      const keyOf = keyDescriber(table, columns);
      const encoders = columns.map(
        (column) =>
          new PostgresColumnEncoder(
            table,
            column,
            targets.get(column.name) ?? assumed(column),
            coercions,
            keyOf,
          ),
      );
      await client.query('BEGIN');
      // Key literals are cast to the target's own column types (a cross-engine table names others).
      if (options.replace)
        await deletePostgresKeys(client, this.schema, asTarget(table, targets), options.replace);
      const copy = client.query(copyFrom(binary ? `${sql} (FORMAT binary)` : sql));
      const all = prepend(first, rest);
      const data =
        format === undefined
          ? encodeBatches(table, encoders, all, keys, result)
          : passEncoded(all, result, binary ? BINARY_FRAME : undefined);
      // The generator is pumped straight into COPY, one buffer at a time as the socket drains:
      // `Readable.from` would read up to 16 batches ahead while the server is slow (a checkpoint),
      // and those megabytes would be the run's peak RSS.
      await pipeline(data, copy);
      // After the rows, on the same connection: the chunk and its record commit together or not at all.
      if (options.chunk) await recordPostgresChunk(client, this.schema, options.chunk, result);
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

/** The first batch (to choose the COPY format) and the rest of the stream. */
async function peek(
  batches: AsyncIterable<RowBatch>,
): Promise<{ first: RowBatch | undefined; rest: AsyncIterator<RowBatch> }> {
  const rest = batches[Symbol.asyncIterator]();
  const next = await rest.next();
  return { first: next.done ? undefined : next.value, rest };
}

/** The peeked batch, then the rest. */
async function* prepend(
  first: RowBatch | undefined,
  rest: AsyncIterator<RowBatch>,
): AsyncGenerator<RowBatch> {
  if (first === undefined) return;
  yield first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

const BINARY_FRAME = { header: BINARY_COPY_HEADER, trailer: BINARY_COPY_TRAILER };

/**
 * Encoded batches passed on as they came — binary COPY tuples (binary-passthrough.ts) framed by
 * the format's header and trailer, or text lines (text-lines.ts) as they are; counts them.
 */
async function* passEncoded(
  batches: AsyncIterable<RowBatch>,
  result: WriteResult,
  frame?: { header: Buffer; trailer: Buffer },
): AsyncGenerator<Buffer> {
  if (frame) yield frame.header;
  for await (const batch of batches) {
    if (!batch.encoded) {
      throw new FerryError('ROW_SHAPE', 'A write mixed encoded COPY batches with decoded rows.');
    }
    result.rows += batch.encoded.count;
    result.bytes += batch.encoded.data.length;
    yield batch.encoded.data;
  }
  if (frame) yield frame.trailer;
}

/** The target table's columns by name, as its catalog describes them (empty when it does not exist). */
export async function targetColumns(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<Map<string, PostgresTargetColumn>> {
  const { rows } = await client.query<TargetColumnRow>(TARGET_COLUMNS, [schema, table]);
  return new Map(
    rows.map((row) => [
      row.name,
      { name: row.name, native: row.native_type, type: logicalTypeOf(row), notNull: row.not_null },
    ]),
  );
}

/** The table with each column's type as the target's catalog has it. */
function asTarget(table: Table, targets: Map<string, PostgresTargetColumn>): Table {
  return {
    ...table,
    columns: table.columns.map((column) => {
      const target = targets.get(column.name);
      return target ? { ...column, nativeType: target.native, type: target.type } : column;
    }),
  };
}

/** A column the catalog does not show (COPY will say why): assume the type DDL would have made. */
export function assumed(column: Column): PostgresTargetColumn {
  return {
    name: column.name,
    native: postgresDdlType(column.type),
    type: postgresCreatedType(column.type),
    notNull: !column.nullable,
  };
}

/** The primary key of a row as `id=3`, for messages; undefined when the table has none. */
export function keyDescriber(table: Table, columns: Column[]): (row: Row) => string | undefined {
  const positions = table.primaryKey.map((name) => columns.findIndex((c) => c.name === name));
  if (positions.length === 0 || positions.some((p) => p < 0)) return () => undefined;
  return (row) =>
    describeKey(
      table.primaryKey,
      positions.map((p) => row[p] ?? null),
    );
}

/** The COPY text of the batches, in chunks of about CHUNK_BYTES; counts rows and bytes as it goes. */
async function* encodeBatches(
  table: Table,
  encoders: PostgresColumnEncoder[],
  batches: AsyncIterable<RowBatch>,
  keys: PostgresKeyWindow,
  result: WriteResult,
): AsyncGenerator<Buffer> {
  const width = encoders.length;
  const fields: Array<string | null> = new Array(width);
  let text = '';
  for await (const batch of batches) {
    for (const row of batch.rows) {
      if (row.length !== width) {
        throw new FerryError(
          'ROW_SHAPE',
          `A row for table "${table.name}" has ${row.length} values; the table copies ${width} columns.`,
        );
      }
      for (let i = 0; i < width; i++) fields[i] = encoders[i]!.encode(row[i] ?? null, row);
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
