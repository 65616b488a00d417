import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  normalizeDecimal,
  normalizeTemporal,
  numberToDecimalText,
  trimFraction,
} from '../../../src/values/canonical.js';

describe('trimFraction', () => {
  it.each([
    ['10:00:00.120000', '10:00:00.12'],
    ['10:00:00.000000', '10:00:00'],
    ['2020-01-01 00:00:00', '2020-01-01 00:00:00'],
    ['-838:59:59.000001', '-838:59:59.000001'],
  ])('%s → %s', (input, output) => expect(trimFraction(input)).toBe(output));
});

describe('numberToDecimalText', () => {
  it.each([
    [0.99, '0.99'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-1.25e-10, '-0.000000000125'],
    [123, '123'],
  ])('%d → %s', (input, output) => expect(numberToDecimalText(input)).toBe(output));

  it('round-trips every finite double through its decimal text', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const text = numberToDecimalText(value);
        expect(text).not.toMatch(/e/i);
        expect(Object.is(Number(text), value === 0 ? Number(text) : value)).toBe(true);
      }),
    );
  });
});

describe('normalizeDecimal', () => {
  it.each([
    ['1.50', '1.5'],
    ['001.000', '1'],
    ['-0.00', '0'],
    ['+12', '12'],
    ['.5', '0.5'],
  ])('%s → %s', (input, output) => expect(normalizeDecimal(input)).toBe(output));
});

describe('normalizeTemporal', () => {
  it.each([
    ['2020-01-01T10:00:00.500', '2020-01-01 10:00:00.5'],
    ['2020-01-01 10:00', '2020-01-01 10:00:00'],
    ['-838:59:59.000000', '-838:59:59'],
    ['10:30', '10:30:00'],
    ['2020-01-01', '2020-01-01'],
  ])('%s → %s', (input, output) => expect(normalizeTemporal(input)).toBe(output));
});
