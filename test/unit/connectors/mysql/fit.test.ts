/**
 * The writer's per-value check against the target column: every value LOAD DATA would clamp, cut
 * or round is found before it is sent, with the substitute LOSS_KINDS documents.
 */
import { describe, expect, it } from 'vitest';
import { MysqlColumnPolicy, MysqlLoss } from '../../../../src/connectors/mysql/coerce.js';
import { type MysqlTargetColumn, misfitOf } from '../../../../src/connectors/mysql/fit.js';
import { roundFraction } from '../../../../src/connectors/mysql/fit-temporal.js';
import type { LogicalType } from '../../../../src/schema/logical-type.js';
import type { CanonicalValue } from '../../../../src/values/canonical.js';
import { Coercions, parseCoercionRule } from '../../../../src/values/coercions.js';

const column = (
  type: LogicalType,
  nativeType: string,
  collation: string | null = null,
): MysqlTargetColumn => ({
  type,
  nativeType,
  collation,
});
const same = (target: MysqlTargetColumn) => target.type;

const TINYINT = column({ kind: 'integer', bits: 8, unsigned: false }, 'tinyint(4)');
const BIGINT = column({ kind: 'integer', bits: 64, unsigned: false }, 'bigint(20)');
const YEAR = column({ kind: 'integer', bits: 16, unsigned: false }, 'year(4)');
const DEC = column({ kind: 'decimal', precision: 5, scale: 2 }, 'decimal(5,2)');
const DOUBLE = column({ kind: 'float', bits: 64 }, 'double');
const FLOAT = column({ kind: 'float', bits: 32 }, 'float');
const VARCHAR = column({ kind: 'text', length: 3 }, 'varchar(3)', 'utf8mb4_bin');
const TINYTEXT = column({ kind: 'text' }, 'tinytext', 'utf8mb4_general_ci');
const LATIN_TINYTEXT = column({ kind: 'text' }, 'tinytext', 'latin1_swedish_ci');
const VARBINARY = column({ kind: 'binary', length: 2 }, 'varbinary(2)');
const BIT = column({ kind: 'bit', length: 4 }, 'bit(4)');
const DATE = column({ kind: 'date' }, 'date');
const DATETIME3 = column({ kind: 'datetime', fsp: 3 }, 'datetime(3)');
const TIMESTAMP = column({ kind: 'timestamptz', fsp: 0 }, 'timestamp');
const TIMESTAMP6 = column({ kind: 'timestamptz', fsp: 6 }, 'timestamp(6)');
const TIME = column({ kind: 'time', fsp: 0 }, 'time');
const LONGTEXT = column({ kind: 'text' }, 'longtext', 'utf8mb4_bin');

const cases: Array<[string, CanonicalValue, MysqlTargetColumn, ReturnType<typeof misfitOf>]> = [
  ['127 into TINYINT', 127n, TINYINT, undefined],
  ['300 into TINYINT', 300n, TINYINT, { loss: 'out-of-range', substitute: 127n }],
  ['-129 into TINYINT', -129n, TINYINT, { loss: 'out-of-range', substitute: -128n }],
  [
    '2^64-1 into BIGINT',
    18446744073709551615n,
    BIGINT,
    { loss: 'out-of-range', substitute: 9223372036854775807n },
  ],
  ['YEAR 0', 0n, YEAR, undefined],
  ['YEAR 1900', 1900n, YEAR, { loss: 'out-of-range', substitute: 1901n }],
  ['decimal that fits', '-999.99', DEC, undefined],
  ['trailing zeros beyond the scale fit', '1.2500000', DEC, undefined],
  ['decimal with too many integer digits', '1000', DEC, { loss: 'out-of-range', substitute: '999.99' }],
  ['decimal with too many fraction digits', '1.005', DEC, { loss: 'precision', substitute: '1.01' }],
  ['negative rounding away from zero', '-1.004', DEC, { loss: 'precision', substitute: '-1.00' }],
  ['rounding that overflows', '999.999', DEC, { loss: 'out-of-range', substitute: '999.99' }],
  ['numeric NaN', 'NaN', DEC, { loss: 'special-float', substitute: null }],
  ['numeric -Infinity', '-Infinity', DEC, { loss: 'special-float', substitute: '-999.99' }],
  ['NaN', Number.NaN, DOUBLE, { loss: 'special-float', substitute: null }],
  ['-0', -0, DOUBLE, { loss: 'special-float', substitute: 0 }],
  ['Infinity', Number.POSITIVE_INFINITY, DOUBLE, { loss: 'special-float', substitute: Number.MAX_VALUE }],
  ['denormal double', 5e-324, DOUBLE, undefined],
  ['exact float32', 0.10000000149011612, FLOAT, undefined],
  ['double into FLOAT', 0.1, FLOAT, { loss: 'precision', substitute: 0.10000000149011612 }],
  ['1e39 into FLOAT', 1e39, FLOAT, { loss: 'out-of-range', substitute: 3.4028234663852886e38 }],
  ['3 characters of 4 bytes', '😀😀😀', VARCHAR, undefined],
  ['4 characters into VARCHAR(3)', 'abcd', VARCHAR, { loss: 'too-long', substitute: 'abc' }],
  ['a lone surrogate', 'a\uD800', VARCHAR, { loss: 'invalid-text', substitute: 'a\uFFFD' }],
  ['256 bytes into TINYTEXT', 'é'.repeat(128), TINYTEXT, { loss: 'too-long', substitute: 'é'.repeat(127) }],
  ['128 latin1 characters into TINYTEXT', 'é'.repeat(128), LATIN_TINYTEXT, undefined],
  [
    '3 bytes into VARBINARY(2)',
    Buffer.from([1, 2, 3]),
    VARBINARY,
    { loss: 'too-long', substitute: Buffer.from([1, 2]) },
  ],
  ['0001 into BIT(4)', '00001111', BIT, undefined],
  ['11111 into BIT(4)', '11111', BIT, { loss: 'out-of-range', substitute: '1111' }],
  ['zero date into DATE', '0000-00-00', DATE, undefined],
  ['infinity into DATE', 'infinity', DATE, { loss: 'infinite-date', substitute: '9999-12-31' }],
  ['a BC date into DATE', '0044-03-15 BC', DATE, { loss: 'infinite-date', substitute: '0001-01-01' }],
  ['year 10000 into DATE', '10000-01-01', DATE, { loss: 'infinite-date', substitute: '9999-12-31' }],
  [
    '-infinity into DATETIME(3)',
    '-infinity',
    DATETIME3,
    { loss: 'infinite-date', substitute: '0001-01-01 00:00:00' },
  ],
  [
    'microseconds into DATETIME(3)',
    '2020-12-31 23:59:59.9995',
    DATETIME3,
    { loss: 'precision', substitute: '2021-01-01 00:00:00.000' },
  ],
  [
    '1970-01-01 00:00:00 into TIMESTAMP',
    '1970-01-01 00:00:00',
    TIMESTAMP,
    { loss: 'out-of-range', substitute: '1970-01-01 00:00:01' },
  ],
  ['1970-01-01 00:00:00.5 into TIMESTAMP(6)', '1970-01-01 00:00:00.5', TIMESTAMP6, undefined],
  [
    '2038-01-19 03:14:08 into TIMESTAMP',
    '2038-01-19 03:14:08',
    TIMESTAMP,
    { loss: 'out-of-range', substitute: '2038-01-19 03:14:07' },
  ],
  [
    'infinity into TIMESTAMP(6)',
    'infinity',
    TIMESTAMP6,
    { loss: 'infinite-date', substitute: '2038-01-19 03:14:07.999999' },
  ],
  ['the zero TIMESTAMP', '0000-00-00 00:00:00', TIMESTAMP, undefined],
  ['838:59:59', '838:59:59', TIME, undefined],
  ['839:00:00', '839:00:00', TIME, { loss: 'time-range' }],
  ['-00:00:00.5 into TIME', '-00:00:00.5', TIME, { loss: 'precision', substitute: '-00:00:01' }],
];

describe('misfits of values in their target columns', () => {
  it.each(cases)('%s', (_name, value, target, expected) => {
    expect(misfitOf(value, same(target), target)).toEqual(expected);
  });

  it('calls a type without counterpart no-target-type, but not between MariaDB geometries', () => {
    expect(misfitOf('POINT(1 2)', { kind: 'other', name: 'point' }, LONGTEXT)).toEqual({
      loss: 'no-target-type',
    });
    const point = column({ kind: 'other', name: 'point' }, 'point');
    expect(misfitOf('POINT(1 2)', point.type, point)).toBeUndefined();
  });

  it('rounds fractional seconds half away from zero with carry', () => {
    expect(roundFraction('9999-12-30 23:59:59.5', 0, 'datetime')).toBe('9999-12-31 00:00:00');
    expect(roundFraction('2024-02-28 23:59:59.96', 1, 'datetime')).toBe('2024-02-29 00:00:00.0');
    expect(roundFraction('0001-01-01 00:00:00.123456', 4, 'datetime')).toBe('0001-01-01 00:00:00.1235');
    expect(roundFraction('-838:59:58.5', 0, 'time')).toBe('-838:59:59');
    expect(roundFraction('10:00:00.12', 6, 'time')).toBe('10:00:00.12');
  });
});

describe('coercion policies of a column', () => {
  const policy = (rules: string[], nullable = true) =>
    new MysqlColumnPolicy('t', 'c', nullable, new Coercions(rules.map(parseCoercionRule)));
  const loss = { loss: 'out-of-range', substitute: 127n } as const;

  it('errors by default, and when NULL is chosen for a NOT NULL column', () => {
    expect(() => policy([]).resolve(300n, loss)).toThrow(MysqlLoss);
    expect(() => policy(['out-of-range=null'], false).resolve(300n, loss)).toThrow(MysqlLoss);
    expect(() => policy(['t.other:out-of-range=null']).resolve(300n, loss)).toThrow(MysqlLoss);
  });

  it('applies null and substitute and counts them only when flushed', () => {
    const coercions = new Coercions([
      parseCoercionRule('out-of-range=substitute'),
      parseCoercionRule('t.c:special-float=null'),
    ]);
    const column = new MysqlColumnPolicy('t', 'c', true, coercions);
    expect(column.resolve(300n, loss)).toBe(127n);
    expect(column.resolve(301n, loss)).toBe(127n);
    expect(column.resolve(Number.NaN, { loss: 'special-float', substitute: null })).toBeNull();
    expect(coercions.counts()).toEqual([]);
    column.flush();
    expect(coercions.counts()).toEqual([
      { table: 't', column: 'c', loss: 'out-of-range', action: 'substitute', values: 2 },
      { table: 't', column: 'c', loss: 'special-float', action: 'null', values: 1 },
    ]);
  });

  it('lets a type without counterpart through as text when widened, never a widen the column did not get', () => {
    const widened = policy(['no-target-type=widen', 'too-long=widen']);
    expect(widened.resolve('POINT(1 2)', { loss: 'no-target-type' })).toBe('POINT(1 2)');
    expect(widened.resolve(5n, { loss: 'no-target-type' })).toBe('5');
    expect(() => widened.resolve('abcd', { loss: 'too-long', substitute: 'abc' })).toThrow(MysqlLoss);
  });
});
