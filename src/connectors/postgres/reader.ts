/**
 * Streaming reads: `COPY (SELECT … [WHERE range] ORDER BY key) TO STDOUT` in text format, split
 * into lines as chunks arrive and decoded per column into canonical values, in byte- and
 * row-bounded batches.
 * The COPY stream is pulled only when the consumer asks for the next batch (backpressure).
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DatabaseError, isFerryError, messageOf } from '../../errors.js';
import { type Column, copiedColumns, type Table } from '../../schema/table.js';
import type { CanonicalValue, Row, RowBatch } from '../../values/canonical.js';
import { Coercions, lossError } from '../../values/coercions.js';
import type { ReadOptions } from '../connector.js';
import { rowFilterOf, rowFilterText, withRowFilter } from '../row-filter.js';
import { isPostgresBinaryEncoding } from './binary-passthrough.js';
import { postgresKeyColumns, postgresKeyOrder, postgresRangeWhere } from './chunks.js';
import { postgresDecoder } from './codecs.js';
import { BinaryTupleSplitter } from './copy-binary.js';
import { describeKey } from './copy-errors.js';
import { CopyLineSplitter, decodeCopyLine } from './copy-text.js';
import { qualify, quoteIdent } from './identifiers.js';
import type { PostgresSnapshot } from './snapshot.js';

/**
 * Which rows a read takes: a key range of `key` (default the primary key), or every row; only
 * those matching `where` (default the table's `rowFilter`).
 */
export type PostgresReadSelection = Pick<ReadOptions, 'key' | 'range' | 'where'>;

/**
 * The SELECT of a table's copied columns: the rows of `selection.range`, ordered by the key
 * (`key`, else the primary key) in binary order (chunks.ts).
 */
export function postgresSelectStatement(
  schema: string,
  table: Table,
  selection: PostgresReadSelection = {},
): string {
  const columns = copiedColumns(table).map((column) => quoteIdent(column.name));
  const key = postgresKeyColumns(table, selection.key ?? table.primaryKey);
  if (selection.range && key.length === 0) {
    throw new DatabaseError(
      'PG_CHUNK_KEY',
      `Table "${table.name}" has no primary key: a key range of it needs the key's columns.`,
    );
  }
  const range = selection.range ? postgresRangeWhere(key, selection.range) : '';
  const where = withRowFilter(range, rowFilterOf(table, selection));
  return `SELECT ${columns.join(', ')} FROM ${qualify(schema, table.name)}${where}${postgresKeyOrder(key)}`;
}

/** The COPY statement that streams the selected rows of a table (no parameters: literals inlined). */
export function postgresReadStatement(
  schema: string,
  table: Table,
  selection: PostgresReadSelection = {},
  binary = false,
): string {
  return `COPY (${postgresSelectStatement(schema, table, selection)}) TO STDOUT${binary ? ' (FORMAT binary)' : ''}`;
}

/** Reads one table of one schema as canonical batches. */
export class PostgresReader {
  constructor(
    private readonly acquire: () => Promise<pg.PoolClient>,
    private readonly schema: string,
    /** The open snapshot every read imports, if any. */
    private readonly snapshot: () => PostgresSnapshot | undefined = () => undefined,
  ) {}

  /**
   * Streams the table, as of the open snapshot if there is one; the connection goes back to the
   * pool only after a clean end.
   */
  async *read(table: Table, options: ReadOptions): AsyncGenerator<RowBatch> {
    const columns = copiedColumns(table);
    const context: ReadContext = {
      table,
      columns,
      decoders: columns.map((column) => postgresDecoder(column.type)),
      coercions: options.coercions ?? new Coercions(),
    };
    const binary = isPostgresBinaryEncoding(options.encoding);
    const statement = postgresReadStatement(this.schema, table, options, binary);
    const snapshot = this.snapshot();
    const client = await this.acquire();
    let clean = false;
    try {
      // One transaction per read: reads may run in parallel, each on its own connection.
      if (snapshot) await snapshot.importInto(client, table.name);
      const stream = client.query(copyTo(statement)) as AsyncIterable<Buffer>;
      if (binary) yield* binaryBatches(stream, options);
      else yield* textBatches(stream, options, context);
      if (snapshot) await client.query('COMMIT');
      clean = true;
    } catch (error) {
      if (isFerryError(error)) throw error;
      const rows = rowFilterText(rowFilterOf(table, options));
      throw new DatabaseError(
        'PG_READ_FAILED',
        `Reading table "${table.name}"${rows} failed: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    } finally {
      // A COPY abandoned half-way leaves the connection mid-protocol: close it rather than reuse it.
      client.release(!clean);
    }
  }
}

/** Text COPY lines decoded into canonical rows, in bounded batches. */
async function* textBatches(
  stream: AsyncIterable<Buffer>,
  options: ReadOptions,
  context: ReadContext,
): AsyncGenerator<RowBatch> {
  const splitter = new CopyLineSplitter();
  let rows: Row[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    for (const line of splitter.push(chunk)) {
      rows.push(decodeRow(line, context));
      bytes += line.length + 1;
      if (rows.length >= options.batchRows || bytes >= options.batchBytes) {
        yield { rows, bytes };
        rows = [];
        bytes = 0;
      }
    }
  }
  if (rows.length > 0) yield { rows, bytes };
}

/** Binary COPY tuples passed on undecoded (binary-passthrough.ts), in bounded batches. */
async function* binaryBatches(stream: AsyncIterable<Buffer>, options: ReadOptions): AsyncGenerator<RowBatch> {
  const format = options.encoding!;
  const splitter = new BinaryTupleSplitter();
  let pieces: Buffer[] = [];
  let count = 0;
  let bytes = 0;
  const batch = (): RowBatch => {
    const data = Buffer.concat(pieces, bytes);
    const out = { rows: [], bytes, encoded: { format, data, count } };
    pieces = [];
    count = 0;
    bytes = 0;
    return out;
  };
  for await (const chunk of stream) {
    const tuples = splitter.push(chunk);
    if (tuples.rows === 0) continue;
    pieces.push(tuples.data);
    count += tuples.rows;
    bytes += tuples.data.length;
    if (count >= options.batchRows || bytes >= options.batchBytes) yield batch();
  }
  if (!splitter.complete) throw new Error('The binary COPY stream ended before its trailer.');
  if (count > 0) yield batch();
}

/** What a read sees of one table: its columns' decoders and the run's policies. */
interface ReadContext {
  table: Table;
  columns: Column[];
  decoders: Array<(text: string) => CanonicalValue>;
  coercions: Coercions;
}

function decodeRow(line: Buffer, context: ReadContext): Row {
  const invalid: number[] = [];
  const fields = decodeCopyLine(line, invalid);
  for (const index of invalid) handleInvalidText(fields, index, context);
  const row: Row = new Array(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    row[i] = field === null || field === undefined ? null : context.decoders[i]!(field);
  }
  return row;
}

/**
 * A stored text that is not valid UTF-8 (possible in a SQL_ASCII database) cannot become a
 * canonical string unchanged: the `invalid-text` policy decides (NULL, or U+FFFD per bad sequence).
 */
function handleInvalidText(fields: Array<string | null>, index: number, context: ReadContext): void {
  const { table, columns, coercions } = context;
  const column = columns[index]?.name ?? `#${index + 1}`;
  const action = coercions.action('invalid-text', table.name, column);
  if (action === 'null' || action === 'substitute') {
    // The field was already decoded with U+FFFD for each invalid sequence.
    if (action === 'null') fields[index] = null;
    coercions.applied('invalid-text', table.name, column, action);
    return;
  }
  const positions = table.primaryKey.map((name) => columns.findIndex((c) => c.name === name));
  const key =
    positions.length > 0 && positions.every((p) => p >= 0 && p !== index)
      ? describeKey(
          table.primaryKey,
          positions.map((p) => {
            const field = fields[p];
            return field === null || field === undefined ? null : context.decoders[p]!(field);
          }),
        )
      : undefined;
  throw lossError({
    loss: 'invalid-text',
    table: table.name,
    column,
    key,
    target: 'a Unicode string (PostgreSQL holds bytes that are not UTF-8 here)',
  });
}
