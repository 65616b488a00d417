/**
 * Streams a table as batches of canonical values: one text-protocol query in primary-key order,
 * read row by row with backpressure (mysql2 pauses the socket while the consumer is busy).
 */
import { isFerryError, ValueError } from '../../errors.js';
import type { LogicalType } from '../../schema/logical-type.js';
import { type Column, copiedColumns, type Table } from '../../schema/table.js';
import { type CanonicalValue, estimateBytes, type Row, type RowBatch } from '../../values/canonical.js';
import type { ReadOptions } from '../connector.js';
import { MysqlValueProblem } from './codecs.js';
import { coreOf, type MysqlSession, statementError } from './session.js';
import { quoteIdentifier, STREAM_TIMEOUTS } from './sql.js';
import { type MysqlTypeRule, typeRule } from './types.js';

/** Rows mysql2 buffers ahead of the consumer before it pauses the socket. */
const STREAM_HIGH_WATER_MARK = 64;

/** The SELECT that reads a table's copied columns in primary-key order, with exact FLOAT and WKT geometry. */
export function selectStatement(table: Table): string {
  const select = copiedColumns(table)
    .map((column) =>
      typeRule(column.type).select(quoteIdentifier(column.name), column.type, column.nativeType),
    )
    .join(', ');
  const order =
    table.primaryKey.length > 0
      ? ` ORDER BY ${table.primaryKey.map((name) => quoteIdentifier(name)).join(', ')}`
      : '';
  return `SELECT ${select} FROM ${quoteIdentifier(table.name)}${order}`;
}

function keyOf(table: Table, columns: Column[], row: unknown[]): string {
  return table.primaryKey
    .map((name) => {
      const index = columns.findIndex((column) => column.name === name);
      const value = index < 0 ? undefined : row[index];
      return `${name}=${Buffer.isBuffer(value) ? `0x${value.toString('hex')}` : String(value)}`;
    })
    .join(', ');
}

/** Reads tables of one MariaDB/MySQL database. */
export class MysqlReader {
  constructor(private readonly session: MysqlSession) {}

  /** See Connector.read: batches close at `batchRows` rows or `batchBytes` bytes. */
  async *read(table: Table, options: ReadOptions): AsyncIterable<RowBatch> {
    const columns = copiedColumns(table);
    const rules: Array<MysqlTypeRule<LogicalType>> = columns.map((column) => typeRule(column.type));
    const decodeRow = (raw: unknown[]): Row => {
      const row: CanonicalValue[] = new Array(columns.length);
      for (let index = 0; index < columns.length; index++) {
        const value = raw[index];
        if (value === null || value === undefined) {
          row[index] = null;
          continue;
        }
        try {
          row[index] = rules[index]!.decode(value, columns[index]!.type);
        } catch (problem) {
          if (!(problem instanceof MysqlValueProblem)) throw problem;
          const key = table.primaryKey.length > 0 ? ` (key ${keyOf(table, columns, raw)})` : '';
          throw new ValueError(
            'VALUE_NOT_REPRESENTABLE',
            `Table "${table.name}", column "${columns[index]!.name}"${key}: ${problem.message}.`,
            { table: table.name, column: columns[index]!.name, cause: problem },
          );
        }
      }
      return row;
    };

    const connection = await this.session.acquire();
    let finished = false;
    try {
      await this.session.run(connection, 'Preparing the read session', STREAM_TIMEOUTS);
      const stream = coreOf(connection)
        .query({ sql: selectStatement(table), rowsAsArray: true })
        .stream({ highWaterMark: STREAM_HIGH_WATER_MARK });
      let rows: Row[] = [];
      let bytes = 0;
      try {
        for await (const raw of stream) {
          const row = decodeRow(raw as unknown[]);
          rows.push(row);
          for (const value of row) bytes += estimateBytes(value);
          if (rows.length >= options.batchRows || bytes >= options.batchBytes) {
            yield { rows, bytes };
            rows = [];
            bytes = 0;
          }
        }
      } catch (error) {
        if (isFerryError(error)) throw error;
        throw statementError(`Reading table "${table.name}"`, error, this.session.display);
      }
      if (rows.length > 0) yield { rows, bytes };
      finished = true;
    } finally {
      // A half-read result cannot go back to the pool: the rest of it is still on the wire.
      if (finished) connection.release();
      else connection.destroy();
    }
  }
}
