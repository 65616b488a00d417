/**
 * `--repair`: rewrites the differing rows of one table on the target from the source — the rows of
 * the differing keys deleted and the source's rows inserted, in one target transaction (the
 * writer's, Connector.write with `replace`) — or, with dry-run, only counts what it would do.
 */
import type { Connector } from '../connectors/connector.js';
import type { Row, RowBatch } from '../values/canonical.js';
import { estimateBytes } from '../values/canonical.js';
import type { Coercions } from '../values/coercions.js';
import type { FoundDifference } from './row-diff.js';
import type { TablePair } from './table-pair.js';

/** What a repair did, or would do. */
export interface RepairCount {
  deleted: number;
  inserted: number;
}

async function* batchesOf(rows: Row[]): AsyncGenerator<RowBatch> {
  for (let at = 0; at < rows.length; at += 1000) {
    const slice = rows.slice(at, at + 1000);
    let bytes = 0;
    for (const row of slice) for (const value of row) bytes += estimateBytes(value);
    yield { rows: slice, bytes };
  }
}

/** Repairs (or counts, with `dryRun`) the differences of one table. */
export async function repairTable(
  target: Connector,
  pair: TablePair,
  differences: readonly FoundDifference[],
  options: { dryRun: boolean; coercions: Coercions },
): Promise<RepairCount> {
  const keys = differences.flatMap((found) => (found.targetKey ? [found.targetKey] : []));
  const rows = differences.flatMap((found) => (found.sourceRow ? [found.sourceRow] : []));
  const count = { deleted: keys.length, inserted: rows.length };
  if (options.dryRun || (keys.length === 0 && rows.length === 0) || !pair.key) return count;
  await target.write(pair.written, batchesOf(rows), {
    coercions: options.coercions,
    replace: { key: pair.key.target, keys },
  });
  return count;
}
