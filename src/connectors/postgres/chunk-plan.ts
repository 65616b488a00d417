/** Plans a PostgreSQL table's chunks by the nibble walk (`Connector.planChunks`). */
import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import { DatabaseError } from '../../errors.js';
import type { Table } from '../../schema/table.js';
import type { CanonicalValue } from '../../values/canonical.js';
import type { ChunkPlanOptions, KeyRange } from '../connector.js';
import { postgresKeyColumns, postgresKeyOrder, postgresRangeWhere } from './chunks.js';
import { postgresDecoder } from './codecs.js';
import { qualify, quoteIdent } from './identifiers.js';

/** Every value as the server's output text, decoded by the folder's own decoders like COPY's. */
const RAW_TEXT = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;

/**
 * The nibble walk: from no lower bound, asks for the key at offset `rows - 1` past the previous
 * boundary, in binary key order, until no row follows it (so a table of at most `rows` rows is
 * `[{}]` and no range is empty). Boundaries are the canonical values `read` gives for those columns.
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
  const ranges: KeyRange[] = [];
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
    const boundary = row.map((text, i) => (text === null ? null : decoders[i]!(text)));
    if (previous && isDeepStrictEqual(boundary, previous)) {
      // The walk would never end: a key value that does not compare equal to itself once read back.
      throw new DatabaseError(
        'PG_CHUNK_PLAN',
        `Planning the chunks of table "${table.name}" on (${options.key.join(', ')}) found the same boundary twice: a key value does not read back as itself. Copy this table in one chunk.`,
      );
    }
    ranges.push(previous ? { after: previous, through: boundary } : { through: boundary });
    previous = boundary;
  }
  ranges.push(previous ? { after: previous } : {});
  return ranges;
}
