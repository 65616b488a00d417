/**
 * Splits the tables of a run into chunks (DESIGN.md principle 3): key ranges of the table's chunk
 * key, sized from the source's statistics, planned before anything is written. A table with no
 * primary or unique NOT NULL key is one chunk, and the run warns about it.
 */
import type { Connector, KeyRange } from '../connectors/connector.js';
import { chunkKeyOf, type Table } from '../schema/table.js';

/** Target chunk size: a chunk closes at whichever comes first. */
export interface ChunkSize {
  rows: number;
  bytes: number;
}

/** One table's chunks: the key they split on (absent = one chunk, no key) and the ranges. */
export interface TableChunks {
  key?: string[];
  ranges: KeyRange[];
}

/** Rows per chunk for a table: `size.rows`, fewer when its average row is wide. */
export function rowsPerChunk(table: Table, size: ChunkSize): number {
  const { estimatedRows, estimatedBytes } = table;
  if (!estimatedRows || !estimatedBytes || estimatedRows <= 0) return size.rows;
  const rowBytes = estimatedBytes / estimatedRows;
  return Math.max(1, Math.min(size.rows, Math.floor(size.bytes / rowBytes)));
}

/** Plans one table's chunks on the source. */
export async function planTableChunks(
  source: Connector,
  table: Table,
  size: ChunkSize,
): Promise<TableChunks> {
  const key = chunkKeyOf(table);
  if (!key) return { ranges: [{}] };
  const ranges = await source.planChunks(table, { key, rows: rowsPerChunk(table, size) });
  return { key, ranges: ranges.length > 0 ? ranges : [{}] };
}
