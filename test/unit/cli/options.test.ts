import { describe, expect, it } from 'vitest';
import { byteSize, positiveNumber } from '../../../src/cli/options.js';
import { UsageError } from '../../../src/errors.js';

describe('byteSize', () => {
  it.each([
    ['500000', 500000],
    ['512k', 512 * 1024],
    ['20M', 20 * 1024 ** 2],
    ['1.5G', 1.5 * 1024 ** 3],
    ['64MiB', 64 * 1024 ** 2],
  ])('%s → %d', (text, bytes) => expect(byteSize('--x')(text)).toBe(bytes));

  it.each(['', '0', '-5', '12T', 'fast'])('rejects "%s" naming the option', (text) => {
    expect(() => byteSize('--max-bytes-per-second')(text)).toThrow(UsageError);
    expect(() => byteSize('--max-bytes-per-second')(text)).toThrow(/--max-bytes-per-second/);
  });
});

describe('positiveNumber', () => {
  it('accepts numbers above zero and rejects the rest', () => {
    expect(positiveNumber('--n')('2500')).toBe(2500);
    for (const bad of ['0', '-1', 'x', '']) expect(() => positiveNumber('--n')(bad)).toThrow(/--n must be/);
  });
});
