/**
 * Both sides' checksum of one key range: the columns both databases can render are hashed where
 * the data is (Connector.checksum); the others are read, in key order, and hashed here together
 * with their row's key, so a value cannot move to another row unseen. A table with no key is
 * hashed here entirely (its SQL part could not be tied to its rows).
 */
import type { Connector, KeyRange } from '../connectors/connector.js';
import type { Column } from '../schema/table.js';
import { type ChunkChecksum, ChunkHasher, sameChecksum } from '../values/canonical-text.js';
import { fieldRenderer, joinFields } from './row-fields.js';
import { keyColumns, projection, type TablePair } from './table-pair.js';

/** One side's checksum of a range. */
export interface SideChecksum {
  rows: number;
  sql?: ChunkChecksum;
  client?: ChunkChecksum;
}

/** Batch limits of the reads verify does. */
export const VERIFY_BATCH = { batchRows: 2_000, batchBytes: 8 << 20 };

/** The columns hashed in SQL on one side, and the ones hashed here. */
function split(pair: TablePair, side: 'source' | 'target'): { sql: Column[]; client: Column[] } {
  if (!pair.key) return { sql: [], client: pair.columns.map((column) => column[side]) };
  return {
    sql: pair.columns.filter((column) => column.inSql).map((column) => column[side]),
    client: pair.columns.filter((column) => !column.inSql).map((column) => column[side]),
  };
}

/** Hashes `columns` (after the key) of every row of `range` on one side, here in Ferry. */
async function clientChecksum(
  connector: Connector,
  pair: TablePair,
  side: 'source' | 'target',
  columns: Column[],
  range: KeyRange,
): Promise<ChunkChecksum> {
  const key = keyColumns(pair, side);
  const read = [...key, ...columns];
  const paired = new Map(pair.columns.map((column) => [column[side].name, column]));
  const renderers = read.map((column) => {
    const both = paired.get(column.name);
    const exact = key.includes(column) || (!!both?.inSql && !!pair.key);
    return fieldRenderer(both?.source.type ?? column.type, exact, pair.mode);
  });
  const hasher = new ChunkHasher();
  const table = projection(pair[side], read);
  const batches = connector.read(table, {
    ...VERIFY_BATCH,
    ...(pair.key ? { key: pair.key[side], range } : {}),
  });
  for await (const batch of batches) {
    for (const row of batch.rows)
      hasher.addRowText(joinFields(row.map((value, at) => renderers[at]!(value))));
  }
  return hasher.result();
}

/** One side's checksum of `range`. */
export async function sideChecksum(
  connector: Connector,
  pair: TablePair,
  side: 'source' | 'target',
  range: KeyRange,
): Promise<SideChecksum> {
  const { sql, client } = split(pair, side);
  const [sqlPart, clientPart] = await Promise.all([
    sql.length > 0
      ? connector.checksum(pair[side], {
          columns: sql.map((column) => column.name),
          mode: pair.mode,
          ...(pair.key ? { key: pair.key[side], range } : {}),
        })
      : undefined,
    client.length > 0 ? clientChecksum(connector, pair, side, client, range) : undefined,
  ]);
  return {
    rows: sqlPart?.rows ?? clientPart?.rows ?? 0,
    ...(sqlPart ? { sql: sqlPart } : {}),
    ...(clientPart ? { client: clientPart } : {}),
  };
}

/** Whether both sides' checksums of a range agree. */
export function sameSides(a: SideChecksum, b: SideChecksum): boolean {
  const same = (x?: ChunkChecksum, y?: ChunkChecksum) => (x && y ? sameChecksum(x, y) : x === y);
  return a.rows === b.rows && same(a.sql, b.sql) && same(a.client, b.client);
}
