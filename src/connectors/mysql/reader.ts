/**
 * Streams a table (or one key range of it) as batches of canonical values: one text-protocol query
 * in key order, read row by row with backpressure (mysql2 pauses the socket while the consumer is
 * busy). While a snapshot is open the query runs on one of its reader connections, inside its
 * transaction.
 */
import type { Readable } from 'node:stream';
import { DatabaseError, isFerryError, ValueError } from '../../errors.js';
import type { LogicalType } from '../../schema/logical-type.js';
import { type Column, copiedColumns, type Table } from '../../schema/table.js';
import { type CanonicalValue, estimateBytes, type Row, type RowBatch } from '../../values/canonical.js';
import type { ReadOptions } from '../connector.js';
import { readableItems } from '../readable-items.js';
import { rowFilterOf, rowFilterText, withRowFilter } from '../row-filter.js';
import { type MysqlClause, mysqlKeyColumns, mysqlKeyOrder, mysqlKeySql, mysqlRangeWhere } from './chunks.js';
import { MysqlValueProblem } from './codecs.js';
import { isMysqlLineEncoding, mysqlLineSelect } from './passthrough.js';
import { coreOf, type MysqlConnection, type MysqlSession, statementError } from './session.js';
import type { MysqlSnapshot } from './snapshot.js';
import { killQuery, quoteIdentifier, STREAM_TIMEOUTS } from './sql.js';
import { type MysqlTypeRule, typeRule } from './types.js';

/** Rows mysql2 buffers ahead of the consumer before it pauses the socket. */
const STREAM_HIGH_WATER_MARK = 64;

/** The copied columns as the reader selects them: exact FLOAT, WKT geometry. */
export function selectList(columns: Column[]): string {
  return columns
    .map((column) =>
      typeRule(column.type).select(quoteIdentifier(column.name), column.type, column.nativeType),
    )
    .join(', ');
}

/**
 * The SELECT that reads a table's copied columns: the rows of `options.range` in binary order of
 * `options.key` (chunks.ts) when either is given, else every row in primary-key order; only those
 * matching `options.where` (default the table's `rowFilter`).
 */
export function selectStatement(
  table: Table,
  options: Pick<ReadOptions, 'key' | 'range' | 'encoding' | 'where'> = {},
): MysqlClause {
  const list = isMysqlLineEncoding(options.encoding)
    ? mysqlLineSelect(table, options.encoding!)
    : selectList(copiedColumns(table));
  const from = `SELECT ${list} FROM ${quoteIdentifier(table.name)}`;
  const filter = rowFilterOf(table, options);
  if (options.key === undefined && options.range === undefined) {
    const order =
      table.primaryKey.length > 0
        ? ` ORDER BY ${table.primaryKey.map((name) => quoteIdentifier(name)).join(', ')}`
        : '';
    return { sql: `${from}${withRowFilter('', filter)}${order}`, params: [] };
  }
  const keyNames = options.key ?? table.primaryKey;
  if (keyNames.length === 0) {
    throw new DatabaseError(
      'MYSQL_CHUNK_KEY',
      `Table "${table.name}" has no primary key: name the key its range is on.`,
    );
  }
  const key = mysqlKeyColumns(table, keyNames).map(mysqlKeySql);
  const where = mysqlRangeWhere(key, options.range ?? {});
  // The condition's text comes after every range placeholder: a `?` inside it binds nothing.
  return { sql: `${from}${withRowFilter(where.sql, filter)}${mysqlKeyOrder(key)}`, params: where.params };
}

/** Decoded rows in bounded batches. */
async function* rowBatches(
  raws: AsyncIterable<unknown[][]>,
  options: ReadOptions,
  decodeRow: (raw: unknown[]) => Row,
): AsyncGenerator<RowBatch> {
  let rows: Row[] = [];
  let bytes = 0;
  for await (const arrived of raws) {
    for (const raw of arrived) {
      const row = decodeRow(raw);
      rows.push(row);
      for (const value of row) bytes += estimateBytes(value);
      if (rows.length >= options.batchRows || bytes >= options.batchBytes) {
        yield { rows, bytes };
        rows = [];
        bytes = 0;
      }
    }
  }
  if (rows.length > 0) yield { rows, bytes };
}

const NEWLINE = Buffer.from('\n');

/** Lines printed by the server (passthrough.ts), undecoded, in bounded batches. */
async function* lineBatches(
  raws: AsyncIterable<unknown[][]>,
  options: ReadOptions,
): AsyncGenerator<RowBatch> {
  const format = options.encoding!;
  let parts: Buffer[] = [];
  let count = 0;
  let bytes = 0;
  for await (const arrived of raws) {
    for (const raw of arrived) {
      const line = raw[0] as Buffer;
      parts.push(line, NEWLINE);
      count++;
      bytes += line.length + 1;
      if (count >= options.batchRows || bytes >= options.batchBytes) {
        yield { rows: [], bytes, encoded: { format, data: Buffer.concat(parts, bytes), count } };
        parts = [];
        count = 0;
        bytes = 0;
      }
    }
  }
  if (count > 0) yield { rows: [], bytes, encoded: { format, data: Buffer.concat(parts, bytes), count } };
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

/**
 * An error the server answered a statement with, the connection still open (mysql2 marks the
 * errors that end a connection `fatal`); a killed query is not one, it may mean a lost snapshot.
 */
function refusedStatement(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { fatal, sqlState, errno } = error as { fatal?: boolean; sqlState?: string; errno?: number };
  // 1317 ER_QUERY_INTERRUPTED, 1927 ER_CONNECTION_KILLED.
  return fatal !== true && typeof sqlState === 'string' && errno !== 1317 && errno !== 1927;
}

/** Waits until a query's result stream has ended, successfully or not. */
function drained(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.readableEnded || stream.destroyed) return resolve();
    stream.once('end', resolve);
    stream.once('error', () => resolve());
    stream.once('close', resolve);
    stream.resume();
  });
}

/** Reads tables of one MariaDB/MySQL database. */
export class MysqlReader {
  constructor(
    private readonly session: MysqlSession,
    private readonly snapshot: MysqlSnapshot,
  ) {}

  /**
   * Stops the query still streaming on a snapshot's connection (KILL QUERY ends the statement, not
   * the transaction) and reads what is left of its result. False when the connection is unusable.
   */
  private async cancel(connection: MysqlConnection, stream: Readable): Promise<boolean> {
    try {
      if (!stream.readableEnded) {
        const killer = await this.session.acquire();
        try {
          await this.session.run(
            killer,
            'Cancelling an unfinished snapshot read',
            killQuery(coreOf(connection).threadId),
          );
        } finally {
          killer.release();
        }
      }
      await drained(stream);
      return true;
    } catch {
      return false;
    }
  }

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

    // Built first: a bad key fails the read before it takes a snapshot reader.
    const select = selectStatement(table, options);
    const held = this.snapshot.beginRead(table.name);
    let finished = false;
    let stream: Readable | undefined;
    try {
      const connection = held ?? (await this.session.acquire());
      try {
        if (!held) await this.session.run(connection, 'Preparing the read session', STREAM_TIMEOUTS);
        const lines = isMysqlLineEncoding(options.encoding);
        stream = coreOf(connection)
          .query({
            sql: select.sql,
            values: select.params,
            rowsAsArray: true,
            // A line is passed on as the server's bytes: never decoded to a string and back.
            ...(lines ? { typeCast: (field: { buffer(): Buffer | null }) => field.buffer() } : {}),
          })
          .stream({ highWaterMark: STREAM_HIGH_WATER_MARK });
        try {
          // Not destroyed on an early stop: a snapshot read cancels its query and drains instead.
          const raws = readableItems<unknown[]>(stream, { destroyOnReturn: !held });
          if (lines) yield* lineBatches(raws, options);
          else yield* rowBatches(raws, options, decodeRow);
        } catch (error) {
          if (isFerryError(error)) throw error;
          // The snapshot's connection failed: never carry on with current data. A statement the
          // server refused (a plan's bad condition) leaves the connection and its transaction be.
          if (held && !refusedStatement(error)) throw this.snapshot.lostBy(table.name, error);
          const rows = rowFilterText(rowFilterOf(table, options));
          throw statementError(`Reading table "${table.name}"${rows}`, error, this.session.display);
        }
        finished = true;
      } finally {
        // A half-read result cannot go back to the pool: the rest of it is still on the wire.
        if (!held) {
          if (finished) connection.release();
          else connection.destroy();
        }
      }
    } finally {
      // The snapshot's connection stays open: a read that stopped early cancels its query so the
      // connection, and the snapshot's transaction, can serve the next read.
      if (held) {
        const usable =
          finished || (!this.snapshot.lost && stream !== undefined && (await this.cancel(held, stream)));
        this.snapshot.endRead(table.name, held, usable);
      }
    }
  }
}
