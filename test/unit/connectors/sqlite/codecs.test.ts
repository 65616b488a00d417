/**
 * The SQLite value codecs: stored values read exactly or refused, canonical values bound so that
 * the column's affinity keeps them, and every value SQLite would change named by its loss kind
 * with the substitute or wider value a policy may choose.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeSqliteValue,
  encodeSqliteValue,
  type SqliteSlot,
  SqliteValueProblem,
  storedClass,
} from '../../../../src/connectors/sqlite/codecs.js';
import type { SqliteAffinity } from '../../../../src/connectors/sqlite/types.js';
import type { LogicalType } from '../../../../src/schema/logical-type.js';
import type { CanonicalValue } from '../../../../src/values/canonical.js';

const int = (bits: 8 | 16 | 24 | 32 | 64, unsigned = false): LogicalType => ({
  kind: 'integer',
  bits,
  unsigned,
});
const slot = (affinity: SqliteAffinity, native = false): SqliteSlot => ({ affinity, native });

function problem(work: () => unknown): SqliteValueProblem {
  try {
    work();
  } catch (error) {
    if (error instanceof SqliteValueProblem) return error;
    throw error;
  }
  throw new Error('expected a SqliteValueProblem');
}

describe('decodeSqliteValue', () => {
  it('keeps exact values', () => {
    expect(decodeSqliteValue(int(64, true), 'TEXT', '18446744073709551615')).toBe(18446744073709551615n);
    expect(decodeSqliteValue(int(8), 'INTEGER', -128n)).toBe(-128n);
    expect(decodeSqliteValue({ kind: 'decimal', precision: 10, scale: 2 }, 'NUMERIC', 0.99)).toBe('0.99');
    expect(decodeSqliteValue({ kind: 'decimal' }, 'NUMERIC', 5n)).toBe('5');
    expect(decodeSqliteValue({ kind: 'decimal' }, 'TEXT', '+.50')).toBe('0.50');
    expect(decodeSqliteValue({ kind: 'decimal' }, 'TEXT', 'NaN')).toBe('NaN');
    expect(decodeSqliteValue({ kind: 'decimal' }, 'NUMERIC', 1e21)).toBe('1000000000000000000000');
    expect(decodeSqliteValue({ kind: 'float', bits: 64 }, 'REAL', 2n ** 60n)).toBe(2 ** 60);
    expect(decodeSqliteValue({ kind: 'boolean' }, 'NUMERIC', 1n)).toBe(true);
    // Stored text is kept as it is: a same-engine copy must not respell it.
    expect(decodeSqliteValue({ kind: 'datetime' }, 'NUMERIC', '2020-01-01T10:00:00.500')).toBe(
      '2020-01-01T10:00:00.500',
    );
    expect(decodeSqliteValue({ kind: 'datetime' }, 'NUMERIC', '2020-01-01 10:00')).toBe('2020-01-01 10:00');
    expect(decodeSqliteValue({ kind: 'time' }, 'NUMERIC', '-838:59:59.000000')).toBe('-838:59:59.000000');
    expect(decodeSqliteValue({ kind: 'date' }, 'NUMERIC', '0000-00-00')).toBe('0000-00-00');
    expect(decodeSqliteValue({ kind: 'timestamptz' }, 'NUMERIC', '2020-01-01 01:30:00.25+02:00')).toBe(
      '2019-12-31 23:30:00.25',
    );
    expect(decodeSqliteValue({ kind: 'timestamptz' }, 'NUMERIC', '0001-01-01 00:00:00Z')).toBe(
      '0001-01-01 00:00:00',
    );
    expect(decodeSqliteValue({ kind: 'uuid' }, 'TEXT', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11')).toBe(
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    );
    expect(decodeSqliteValue({ kind: 'text' }, 'TEXT', null)).toBeNull();
  });

  it('reads a column without a declared type in each value’s own storage class', () => {
    const other: LogicalType = { kind: 'other', name: '' };
    expect(decodeSqliteValue(other, 'BLOB', 12n)).toBe(12n);
    expect(decodeSqliteValue(other, 'BLOB', '12')).toBe('12');
    expect(Object.is(decodeSqliteValue(other, 'BLOB', -0), -0)).toBe(true);
    expect(decodeSqliteValue(other, 'BLOB', Buffer.from('x'))).toEqual(Buffer.from('x'));
  });

  it.each<[LogicalType, SqliteAffinity, bigint | number | string | Buffer, string]>([
    [int(64), 'INTEGER', 2.5, 'stored as REAL'],
    [int(64), 'INTEGER', '12', 'stored as TEXT'],
    [int(64), 'INTEGER', Buffer.from('x'), 'stored as BLOB'],
    [int(8), 'INTEGER', 300n, 'an INTEGER outside the range of integer(8)'],
    [int(64, true), 'TEXT', '-1', 'an INTEGER outside the range of integer(64, unsigned)'],
    [int(64, true), 'TEXT', '1e3', 'TEXT that is not an integer literal'],
    [{ kind: 'float', bits: 64 }, 'REAL', 2n ** 53n + 1n, 'an INTEGER that no double represents exactly'],
    [{ kind: 'float', bits: 64 }, 'REAL', 'NaN', 'stored as TEXT'],
    [{ kind: 'boolean' }, 'NUMERIC', 2n, 'an INTEGER other than 0 and 1'],
    [{ kind: 'decimal' }, 'TEXT', '1e5', 'TEXT that is not a decimal literal'],
    [{ kind: 'text' }, 'TEXT', Buffer.from('x'), 'stored as BLOB'],
    [{ kind: 'binary' }, 'BLOB', 'x', 'stored as TEXT'],
    [{ kind: 'datetime' }, 'NUMERIC', '2020-01-01 10:00:00Z', 'TEXT that is not a datetime literal'],
    [{ kind: 'date' }, 'NUMERIC', 20200115n, 'stored as INTEGER'],
  ])('%o in a %s column refuses %o', (type, affinity, value, message) => {
    expect(problem(() => decodeSqliteValue(type, affinity, value)).message).toBe(message);
  });
});

describe('encodeSqliteValue', () => {
  it('binds values so that the affinity keeps them', () => {
    expect(encodeSqliteValue(int(64, true), slot('TEXT'), 18446744073709551615n)).toBe(
      '18446744073709551615',
    );
    expect(encodeSqliteValue(int(64), slot('INTEGER'), -(2n ** 63n))).toBe(-(2n ** 63n));
    expect(encodeSqliteValue({ kind: 'decimal' }, slot('TEXT'), '-0.000000000000000000000000000001')).toBe(
      '-0.000000000000000000000000000001',
    );
    expect(encodeSqliteValue({ kind: 'decimal' }, slot('NUMERIC'), '0.99')).toBe(0.99);
    expect(encodeSqliteValue({ kind: 'decimal' }, slot('NUMERIC'), '5.00')).toBe(5n);
    expect(encodeSqliteValue({ kind: 'decimal' }, slot('TEXT'), 'NaN')).toBe('NaN');
    expect(encodeSqliteValue({ kind: 'boolean' }, slot('NUMERIC'), true)).toBe(1n);
    expect(encodeSqliteValue({ kind: 'float', bits: 64 }, slot('REAL'), Number.POSITIVE_INFINITY)).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(encodeSqliteValue({ kind: 'float', bits: 64 }, slot('NUMERIC'), 2)).toBe(2);
    expect(encodeSqliteValue({ kind: 'text' }, slot('NUMERIC'), 'abc')).toBe('abc');
    expect(encodeSqliteValue({ kind: 'text' }, slot('TEXT'), 'a\u0000b')).toBe('a\u0000b');
    expect(encodeSqliteValue({ kind: 'date' }, slot('NUMERIC'), '0000-00-00')).toBe('0000-00-00');
    expect(encodeSqliteValue({ kind: 'time' }, slot('NUMERIC'), '-838:59:59')).toBe('-838:59:59');
    expect(encodeSqliteValue({ kind: 'binary' }, slot('TEXT'), Buffer.alloc(0))).toEqual(Buffer.alloc(0));
  });

  it('binds a same-engine untyped value in its own storage class', () => {
    const other: LogicalType = { kind: 'other', name: '' };
    const values: CanonicalValue[] = [5n, '5', 2.5, -0, Buffer.from([0, 255]), 1e308];
    for (const value of values) expect(encodeSqliteValue(other, slot('BLOB', true), value)).toBe(value);
    expect(encodeSqliteValue({ kind: 'other', name: 'MONEY' }, slot('NUMERIC', true), 12n)).toBe(12n);
  });

  it.each<[LogicalType, SqliteSlot, CanonicalValue, string, unknown]>([
    [int(64), slot('INTEGER'), 2n ** 63n, 'out-of-range', 2n ** 63n - 1n],
    [int(64), slot('INTEGER'), -(2n ** 64n), 'out-of-range', -(2n ** 63n)],
    [{ kind: 'float', bits: 64 }, slot('REAL'), Number.NaN, 'special-float', null],
    [{ kind: 'float', bits: 64 }, slot('REAL'), -0, 'special-float', 0],
    [{ kind: 'decimal' }, slot('NUMERIC'), '12345678901234567890.5', 'precision', 12345678901234567000],
    [{ kind: 'text' }, slot('TEXT'), 'a\uD800b', 'invalid-text', 'a\uFFFDb'],
    [{ kind: 'date' }, slot('NUMERIC'), 'infinity', 'infinite-date', '9999-12-31'],
    [{ kind: 'date' }, slot('NUMERIC'), '-infinity', 'infinite-date', '0001-01-01'],
    [{ kind: 'date' }, slot('NUMERIC'), '0044-03-15 BC', 'infinite-date', '0001-01-01'],
    [{ kind: 'datetime', fsp: 3 }, slot('NUMERIC'), 'infinity', 'infinite-date', '9999-12-31 23:59:59.999'],
    [{ kind: 'timestamptz', fsp: 0 }, slot('NUMERIC'), '-infinity', 'infinite-date', '0001-01-01 00:00:00'],
    [
      { kind: 'timestamptz' },
      slot('NUMERIC'),
      '10000-01-01 00:00:00',
      'infinite-date',
      '9999-12-31 23:59:59.999999',
    ],
    [{ kind: 'other', name: 'MONEY' }, slot('NUMERIC', true), Number.NaN, 'special-float', null],
    [{ kind: 'other', name: 'point' }, slot('TEXT'), '(1,2)', 'no-target-type', undefined],
  ])('%o into %o refuses %o as %s, substitute %o', (type, target, value, loss, substitute) => {
    const refused = problem(() => encodeSqliteValue(type, target, value));
    expect(refused.loss).toBe(loss);
    expect(refused.fixes.substitute?.()).toEqual(substitute);
  });

  it('widens a type SQLite lacks to its text form', () => {
    const refused = problem(() => encodeSqliteValue({ kind: 'other', name: 'point' }, slot('TEXT'), '(1,2)'));
    expect(refused.fixes.widened?.()).toBe('(1,2)');
  });

  it.each<[LogicalType, SqliteAffinity, CanonicalValue, string, string | undefined]>([
    [int(64), 'REAL', 1n, 'would be stored as REAL instead of INTEGER', 'storage-class'],
    [{ kind: 'float', bits: 64 }, 'TEXT', 1.5, 'would be stored as TEXT instead of REAL', 'storage-class'],
    [{ kind: 'text' }, 'NUMERIC', ' 12 ', 'would be stored as INTEGER instead of TEXT', 'storage-class'],
    [{ kind: 'decimal' }, 'TEXT', '1e5', 'is not a decimal literal', undefined],
    [{ kind: 'date' }, 'NUMERIC', '2020', 'is not a date literal', undefined],
    [{ kind: 'text' }, 'TEXT', 12n, 'is not a string, as a value of type text must be', undefined],
  ])('%o into a %s column refuses %o', (type, affinity, value, message, loss) => {
    const refused = problem(() => encodeSqliteValue(type, slot(affinity), value));
    expect(refused.message).toContain(message);
    expect(refused.loss).toBe(loss);
  });
});

describe('storedClass follows SQLite’s affinity rules', () => {
  it.each<[Exclude<CanonicalValue, null | boolean>, SqliteAffinity, string]>([
    ['12', 'NUMERIC', 'INTEGER'],
    ['12', 'REAL', 'REAL'],
    ['1.5e3', 'INTEGER', 'REAL'],
    ['abc', 'INTEGER', 'TEXT'],
    [2.0, 'INTEGER', 'INTEGER'],
    [2.5, 'NUMERIC', 'REAL'],
    [1e20, 'INTEGER', 'REAL'],
    [5n, 'REAL', 'REAL'],
    [5n, 'TEXT', 'TEXT'],
    [5n, 'BLOB', 'INTEGER'],
    [Buffer.alloc(1), 'TEXT', 'BLOB'],
  ])('%o in %s → %s', (value, affinity, stored) => {
    expect(storedClass(value, affinity)).toBe(stored);
  });
});
