/** Checks on a PostgreSQL copy of the benchmark dataset (bench/lib/dataset.mjs) at a small scale. */
import { expect } from 'vitest';
import { rowCounts } from '../../bench/lib/dataset.mjs';
import { PG_BASE, pgQuery, type TestDatabase } from './servers.js';

/** The dataset's tables. */
export const BENCH_TABLES = ['customers', 'orders', 'events'] as const;

/** Every table holds exactly the dataset's row count at `scale`, each id once. */
export async function expectEachRowOnce(target: TestDatabase, scale: number, base = PG_BASE): Promise<void> {
  for (const table of BENCH_TABLES) {
    const [row] = await pgQuery<{ rows: string; keys: string }>(
      target.name,
      `SELECT COUNT(*)::text AS rows, COUNT(DISTINCT id)::text AS keys FROM "${table}"`,
      [],
      base,
    );
    expect(row!.keys, table).toBe(row!.rows);
    expect(Number(row!.rows), table).toBe(rowCounts(scale)[table]);
  }
}
