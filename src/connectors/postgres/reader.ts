/**
 * Streaming reads: `COPY (SELECT … ORDER BY pk) TO STDOUT` in text format, split into lines as
 * chunks arrive and decoded per column into canonical values, in byte- and row-bounded batches.
 * The COPY stream is pulled only when the consumer asks for the next batch (backpressure).
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DatabaseError, isFerryError, messageOf, ValueError } from '../../errors.js';
import { type Column, copiedColumns, type Table } from '../../schema/table.js';
import type { CanonicalValue, Row, RowBatch } from '../../values/canonical.js';
import type { ReadOptions } from '../connector.js';
import { describeKey } from './copy-errors.js';
import { CopyLineSplitter, CopyTextEncodingProblem, decodeCopyLine } from './copy-text.js';
import { qualify, quoteIdent } from './identifiers.js';
import { postgresDecoder } from './types.js';

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
  ) {}

  /** Streams the table; the connection goes back to the pool only after a clean end. */
  async *read(table: Table, options: ReadOptions): AsyncGenerator<RowBatch> {
    const columns = copiedColumns(table);
    const decoders = columns.map((column) => postgresDecoder(column.type));
    const client = await this.acquire();
    let clean = false;
    try {
      const stream = client.query(copyTo(postgresReadStatement(this.schema, table)));
      const splitter = new CopyLineSplitter();
      let rows: Row[] = [];
      let bytes = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        for (const line of splitter.push(chunk)) {
          rows.push(decodeRow(line, decoders, table, columns));
          bytes += line.length + 1;
          if (rows.length >= options.batchRows || bytes >= options.batchBytes) {
            yield { rows, bytes };
            rows = [];
            bytes = 0;
          }
        }
      }
      if (rows.length > 0) yield { rows, bytes };
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

function decodeRow(
  line: Buffer,
  decoders: Array<(text: string) => CanonicalValue>,
  table: Table,
  columns: Column[],
): Row {
  let fields: Array<string | null>;
  try {
    fields = decodeCopyLine(line);
  } catch (error) {
    if (!(error instanceof CopyTextEncodingProblem)) throw error;
    throw invalidText(line, error.field, table, columns);
  }
  const row: Row = new Array(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    row[i] = field === null || field === undefined ? null : decoders[i]!(field);
  }
  return row;
}

/** A stored text that is not valid UTF-8 (a SQL_ASCII database) cannot become a canonical string. */
function invalidText(line: Buffer, field: number, table: Table, columns: Column[]): ValueError {
  const lenient = line.toString('latin1').split('\t');
  const keys = table.primaryKey.map(
    (name) => lenient[columns.findIndex((column) => column.name === name)] ?? null,
  );
  const column = columns[field]?.name ?? `#${field + 1}`;
  const key = table.primaryKey.length > 0 ? ` (key ${describeKey(table.primaryKey, keys)})` : '';
  return new ValueError(
    'VALUE_INVALID_TEXT',
    `Cannot read table "${table.name}", column "${column}"${key}: the stored text is not valid UTF-8. Fix the value or read it as bytea.`,
    { table: table.name, column },
  );
}
