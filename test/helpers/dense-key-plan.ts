/**
 * The dense-integer-key case of the connectors' chunk tests: 1..1000 without the multiples of 7,
 * planned in ranges of 100 values (the walk's 100th key would be 116, arithmetic's is 100).
 */
import { expect } from 'vitest';
import type { Connector } from '../../src/connectors/connector.js';
import type { Table } from '../../src/schema/table.js';
import type { CanonicalValue } from '../../src/values/canonical.js';
import { collectRows } from './batches.js';

/** The ids the `dense` table holds. */
export const DENSE_IDS = Array.from({ length: 1000 }, (_, i) => i + 1).filter((id) => id % 7 !== 0);

/** Plans `table` (holding DENSE_IDS as `id`) and checks arithmetic boundaries, every range at most 100 rows, none lost. */
export async function checkDensePlan(connector: Connector, table: Table): Promise<void> {
  const dense = { ...table, estimatedRows: DENSE_IDS.length };
  const ranges = await connector.planChunks(dense, { key: ['id'], rows: 100 });
  expect(ranges).toHaveLength(10);
  expect(ranges[0]).toEqual({ through: [100n] });
  expect(ranges[1]).toEqual({ after: [100n], through: [200n] });
  expect(ranges.at(-1)).toEqual({ after: [900n] });
  const pieces: CanonicalValue[][] = [];
  for (const range of ranges) {
    const part = await collectRows(
      connector.read(dense, { batchRows: 7, batchBytes: 1 << 20, key: ['id'], range }),
    );
    expect(part.length).toBeGreaterThan(0);
    expect(part.length).toBeLessThanOrEqual(100);
    pieces.push(...part);
  }
  expect(pieces.map((row) => row[0])).toEqual(DENSE_IDS.map(BigInt));
}
