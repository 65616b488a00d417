/**
 * Streaming reads: `COPY (SELECT … ORDER BY pk) TO STDOUT` in text format, split into lines as
 * chunks arrive and decoded per column into canonical values, in byte- and row-bounded batches.
 * The COPY stream is pulled only when the consumer asks for the next batch (backpressure).
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DatabaseError, isFerryError, messageOf } from '../../errors.js';
import { type Column, copiedColumns, type Table } from '../../schema/table.js';
import type { CanonicalValue, Row, RowBatch } from '../../values/canonical.js';
import { Coercions, lossError } from '../../values/coercions.js';
import type { ReadOptions } from '../connector.js';
import { postgresDecoder } from './codecs.js';
import { describeKey } from './copy-errors.js';
import { CopyLineSplitter, decodeCopyLine } from './copy-text.js';
import { qualify, quoteIdent } from './identifiers.js';
import type { PostgresSnapshot } from './snapshot.js';

/** The COPY statement that streams a table's copied columns in primary-key order. */
export function postgresReadStatement(schema: string, table: Table): string {
  const columns = copiedColumns(table).map((column) => quoteIdent(column.name));
  const order = table.primaryKey.length > 0 ? ` ORDER BY ${table.primaryKey.map(quoteIdent).join(', ')}` : '';
  return `COPY (SELECT ${columns.join(', ')} FROM ${qualify(schema, table.name)}${order}) TO STDOUT`;
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
    const snapshot = this.snapshot();
    const client = await this.acquire();
    let clean = false;
    try {
      // One transaction per read: reads may run in parallel, each on its own connection.
      if (snapshot) await snapshot.importInto(client, table.name);
      const stream = client.query(copyTo(postgresReadStatement(this.schema, table)));
      const splitter = new CopyLineSplitter();
      let rows: Row[] = [];
      let bytes = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
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
      if (snapshot) await client.query('COMMIT');
      clean = true;
    } catch (error) {
      if (isFerryError(error)) throw error;
      throw new DatabaseError('PG_READ_FAILED', `Reading table "${table.name}" failed: ${messageOf(error)}`, {
        cause: error,
      });
    } finally {
      // A COPY abandoned half-way leaves the connection mid-protocol: close it rather than reuse it.
      client.release(!clean);
    }
  }
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
