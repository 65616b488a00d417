/**
 * Plans a PostgreSQL table's chunks (`Connector.planChunks`): a dense one-column integer key by
 * arithmetic between its least and greatest values, any other key by the nibble walk.
 */
import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import { DatabaseError } from '../../errors.js';
import type { Table } from '../../schema/table.js';
import type { CanonicalValue } from '../../values/canonical.js';
import type { ChunkPlanOptions, KeyRange } from '../connector.js';
import { integerKeyRanges, rangesBetween } from '../integer-key-ranges.js';
import { postgresKeyColumns, postgresKeyOrder, postgresRangeWhere } from './chunks.js';
import { postgresDecoder } from './codecs.js';
import { qualify, quoteIdent } from './identifiers.js';

/** Every value as the server's output text, decoded by the folder's own decoders like COPY's. */
const RAW_TEXT = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;

/**
 * A one-column integer key that the table's statistics show dense gets ranges of `rows` values
 * between its min and max (integer-key-ranges.ts; gaps may leave a range empty). Any other key
 * gets the nibble walk: from no lower bound, asks for the key at offset `rows - 1` past the
 * previous boundary, in binary key order, until no row follows it (so a table of at most `rows`
 * rows is `[{}]` and no range is empty). Boundaries are the canonical values `read` gives for
 * those columns.
 */
export async function planPostgresChunks(
  client: pg.ClientBase,
  schema: string,
  table: Table,
  options: ChunkPlanOptions,
): Promise<KeyRange[]> {
  const key = postgresKeyColumns(table, options.key);
  if (key.length === 0) return [{}];
  const decoders = key.map((part) => postgresDecoder(part.column.type));
  const offset = Math.max(1, Math.floor(options.rows)) - 1;
  const select = key.map((part) => quoteIdent(part.column.name)).join(', ');
  const from = qualify(schema, table.name);
  const decodeKey = (row: Array<string | null>) =>
    row.map((text, i) => (text === null ? null : decoders[i]!(text)));
  if (key.length === 1 && key[0]!.column.type.kind === 'integer') {
    const { rows } = await client.query<Array<string | null>>({
      text: `SELECT min(${select}), max(${select}) FROM ${from}`,
      rowMode: 'array',
      types: RAW_TEXT,
    });
    const [least, greatest] = (rows[0] ?? [null, null]).map((text) => decodeKey([text])[0]);
    const ranges = integerKeyRanges(least, greatest, options.rows, table.estimatedRows, (value) =>
      decodeKey([String(value)]),
    );
    if (ranges) return ranges;
  }
  const boundaries: CanonicalValue[][] = [];
  let previous: CanonicalValue[] | undefined;
  for (;;) {
    const where = postgresRangeWhere(key, previous ? { after: previous } : {});
    // Two rows: a boundary only where a row follows it.
    const sql = `SELECT ${select} FROM ${from}${where}${postgresKeyOrder(key)} LIMIT 2 OFFSET ${offset}`;
    const { rows } = await client.query<Array<string | null>>({
      text: sql,
      rowMode: 'array',
      types: RAW_TEXT,
    });
    const [row, next] = rows;
    if (!row || !next) break;
    const boundary = decodeKey(row);
    if (previous && isDeepStrictEqual(boundary, previous)) {
      // The walk would never end: a key value that does not compare equal to itself once read back.
      throw new DatabaseError(
        'PG_CHUNK_PLAN',
        `Planning the chunks of table "${table.name}" on (${options.key.join(', ')}) found the same boundary twice: a key value does not read back as itself. Copy this table in one chunk.`,
      );
    }
    boundaries.push(boundary);
    previous = boundary;
  }
  return rangesBetween(boundaries);
}
