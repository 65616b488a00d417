/**
 * The SQLite type table: declared type → logical type, affinity, declared types for other
 * dialects that come back as the same logical type, and the value encoders and decoders.
 */
import { describe, expect, it } from 'vitest';
import {
  declareSqliteType,
  decodeSqliteValue,
  encodeSqliteValue,
  logicalTypeOfSqlite,
  type SqliteAffinity,
  SqliteValueProblem,
  sqliteAffinity,
} from '../../../../src/connectors/sqlite/types.js';
import type { LogicalType } from '../../../../src/schema/logical-type.js';

const int = (bits: 8 | 16 | 24 | 32 | 64, unsigned = false): LogicalType => ({
  kind: 'integer',
  bits,
  unsigned,
});

describe('logicalTypeOfSqlite', () => {
  it.each<[string, LogicalType]>([
    ['INTEGER', int(64)],
    ['integer', int(64)],
    ['BIGINT', int(64)],
    ['INT8', int(64)],
    ['INT', int(32)],
    ['INT UNSIGNED', int(32, true)],
    ['MEDIUMINT', int(24)],
    ['SMALLINT', int(16)],
    ['TINYINT', int(8)],
    ['TINYINT UNSIGNED', int(8, true)],
    ['UNSIGNED BIG INT', int(64, true)],
    ['UNSIGNED BIG TEXT', int(64, true)],
    ['NUMERIC(10,2)', { kind: 'decimal', precision: 10, scale: 2 }],
    ['DECIMAL(5)', { kind: 'decimal', precision: 5, scale: 0 }],
    ['DECIMAL TEXT(40,30)', { kind: 'decimal', precision: 40, scale: 30 }],
    ['NUMERIC', { kind: 'decimal' }],
    ['REAL', { kind: 'float', bits: 64 }],
    ['FLOAT', { kind: 'float', bits: 64 }],
    ['DOUBLE PRECISION', { kind: 'float', bits: 64 }],
    ['NVARCHAR(160)', { kind: 'text', length: 160 }],
    ['VARCHAR(100)', { kind: 'text', length: 100 }],
    ['NCHAR(2)', { kind: 'text', length: 2 }],
    ['TEXT', { kind: 'text' }],
    ['CLOB', { kind: 'text' }],
    ['BLOB', { kind: 'binary' }],
    ['VARBINARY(16)', { kind: 'binary', length: 16 }],
    ['BOOLEAN', { kind: 'boolean' }],
    ['DATE', { kind: 'date' }],
    ['TIME', { kind: 'time', fsp: 6 }],
    ['DATETIME', { kind: 'datetime', fsp: 6 }],
    ['DATETIME(6)', { kind: 'datetime', fsp: 6 }],
    ['TIMESTAMP', { kind: 'datetime', fsp: 6 }],
    ['TIMESTAMPTZ', { kind: 'timestamptz', fsp: 6 }],
    ['TIMESTAMP WITH TIME ZONE', { kind: 'timestamptz', fsp: 6 }],
    ['JSON', { kind: 'json' }],
    ['JSON TEXT', { kind: 'json' }],
    ['UUID', { kind: 'uuid' }],
    ['UUID TEXT', { kind: 'uuid' }],
    ['BIT TEXT(8)', { kind: 'bit', length: 8 }],
    ['', { kind: 'other', name: '' }],
    ['MONEY', { kind: 'other', name: 'MONEY' }],
  ])('%s', (declared, expected) => {
    expect(logicalTypeOfSqlite(declared)).toEqual(expected);
  });
});

describe('sqliteAffinity', () => {
  it.each<[string, SqliteAffinity]>([
    ['INTEGER', 'INTEGER'],
    ['TINYINT', 'INTEGER'],
    ['UNSIGNED BIG INT', 'INTEGER'],
    ['UNSIGNED BIG TEXT', 'TEXT'],
    ['DECIMAL TEXT(40,30)', 'TEXT'],
    ['JSON TEXT', 'TEXT'],
    ['NVARCHAR(10)', 'TEXT'],
    ['BLOB', 'BLOB'],
    ['', 'BLOB'],
    ['DOUBLE', 'REAL'],
    ['FLOAT', 'REAL'],
    ['NUMERIC(10,2)', 'NUMERIC'],
    ['DATETIME', 'NUMERIC'],
    ['BOOLEAN', 'NUMERIC'],
    ['TIMESTAMPTZ', 'NUMERIC'],
  ])('%s → %s', (declared, affinity) => {
    expect(sqliteAffinity(declared)).toBe(affinity);
  });
});

describe('declareSqliteType for other dialects', () => {
  // [logical type, declared type, affinity, the logical type the introspector reads back]
  it.each<[LogicalType, string, SqliteAffinity, LogicalType]>([
    [int(8), 'TINYINT', 'INTEGER', int(8)],
    [int(16, true), 'SMALLINT UNSIGNED', 'INTEGER', int(16, true)],
    [int(24), 'MEDIUMINT', 'INTEGER', int(24)],
    [int(32, true), 'INT UNSIGNED', 'INTEGER', int(32, true)],
    [int(64), 'BIGINT', 'INTEGER', int(64)],
    [int(64, true), 'UNSIGNED BIG TEXT', 'TEXT', int(64, true)],
    [{ kind: 'boolean' }, 'BOOLEAN', 'NUMERIC', { kind: 'boolean' }],
    [
      { kind: 'decimal', precision: 65, scale: 30 },
      'DECIMAL TEXT(65,30)',
      'TEXT',
      { kind: 'decimal', precision: 65, scale: 30 },
    ],
    [{ kind: 'decimal' }, 'DECIMAL TEXT', 'TEXT', { kind: 'decimal' }],
    [{ kind: 'float', bits: 32 }, 'FLOAT', 'REAL', { kind: 'float', bits: 64 }],
    [{ kind: 'float', bits: 64 }, 'DOUBLE', 'REAL', { kind: 'float', bits: 64 }],
    [{ kind: 'text', length: 10, fixed: true }, 'CHAR(10)', 'TEXT', { kind: 'text', length: 10 }],
    [{ kind: 'text', length: 80 }, 'VARCHAR(80)', 'TEXT', { kind: 'text', length: 80 }],
    [{ kind: 'text' }, 'TEXT', 'TEXT', { kind: 'text' }],
    [{ kind: 'binary', length: 16 }, 'BLOB', 'BLOB', { kind: 'binary' }],
    [{ kind: 'date' }, 'DATE', 'NUMERIC', { kind: 'date' }],
    [{ kind: 'time', fsp: 3 }, 'TIME(3)', 'NUMERIC', { kind: 'time', fsp: 3 }],
    [{ kind: 'datetime', fsp: 6 }, 'DATETIME(6)', 'NUMERIC', { kind: 'datetime', fsp: 6 }],
    [{ kind: 'timestamptz' }, 'TIMESTAMPTZ', 'NUMERIC', { kind: 'timestamptz', fsp: 6 }],
    [{ kind: 'json', binary: true }, 'JSON TEXT', 'TEXT', { kind: 'json' }],
    [{ kind: 'enum', values: ['a'] }, 'TEXT', 'TEXT', { kind: 'text' }],
    [{ kind: 'set', values: ['a'] }, 'TEXT', 'TEXT', { kind: 'text' }],
    [{ kind: 'uuid' }, 'UUID TEXT', 'TEXT', { kind: 'uuid' }],
    [{ kind: 'bit', length: 5 }, 'BIT TEXT(5)', 'TEXT', { kind: 'bit', length: 5 }],
    [{ kind: 'other', name: 'point' }, 'TEXT', 'TEXT', { kind: 'text' }],
  ])('%o → %s', (type, declared, affinity, back) => {
    expect(declareSqliteType(type)).toBe(declared);
    expect(sqliteAffinity(declared)).toBe(affinity);
    expect(logicalTypeOfSqlite(declared)).toEqual(back);
  });
});

function problem(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    if (error instanceof SqliteValueProblem) return error.message;
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
    expect(decodeSqliteValue({ kind: 'decimal' }, 'NUMERIC', 1e21)).toBe('1000000000000000000000');
    expect(decodeSqliteValue({ kind: 'float', bits: 64 }, 'REAL', 2n ** 60n)).toBe(2 ** 60);
    expect(decodeSqliteValue({ kind: 'boolean' }, 'NUMERIC', 1n)).toBe(true);
    // Stored text is kept as it is: a same-engine copy must not respell it.
    expect(decodeSqliteValue({ kind: 'datetime' }, 'NUMERIC', '2020-01-01T10:00:00.500')).toBe(
      '2020-01-01T10:00:00.500',
    );
    expect(decodeSqliteValue({ kind: 'datetime' }, 'NUMERIC', '2020-01-01 10:00')).toBe('2020-01-01 10:00');
    expect(decodeSqliteValue({ kind: 'time' }, 'NUMERIC', '-838:59:59.000000')).toBe('-838:59:59.000000');
    expect(decodeSqliteValue({ kind: 'timestamptz' }, 'NUMERIC', '2020-01-01 01:30:00.25+02:00')).toBe(
      '2019-12-31 23:30:00.25',
    );
    expect(decodeSqliteValue({ kind: 'timestamptz' }, 'NUMERIC', '0001-01-01 00:00:00Z')).toBe(
      '0001-01-01 00:00:00',
    );
    expect(decodeSqliteValue({ kind: 'uuid' }, 'TEXT', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11')).toBe(
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    );
    expect(decodeSqliteValue({ kind: 'other', name: '' }, 'BLOB', 12n)).toBe('12');
    expect(decodeSqliteValue({ kind: 'text' }, 'TEXT', null)).toBeNull();
  });

  it.each<[LogicalType, SqliteAffinity, bigint | number | string | Buffer, RegExp]>([
    [int(64), 'INTEGER', 2.5, /REAL value/],
    [int(64), 'INTEGER', '12', /TEXT value/],
    [int(8), 'INTEGER', 300n, /outside the range/],
    [int(64, true), 'TEXT', '-1', /outside the range/],
    [int(64, true), 'TEXT', '1e3', /not an integer literal/],
    [{ kind: 'float', bits: 64 }, 'REAL', 2n ** 53n + 1n, /no double/],
    [{ kind: 'float', bits: 64 }, 'REAL', 'NaN', /TEXT value/],
    [{ kind: 'boolean' }, 'NUMERIC', 2n, /other than 0 and 1/],
    [{ kind: 'decimal' }, 'TEXT', '1e5', /not a decimal literal/],
    [{ kind: 'text' }, 'TEXT', Buffer.from('x'), /BLOB value/],
    [{ kind: 'binary' }, 'BLOB', 'x', /TEXT value/],
    [{ kind: 'datetime' }, 'NUMERIC', '2020-01-01 10:00:00Z', /not a datetime literal/],
    [{ kind: 'date' }, 'NUMERIC', 2020n, /INTEGER value/],
    [{ kind: 'other', name: '' }, 'BLOB', Buffer.from('x'), /BLOB value/],
  ])('%o in a %s column refuses %o', (type, affinity, value, message) => {
    expect(problem(() => decodeSqliteValue(type, affinity, value))).toMatch(message);
  });
});

describe('encodeSqliteValue', () => {
  it('binds values so that the affinity keeps them', () => {
    expect(encodeSqliteValue(int(64, true), 'TEXT', 18446744073709551615n)).toBe('18446744073709551615');
    expect(encodeSqliteValue(int(64), 'INTEGER', -(2n ** 63n))).toBe(-(2n ** 63n));
    expect(encodeSqliteValue({ kind: 'decimal' }, 'TEXT', '-0.000000000000000000000000000001')).toBe(
      '-0.000000000000000000000000000001',
    );
    expect(encodeSqliteValue({ kind: 'decimal' }, 'NUMERIC', '0.99')).toBe(0.99);
    expect(encodeSqliteValue({ kind: 'decimal' }, 'NUMERIC', '5.00')).toBe(5n);
    expect(encodeSqliteValue({ kind: 'boolean' }, 'NUMERIC', true)).toBe(1n);
    expect(encodeSqliteValue({ kind: 'float', bits: 64 }, 'REAL', Number.POSITIVE_INFINITY)).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(encodeSqliteValue({ kind: 'text' }, 'NUMERIC', 'abc')).toBe('abc');
    expect(encodeSqliteValue({ kind: 'other', name: 'MONEY' }, 'NUMERIC', '12')).toBe('12');
    expect(encodeSqliteValue({ kind: 'binary' }, 'TEXT', Buffer.alloc(0))).toEqual(Buffer.alloc(0));
  });

  it.each<[LogicalType, SqliteAffinity, bigint | number | string | boolean, RegExp]>([
    [int(64), 'INTEGER', 2n ** 63n, /would be stored as a REAL/],
    [int(64), 'REAL', 1n, /REAL affinity/],
    [{ kind: 'float', bits: 64 }, 'REAL', Number.NaN, /NaN/],
    [{ kind: 'float', bits: 64 }, 'REAL', -0, /-0/],
    [{ kind: 'float', bits: 64 }, 'TEXT', 1.5, /TEXT affinity/],
    [{ kind: 'decimal' }, 'NUMERIC', '12345678901234567890.5', /round to a double/],
    [{ kind: 'decimal' }, 'TEXT', '1e5', /not a decimal literal/],
    [{ kind: 'text' }, 'NUMERIC', ' 12 ', /NUMERIC affinity/],
    [{ kind: 'date' }, 'NUMERIC', '2020', /NUMERIC affinity/],
    [{ kind: 'text' }, 'TEXT', 12n, /not a string/],
  ])('%o into a %s column refuses %o', (type, affinity, value, message) => {
    expect(problem(() => encodeSqliteValue(type, affinity, value))).toMatch(message);
  });
});
