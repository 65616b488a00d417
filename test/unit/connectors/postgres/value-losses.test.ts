import { describe, expect, it } from 'vitest';
import type { PresentValue } from '../../../../src/connectors/postgres/codecs.js';
import {
  postgresLossOf,
  postgresSubstitute,
  roundDecimalText,
} from '../../../../src/connectors/postgres/value-losses.js';
import type { LogicalType } from '../../../../src/schema/logical-type.js';
import type { LossKind } from '../../../../src/values/loss-kinds.js';

const TEXT: LogicalType = { kind: 'text' };
const VARCHAR5: LogicalType = { kind: 'text', length: 5 };
const SMALLINT: LogicalType = { kind: 'integer', bits: 16, unsigned: false };
const BIGINT: LogicalType = { kind: 'integer', bits: 64, unsigned: false };
const NUMERIC52: LogicalType = { kind: 'decimal', precision: 5, scale: 2 };
const REAL: LogicalType = { kind: 'float', bits: 32 };
const DATE: LogicalType = { kind: 'date' };
const TIME0: LogicalType = { kind: 'time', fsp: 0 };
const TS3: LogicalType = { kind: 'datetime', fsp: 3 };
const INTERVAL: LogicalType = { kind: 'other', name: 'interval' };

describe('postgres value losses: which values do not fit which column', () => {
  const cases: Array<[string, PresentValue, LogicalType, LogicalType, LossKind | undefined]> = [
    ['NUL in text', 'a\u0000b', TEXT, TEXT, 'nul-in-text'],
    ['NUL in text bound for bytea (widened)', 'a\u0000b', TEXT, { kind: 'binary' }, undefined],
    ['lone surrogate', 'a\ud800', TEXT, TEXT, 'invalid-text'],
    ['emoji pair is valid', '😀', TEXT, TEXT, undefined],
    ['too long, counting characters', 'abcdef', TEXT, VARCHAR5, 'too-long'],
    ['5 emoji fit varchar(5)', '😀😀😀😀😀', TEXT, VARCHAR5, undefined],
    ['excess spaces are still too long', 'abcd  ', TEXT, VARCHAR5, 'too-long'],
    [
      '2^64-1 into bigint',
      18446744073709551615n,
      { kind: 'integer', bits: 64, unsigned: true },
      BIGINT,
      'out-of-range',
    ],
    ['bigint max fits', 9223372036854775807n, BIGINT, BIGINT, undefined],
    ['40000 into smallint', 40000n, SMALLINT, SMALLINT, 'out-of-range'],
    ['-32768 fits smallint', -32768n, SMALLINT, SMALLINT, undefined],
    ['decimal places', '1.505', { kind: 'decimal' }, NUMERIC52, 'precision'],
    ['trailing zeros fit', '1.50000', { kind: 'decimal' }, NUMERIC52, undefined],
    ['integer digits', '1234.5', { kind: 'decimal' }, NUMERIC52, 'out-of-range'],
    [
      'unbounded numeric takes anything',
      `1${'0'.repeat(200)}`,
      { kind: 'decimal' },
      { kind: 'decimal' },
      undefined,
    ],
    [
      'negative scale',
      '1250',
      { kind: 'decimal' },
      { kind: 'decimal', precision: 5, scale: -2 },
      'precision',
    ],
    [
      'negative scale fits',
      '1200',
      { kind: 'decimal' },
      { kind: 'decimal', precision: 5, scale: -2 },
      undefined,
    ],
    ['-0 into numeric', -0, { kind: 'float', bits: 64 }, NUMERIC52, 'special-float'],
    [
      'Infinity into numeric(5,2)',
      Number.POSITIVE_INFINITY,
      { kind: 'float', bits: 64 },
      NUMERIC52,
      'special-float',
    ],
    ['0.1 into real', 0.1, { kind: 'float', bits: 64 }, REAL, 'precision'],
    ['1e300 into real', 1e300, { kind: 'float', bits: 64 }, REAL, 'out-of-range'],
    ['float32 value into real', 0.10000000149011612, { kind: 'float', bits: 64 }, REAL, undefined],
    ['NaN into real', Number.NaN, { kind: 'float', bits: 64 }, REAL, undefined],
    ['zero date', '0000-00-00', DATE, DATE, 'zero-date'],
    ['zero month', '2020-00-15', DATE, DATE, 'zero-date'],
    ['zero day in a datetime', '2020-01-00 10:00:00', TS3, TS3, 'zero-date'],
    ['year 0', '0000-01-01', DATE, DATE, 'zero-date'],
    ['infinity is a PostgreSQL date', 'infinity', DATE, DATE, undefined],
    ['fractional seconds', '2020-01-01 00:00:00.1234', TS3, TS3, 'precision'],
    ['fraction zeros fit', '2020-01-01 00:00:00.123000', TS3, TS3, undefined],
    ['TIME beyond 24 h', '838:59:59', TIME0, TIME0, 'time-range'],
    ['negative TIME', '-00:00:01', TIME0, TIME0, 'time-range'],
    ['24:00:00 fits', '24:00:00', TIME0, TIME0, undefined],
    ['24:00:01 does not', '24:00:01', TIME0, TIME0, 'time-range'],
    ['TIME into interval (widened)', '-838:59:59', TIME0, INTERVAL, undefined],
    ['geometry into text', 'POINT(1 2)', { kind: 'other', name: 'point' }, TEXT, 'no-target-type'],
    [
      'same other type',
      '10.0.0.0/8',
      { kind: 'other', name: 'cidr' },
      { kind: 'other', name: 'cidr' },
      undefined,
    ],
  ];
  it.each(cases)('%s', (_name, value, source, target, loss) => {
    expect(postgresLossOf(value, source, target)).toBe(loss);
  });
});

describe('postgres value losses: documented substitutes', () => {
  it('raises zero date parts, removes NULs, replaces lone surrogates, cuts by characters', () => {
    expect(postgresSubstitute('zero-date', '0000-00-00', DATE)).toBe('0001-01-01');
    expect(postgresSubstitute('zero-date', '2020-00-15 10:00:00', TS3)).toBe('2020-01-15 10:00:00');
    expect(postgresSubstitute('nul-in-text', 'a\u0000b\u0000', TEXT)).toBe('ab');
    expect(postgresSubstitute('invalid-text', 'a\ud800b😀', TEXT)).toBe('a\uFFFDb😀');
    expect(postgresSubstitute('too-long', '😀bcdefg', VARCHAR5)).toBe('😀bcde');
  });

  it('clamps out-of-range numbers and rounds to the target precision', () => {
    expect(postgresSubstitute('out-of-range', 18446744073709551615n, BIGINT)).toBe(9223372036854775807n);
    expect(postgresSubstitute('out-of-range', -40000n, SMALLINT)).toBe(-32768n);
    expect(postgresSubstitute('out-of-range', '-1234.5', NUMERIC52)).toBe('-999.99');
    expect(postgresSubstitute('out-of-range', 1e300, REAL)).toBe(3.4028234663852886e38);
    expect(postgresSubstitute('precision', 0.1, REAL)).toBe(0.10000000149011612);
    expect(postgresSubstitute('precision', '1.505', NUMERIC52)).toBe('1.51');
    expect(postgresSubstitute('precision', '-1.504', NUMERIC52)).toBe('-1.50');
  });

  it('turns special floats into their documented stand-ins', () => {
    expect(postgresSubstitute('special-float', -0, NUMERIC52)).toBe(0);
    expect(postgresSubstitute('special-float', Number.NEGATIVE_INFINITY, NUMERIC52)).toBe(-Number.MAX_VALUE);
    expect(postgresSubstitute('special-float', Number.NaN, NUMERIC52)).toBeNull();
  });

  it('has no substitute where LOSS_KINDS documents none', () => {
    expect(postgresSubstitute('time-range', '838:59:59', TIME0)).toBeUndefined();
    expect(postgresSubstitute('no-target-type', 'POINT(1 2)', TEXT)).toBeUndefined();
  });

  it.each([
    ['1.005', 2, '1.01'],
    ['-1.005', 2, '-1.01'],
    ['9.995', 2, '10.00'],
    ['0.004', 2, '0.00'],
    ['-0.004', 2, '0.00'],
    ['1250', -2, '1300'],
    ['1249.9', -2, '1200'],
    ['45', -2, '0'],
    ['12.5', 0, '13'],
  ])('rounds %s to scale %d half away from zero: %s', (text, scale, rounded) => {
    expect(roundDecimalText(text, scale)).toBe(rounded);
  });
});
