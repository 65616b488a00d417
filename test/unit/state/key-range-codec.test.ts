import { describe, expect, it } from 'vitest';
import type { KeyRange } from '../../../src/connectors/connector.js';
import { decodeKeyRange, encodeKeyRange } from '../../../src/state/key-range-codec.js';

describe('key range codec', () => {
  it.each<[string, KeyRange]>([
    ['whole table', {}],
    ['64-bit integers beyond 2^53', { after: [9007199254740993n], through: [18446744073709551615n] }],
    [
      'composite with text and bytes',
      { after: ['Zoë', Buffer.from([0, 255, 10])], through: ['é', Buffer.alloc(0)] },
    ],
    ['floats of every kind', { after: [-0, Number.NaN, Infinity, -Infinity, 5e-324, 0.1 + 0.2] }],
    ['null and booleans', { through: [null, true, false] }],
    ['numeric text stays text', { after: ['123', '0001'] }],
  ])('%s reads back exactly', (_, range) => {
    const back = decodeKeyRange(encodeKeyRange(range));
    expect(back).toEqual(range);
    for (const side of ['after', 'through'] as const) {
      (range[side] ?? []).forEach((value, at) => {
        const read = back[side]![at];
        expect(typeof read).toBe(typeof value);
        if (typeof value === 'number') expect(Object.is(read, value)).toBe(true);
      });
    }
  });
});
