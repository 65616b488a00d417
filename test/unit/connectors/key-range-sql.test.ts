import { describe, expect, it } from 'vitest';
import { keyListWhere, keyRangeWhere } from '../../../src/connectors/key-range-sql.js';

/** Renders `c<at> <op> <value>` and records the binding order. */
function render() {
  const bound: unknown[] = [];
  const compare = (at: number, op: string, value: unknown) => {
    bound.push(value);
    return `c${at} ${op} ?`;
  };
  return { bound, compare };
}

describe('keyRangeWhere', () => {
  it('is empty for the whole table', () => {
    expect(keyRangeWhere(2, {}, render().compare)).toBe('');
  });

  it('compares a one-column key directly', () => {
    const { bound, compare } = render();
    expect(keyRangeWhere(1, { after: [10n], through: [20n] }, compare)).toBe(' WHERE (c0 > ?) AND (c0 <= ?)');
    expect(bound).toEqual([10n, 20n]);
  });

  it('spells a tuple out lexicographically, led by a range on the first column, binding in text order', () => {
    const { bound, compare } = render();
    expect(keyRangeWhere(3, { after: [1n, 'b', 7n] }, compare)).toBe(
      ' WHERE (c0 >= ? AND (c0 > ? OR (c0 = ? AND (c1 > ? OR (c1 = ? AND c2 > ?)))))',
    );
    expect(bound).toEqual([1n, 1n, 1n, 'b', 'b', 7n]);
    const upper = render();
    expect(keyRangeWhere(2, { through: [5n, 'z'] }, upper.compare)).toBe(
      ' WHERE (c0 <= ? AND (c0 < ? OR (c0 = ? AND c1 <= ?)))',
    );
    expect(upper.bound).toEqual([5n, 5n, 5n, 'z']);
  });

  it('refuses a bound whose width is not the key width', () => {
    expect(() => keyRangeWhere(2, { after: [1n] }, render().compare)).toThrow(
      'A key range bound has 1 values for a key of 2 columns.',
    );
  });
});

describe('keyListWhere', () => {
  it('matches exactly the listed keys, binding in text order', () => {
    const one = render();
    expect(keyListWhere(1, [[3n], [5n]], one.compare)).toBe(' WHERE c0 = ? OR c0 = ?');
    expect(one.bound).toEqual([3n, 5n]);
    const two = render();
    expect(
      keyListWhere(
        2,
        [
          [1n, 'a'],
          [2n, 'b'],
        ],
        two.compare,
      ),
    ).toBe(' WHERE (c0 = ? AND c1 = ?) OR (c0 = ? AND c1 = ?)');
    expect(two.bound).toEqual([1n, 'a', 2n, 'b']);
  });

  it('matches nothing for no keys, and refuses a key of the wrong width', () => {
    expect(keyListWhere(1, [], render().compare)).toBe(' WHERE 1 = 0');
    expect(() => keyListWhere(2, [[1n]], render().compare)).toThrow(
      'A key has 1 values for a key of 2 columns.',
    );
  });
});
