/**
 * Bulk writes with LOAD DATA LOCAL INFILE fed from the batches as a stream, one transaction per
 * write on a connection of its own (so writes run side by side), with the chunk's progress record
 * inserted in the same transaction. Every value is checked against its target column before it is sent (fit.ts) and handled
 * by the run's coercion policy; any warning the server still gives rolls the write back as a
 * ValueError naming table, column and row (the backstop).
 */
import type { Readable } from 'node:stream';
import { DatabaseError, isFerryError, ValueError } from '../../errors.js';
import { type Column, copiedColumns, type Table } from '../../schema/table.js';
import type { CanonicalValue, RowBatch } from '../../values/canonical.js';
import { type Coercions, lossError } from '../../values/coercions.js';
import type { WriteOptions } from '../connector.js';
import { MysqlValueProblem } from './codecs.js';
import { MysqlColumnPolicy, MysqlLoss } from './coerce.js';
import { driverCode } from './connection-errors.js';
import { misfitOf } from './fit.js';
import { columnFacts } from './introspect.js';
import {
  encodeRow,
  type LoadColumn,
  loadDataStatement,
  loadDataStream,
  RowEncodingProblem,
} from './load-data.js';
import { loadWarningError, sanitizeServerMessage } from './load-warnings.js';
import { recordMysqlChunk } from './progress.js';
import { deleteMysqlKeys } from './replace.js';
import { coreOf, type MysqlConnection, type MysqlSession, statementError } from './session.js';
import {
  FOREIGN_KEY_CHECKS_OFF,
  FOREIGN_KEY_CHECKS_ON,
  type MysqlColumnRow,
  type MysqlWarningRow,
  SHOW_WARNINGS,
  STREAM_TIMEOUTS,
} from './sql.js';
import { logicalTypeOf, typeRule } from './types.js';

/** How many rows' primary keys a write keeps to name the row of a warning. */
const KEPT_KEYS = 200_000;

/** Server errors that mean "this value cannot go in", as opposed to a broken statement. */
const VALUE_ERRNOS = new Set([1062, 1263, 1264, 1265, 1292, 1366, 1406, 3819, 4025]);

/** A column as LOAD DATA loads it, with its policy and the target type for messages. */
export interface MysqlLoadColumn extends LoadColumn {
  policy: MysqlColumnPolicy;
  /** `varchar(20)`: the target type named by lossError. */
  targetType: string;
}

/**
 * The target's columns as LOAD DATA targets: each value is checked against the target column it
 * lands in (misfits go through the policy), then encoded for it (binary as hex, BIT as digits).
 */
export function loadColumnsFor(
  table: Table,
  target: MysqlColumnRow[],
  coercions?: Coercions,
): MysqlLoadColumn[] {
  const byName = new Map(target.map((row) => [row.column_name.toLowerCase(), row]));
  return copiedColumns(table).map((column, index) => {
    const row = byName.get(column.name.toLowerCase());
    if (!row) {
      throw new DatabaseError(
        'TARGET_COLUMN_MISSING',
        `Table "${table.name}" on the target has no column "${column.name}". Recreate the table or drop the existing one.`,
      );
    }
    const type = logicalTypeOf(columnFacts(row, false));
    const targetColumn = { type, nativeType: row.column_type, collation: row.collation_name };
    const rule = typeRule(type);
    const policy = new MysqlColumnPolicy(table.name, column.name, row.is_nullable === 'YES', coercions);
    const variable = `@ferry${index}`;
    const setExpression = rule.load?.(variable, type, row.column_type);
    return {
      name: column.name,
      policy,
      targetType: row.column_type,
      encode: (value) => {
        const misfit = misfitOf(value, column.type, targetColumn);
        const fitted = misfit ? policy.resolve(value, misfit) : value;
        return fitted === null ? null : rule.encode(fitted, type);
      },
      ...(setExpression === undefined ? {} : { variable, setExpression }),
    };
  });
}

/** Positions of the primary key columns among the copied columns (undefined when one is not copied). */
function keyPositions(table: Table, columns: Column[]): number[] | undefined {
  if (table.primaryKey.length === 0) return undefined;
  const positions = table.primaryKey.map((name) => columns.findIndex((column) => column.name === name));
  return positions.includes(-1) ? undefined : positions;
}

/** `id=5` / `a=1, b=x` for messages: the row's primary key values (the only values Ferry names). */
function keyText(table: Table, positions: number[] | undefined, row: CanonicalValue[]): string | undefined {
  if (!positions) return undefined;
  return positions
    .map((position, index) => {
      const value = row[position];
      return `${table.primaryKey[index]}=${Buffer.isBuffer(value) ? `0x${value.toString('hex')}` : String(value)}`;
    })
    .join(', ');
}

/** Streams batches into one table with LOAD DATA inside one transaction. */
export class MysqlWriter {
  constructor(
    private readonly session: MysqlSession,
    private readonly targetColumns: (connection: MysqlConnection, table: string) => Promise<MysqlColumnRow[]>,
  ) {}

  /** Loads every batch, or nothing: see Connector.write. */
  async write(
    table: Table,
    batches: AsyncIterable<RowBatch>,
    options: WriteOptions = {},
  ): Promise<{ rows: number; bytes: number }> {
    let source: Readable | undefined;
    try {
      const connection = await this.session.acquire();
      let healthy = true;
      try {
        const loadColumns = loadColumnsFor(
          table,
          await this.targetColumns(connection, table.name),
          options.coercions,
        );
        const counts = { rows: 0, bytes: 0 };
        const keys: string[] = [];
        const encodeBatch = this.batchEncoder(table, loadColumns, counts, keys);
        await this.session.run(connection, 'Preparing the load session', STREAM_TIMEOUTS);
        await this.session.run(
          connection,
          'Turning foreign key checks off for the load',
          FOREIGN_KEY_CHECKS_OFF,
        );
        await this.session.run(
          connection,
          `Starting the transaction for table "${table.name}"`,
          'START TRANSACTION',
        );
        try {
          if (options.replace) await deleteMysqlKeys(this.session, connection, table, options.replace);
          const stream = loadDataStream(batches, encodeBatch, coreOf(connection).stream);
          source = stream;
          const [result] = await connection.query({
            sql: loadDataStatement(table.name, loadColumns),
            infileStreamFactory: () => stream,
          });
          this.checkResult(table, result, counts.rows);
          const header = result as { warningStatus?: number };
          if ((header.warningStatus ?? 0) > 0) {
            const warnings = await this.session.run<MysqlWarningRow>(
              connection,
              'Reading load warnings',
              SHOW_WARNINGS,
            );
            throw loadWarningError(
              table,
              warnings,
              header.warningStatus ?? 0,
              (row) => keys[row - 1] || undefined,
            );
          }
          // The chunk's record commits with its rows, or neither does (DESIGN.md principle 3).
          if (options.chunk) await recordMysqlChunk(connection, table.name, options.chunk, counts);
          await this.session.run(connection, `Committing the load of table "${table.name}"`, 'COMMIT');
          for (const column of loadColumns) column.policy.flush();
          return counts;
        } catch (error) {
          await connection.query('ROLLBACK').catch(() => {
            healthy = false;
          });
          throw this.loadError(table, error);
        }
      } catch (error) {
        if (!(error instanceof ValueError)) healthy = false;
        throw error;
      } finally {
        if (healthy) {
          await connection.query(FOREIGN_KEY_CHECKS_ON).catch(() => {
            healthy = false;
          });
        }
        if (healthy) connection.release();
        else connection.destroy();
      }
    } finally {
      // Whatever happened, let the batch source release what it holds (a source reader's connection).
      if (source === undefined)
        await Promise.resolve(batches[Symbol.asyncIterator]().return?.()).catch(() => undefined);
      else if (!source.readableEnded) source.destroy();
    }
  }

  /** Encodes a batch to LOAD DATA lines, counting rows and bytes and keeping row keys for messages. */
  private batchEncoder(
    table: Table,
    loadColumns: MysqlLoadColumn[],
    counts: { rows: number; bytes: number },
    keys: string[],
  ) {
    const columns = copiedColumns(table);
    const positions = keyPositions(table, columns);
    return (batch: RowBatch): string | Buffer => {
      // Lines the source server printed for these very column types (passthrough.ts).
      if (batch.encoded) {
        counts.rows += batch.encoded.count;
        counts.bytes += batch.encoded.data.length;
        return batch.encoded.data;
      }
      let text = '';
      for (const row of batch.rows) {
        counts.rows++;
        if (keys.length < KEPT_KEYS) keys.push(keyText(table, positions, row) ?? '');
        try {
          text += encodeRow(row, loadColumns);
        } catch (error) {
          throw this.encodingError(table, columns, loadColumns, row, counts.rows, error);
        }
      }
      counts.bytes += batch.bytes;
      return text;
    };
  }

  /** Rows the server did not take without saying so (no warning) still fail the write. */
  private checkResult(table: Table, result: unknown, rows: number): void {
    const header = result as { warningStatus?: number; affectedRows?: number };
    if (
      (header.warningStatus ?? 0) === 0 &&
      header.affectedRows !== undefined &&
      header.affectedRows !== rows
    ) {
      throw new ValueError(
        'ROWS_NOT_LOADED',
        `MySQL/MariaDB loaded ${header.affectedRows} of ${rows} rows into table "${table.name}" without a warning. The write was rolled back.`,
        { table: table.name },
      );
    }
  }

  private encodingError(
    table: Table,
    columns: Column[],
    loadColumns: MysqlLoadColumn[],
    row: CanonicalValue[],
    rowNumber: number,
    error: unknown,
  ) {
    if (!(error instanceof RowEncodingProblem)) return error;
    const column = columns[error.columnIndex]!;
    const key = keyText(table, keyPositions(table, columns), row);
    if (error.problem instanceof MysqlLoss) {
      return lossError({
        loss: error.problem.loss,
        table: table.name,
        column: column.name,
        key,
        target: `${this.session.server.flavor === 'mysql' ? 'MySQL' : 'MariaDB'} ${loadColumns[error.columnIndex]!.targetType}`,
      });
    }
    const reason = error.problem instanceof MysqlValueProblem ? error.problem.message : error.message;
    return new ValueError(
      'VALUE_NOT_REPRESENTABLE',
      `Table "${table.name}", column "${column.name}", row ${rowNumber} of this write${key ? ` (key ${key})` : ''}: ${reason}. ` +
        'The write was rolled back; change the target column or the source value.',
      { table: table.name, column: column.name, cause: error.problem },
    );
  }

  private loadError(table: Table, error: unknown): Error {
    if (isFerryError(error)) return error;
    const { errno } = driverCode(error);
    if (errno !== undefined && VALUE_ERRNOS.has(errno)) {
      const message = error instanceof Error ? sanitizeServerMessage(error.message) : String(error);
      return new ValueError(
        'VALUE_CHANGED_BY_TARGET',
        `MySQL/MariaDB refused a value of table "${table.name}": ${message}. The write was rolled back.`,
        { table: table.name, cause: error },
      );
    }
    if (errno === 1148 || errno === 3948 || errno === 4166) {
      return new DatabaseError(
        'LOCAL_INFILE_DISABLED',
        `${this.session.display} refuses LOAD DATA LOCAL INFILE, which Ferry uses to load table "${table.name}". Enable it on the server: SET GLOBAL local_infile = 1 (or local_infile=ON in the server configuration).`,
        { cause: error },
      );
    }
    return statementError(`Loading table "${table.name}" with LOAD DATA`, error, this.session.display);
  }
}
