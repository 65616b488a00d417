import { describe, expect, it } from 'vitest';
import { integerKeyBoundaries, rangesBetween } from '../../../src/connectors/integer-key-ranges.js';

describe('integerKeyBoundaries', () => {
  it('cuts a dense key every `rows` values, the last range reaching the greatest', () => {
    expect(integerKeyBoundaries(1n, 1000n, 300, 1000)).toEqual([300n, 600n, 900n]);
    expect(integerKeyBoundaries(1n, 900n, 300, 900)).toEqual([300n, 600n]);
    expect(integerKeyBoundaries(-10n, 9n, 5, 20)).toEqual([-6n, -1n, 4n]);
  });

  it('gives one range (no boundary) when every value fits in one', () => {
    expect(integerKeyBoundaries(1n, 300n, 300, 300)).toEqual([]);
    expect(integerKeyBoundaries(7n, 7n, 1, 1)).toEqual([]);
  });

  it('keeps every range at most `rows` values wide, so at most `rows` rows of a unique key', () => {
    const boundaries = integerKeyBoundaries(5n, 12_345n, 1000, 12_000)!;
    const edges = [4n, ...boundaries, 12_345n];
    for (let at = 1; at < edges.length; at++) expect(edges[at]! - edges[at - 1]!).toBeLessThanOrEqual(1000n);
  });

  it('declines a key sparser than its estimated rows vouch for, or with no estimate', () => {
    // 1,000 rows spread over a million values: 1,000 ranges where 4 would do.
    expect(integerKeyBoundaries(1n, 1_000_000n, 300, 1000)).toBeUndefined();
    expect(integerKeyBoundaries(1n, 1000n, 300, undefined)).toBeUndefined();
    expect(integerKeyBoundaries(1n, 1000n, 300, 0)).toBeUndefined();
    // Half the values taken: twice the ranges the rows need, still taken.
    expect(integerKeyBoundaries(1n, 2000n, 100, 1000)).toHaveLength(19);
  });

  it('works across the whole signed 64-bit range without losing precision', () => {
    const least = -(2n ** 63n);
    const greatest = 2n ** 63n - 1n;
    const rows = 2 ** 62;
    expect(integerKeyBoundaries(least, greatest, rows, 2 ** 64)).toEqual([
      least + 2n ** 62n - 1n,
      least + 2n ** 63n - 1n,
      least + 3n * 2n ** 62n - 1n,
    ]);
  });
});

describe('rangesBetween', () => {
  it('chains the ranges with no gap and no overlap', () => {
    expect(rangesBetween([[1n], [2n]])).toEqual([
      { through: [1n] },
      { after: [1n], through: [2n] },
      { after: [2n] },
    ]);
    expect(rangesBetween([])).toEqual([{}]);
  });
});
