/**
 * Narrows a key range whose checksums differ down to rows: a range of at most ROWS_TO_COMPARE
 * rows is read and compared row by row; a larger one is cut into BISECT_PIECES pieces at keys of
 * the side holding more rows (so extra rows on the target are found as well), each piece is
 * checksummed on both sides, and only differing pieces are looked into further.
 */
import type { Connector, KeyRange } from '../connectors/connector.js';
import type { CanonicalValue } from '../values/canonical.js';
import { sameSides, sideChecksum, VERIFY_BATCH } from './range-checksum.js';
import { diffRange, type FoundDifference } from './row-diff.js';
import { keyColumns, projection, type TablePair } from './table-pair.js';
import { BISECT_PIECES, ROWS_TO_COMPARE } from './verify-options.js';

/** What looking into one differing range found. */
export interface Bisection {
  differences: FoundDifference[];
  /** Ranges whose checksums differ but whose rows compare equal. */
  unresolved: number;
}

/** Keys of one side in `range`, every `step`-th, as the through-bounds of the pieces. */
async function cutKeys(
  connector: Connector,
  pair: TablePair,
  side: 'source' | 'target',
  range: KeyRange,
  step: number,
): Promise<CanonicalValue[][]> {
  const key = keyColumns(pair, side);
  const cuts: CanonicalValue[][] = [];
  let seen = 0;
  for await (const batch of connector.read(projection(pair[side], key), {
    ...VERIFY_BATCH,
    key: pair.key![side],
    range,
  })) {
    for (const row of batch.rows) {
      seen++;
      if (seen % step === 0) cuts.push(row);
    }
  }
  return cuts;
}

/** Finds the differing rows of `range`, whose sides hold `rows` = [source, target] rows. */
export async function bisect(
  source: Connector,
  target: Connector,
  pair: TablePair,
  range: KeyRange,
  rows: [number, number],
  showValues: boolean,
): Promise<Bisection> {
  const most = Math.max(...rows);
  if (!pair.key || most <= ROWS_TO_COMPARE) {
    const differences = await diffRange(source, target, pair, range, showValues);
    return { differences, unresolved: differences.length === 0 ? 1 : 0 };
  }
  const side = rows[0] >= rows[1] ? 'source' : 'target';
  const connector = side === 'source' ? source : target;
  const cuts = await cutKeys(connector, pair, side, range, Math.ceil(most / BISECT_PIECES));
  const pieces: KeyRange[] = [];
  let after = range.after;
  for (const cut of cuts) {
    pieces.push({ ...(after ? { after } : {}), through: cut });
    after = cut;
  }
  pieces.push({ ...(after ? { after } : {}), ...(range.through ? { through: range.through } : {}) });
  const result: Bisection = { differences: [], unresolved: 0 };
  for (const piece of pieces) {
    const [a, b] = await Promise.all([
      sideChecksum(source, pair, 'source', piece),
      sideChecksum(target, pair, 'target', piece),
    ]);
    if (sameSides(a, b)) continue;
    // A piece as large as its range cannot be cut further: compare its rows whatever their number.
    const found =
      Math.max(a.rows, b.rows) >= most
        ? { differences: await diffRange(source, target, pair, piece, showValues), unresolved: 0 }
        : await bisect(source, target, pair, piece, [a.rows, b.rows], showValues);
    result.differences.push(...found.differences);
    result.unresolved += found.unresolved;
  }
  return result;
}
