/** Rows into batches for `write`, and a `read` back into rows: the two directions every connector test needs. */
import { type CanonicalValue, estimateBytes, type RowBatch } from '../../src/values/canonical.js';

/** The estimated size of some rows, as readers compute it. */
export function estimatedBytes(rows: CanonicalValue[][]): number {
  return rows.reduce((sum, row) => sum + row.reduce<number>((s, v) => s + estimateBytes(v), 0), 0);
}

/**
 * Yields `rows` in batches of `size` rows (all in one batch by default). Each batch claims
 * `bytesOf(batch)` bytes, so a test can check that `write` adds up what the batches claim.
 */
export async function* batchesOf(
  rows: CanonicalValue[][],
  size = Math.max(rows.length, 1),
  bytesOf: (batch: CanonicalValue[][]) => number = estimatedBytes,
): AsyncGenerator<RowBatch> {
  for (let at = 0; at < rows.length; at += size) {
    const batch = rows.slice(at, at + size);
    yield { rows: batch, bytes: bytesOf(batch) };
  }
}

/** Every row of a read, in order. */
export async function collectRows(batches: AsyncIterable<RowBatch>): Promise<CanonicalValue[][]> {
  const rows: CanonicalValue[][] = [];
  for await (const batch of batches) rows.push(...batch.rows);
  return rows;
}
