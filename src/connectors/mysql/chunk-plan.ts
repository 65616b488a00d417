/**
 * Plans a MariaDB/MySQL table's chunks (`Connector.planChunks`): a dense one-column integer key by
 * arithmetic between its least and greatest values, any other key by the nibble walk.
 */
import { isDeepStrictEqual } from 'node:util';
import { DatabaseError, ValueError } from '../../errors.js';
import type { Table } from '../../schema/table.js';
import type { CanonicalValue } from '../../values/canonical.js';
import type { ChunkPlanOptions, KeyRange } from '../connector.js';
import { integerKeyRanges, rangesBetween } from '../integer-key-ranges.js';
import { mysqlKeyColumns, mysqlKeyOrder, mysqlKeySql, mysqlRangeWhere } from './chunks.js';
import { MysqlValueProblem } from './codecs.js';
import { selectList } from './reader.js';
import { type MysqlSession, statementError } from './session.js';
import { quoteIdentifier } from './sql.js';
import { typeRule } from './types.js';

/**
 * A one-column integer key that the table's statistics show dense gets ranges of `rows` values
 * between its MIN and MAX (integer-key-ranges.ts; gaps may leave a range empty). Any other key
 * gets the nibble walk: from no lower bound, asks for the key at offset `rows - 1` past the
 * previous boundary, in binary key order, until no row follows it (so a table of at most `rows`
 * rows is `[{}]` and no range is empty when planned). Boundaries are the key values exactly as
 * `read` decodes them, so they bind back as range parameters. Runs on a pooled connection (current
 * data, not the snapshot: sizes are not promised).
 */
export async function planMysqlChunks(
  session: MysqlSession,
  table: Table,
  options: ChunkPlanOptions,
): Promise<KeyRange[]> {
  const columns = mysqlKeyColumns(table, options.key);
  const key = columns.map(mysqlKeySql);
  const rules = columns.map((column) => typeRule(column.type));
  const offset = Math.max(1, Math.floor(options.rows)) - 1;
  const head = `SELECT ${selectList(columns)} FROM ${quoteIdentifier(table.name)}`;
  const decode = (raw: unknown[]): CanonicalValue[] =>
    columns.map((column, i) => {
      const value = raw[i];
      if (value === null || value === undefined) return null;
      try {
        return rules[i]!.decode(value, column.type);
      } catch (problem) {
        if (!(problem instanceof MysqlValueProblem)) throw problem;
        throw new ValueError(
          'VALUE_NOT_REPRESENTABLE',
          `Table "${table.name}", key column "${column.name}": ${problem.message}. Its chunks cannot be planned on this key.`,
          { table: table.name, column: column.name, cause: problem },
        );
      }
    });
  return session.use(async (connection) => {
    const run = async (sql: string, values: unknown[]): Promise<unknown[][]> => {
      try {
        const [rows] = (await connection.query({ sql, values, rowsAsArray: true })) as [unknown[][], unknown];
        return rows;
      } catch (error) {
        throw statementError(`Planning the chunks of table "${table.name}"`, error, session.display);
      }
    };
    const column = columns.length === 1 ? columns[0]! : undefined;
    if (column?.type.kind === 'integer' && !/^year\b/i.test(column.nativeType)) {
      const [bounds] = await run(
        `SELECT MIN(${key[0]!.sql}), MAX(${key[0]!.sql}) FROM ${quoteIdentifier(table.name)}`,
        [],
      );
      const [least, greatest] = (bounds ?? [null, null]).map((raw) => decode([raw])[0]);
      const ranges = integerKeyRanges(least, greatest, options.rows, table.estimatedRows, (value) =>
        decode([String(value)]),
      );
      if (ranges) return ranges;
    }
    const boundaries: CanonicalValue[][] = [];
    let previous: CanonicalValue[] | undefined;
    for (;;) {
      const where = mysqlRangeWhere(key, previous ? { after: previous } : {});
      // Two rows: a boundary only where a row follows it, so the last range is never empty.
      const sql = `${head}${where.sql}${mysqlKeyOrder(key)} LIMIT 2 OFFSET ${offset}`;
      const [row, next] = await run(sql, where.params);
      if (!row || !next) break;
      const boundary = decode(row);
      if (previous && isDeepStrictEqual(boundary, previous)) {
        // The walk would never end: a boundary that does not compare equal to the value it was read from.
        throw new DatabaseError(
          'MYSQL_CHUNK_PLAN',
          `Planning the chunks of table "${table.name}" on (${options.key.join(', ')}) found the same boundary twice: a key value does not compare equal to itself once read. Copy this table in one chunk.`,
        );
      }
      boundaries.push(boundary);
      previous = boundary;
    }
    return rangesBetween(boundaries);
  });
}
