import { describe, expect, it } from 'vitest';
import {
  floatText,
  logicalTypeOf,
  PostgresEncodeProblem,
  postgresDdlType,
  postgresDecoder,
  postgresEncoder,
} from '../../../../src/connectors/postgres/types.js';
import type { LogicalType } from '../../../../src/schema/logical-type.js';

describe('postgres type table: DDL for other dialects', () => {
  const cases: Array<[LogicalType, string]> = [
    [{ kind: 'integer', bits: 8, unsigned: false }, 'smallint'],
    [{ kind: 'integer', bits: 8, unsigned: true }, 'smallint'],
    [{ kind: 'integer', bits: 16, unsigned: false }, 'smallint'],
    [{ kind: 'integer', bits: 16, unsigned: true }, 'integer'],
    [{ kind: 'integer', bits: 24, unsigned: true }, 'integer'],
    [{ kind: 'integer', bits: 32, unsigned: false }, 'integer'],
    [{ kind: 'integer', bits: 32, unsigned: true }, 'bigint'],
    [{ kind: 'integer', bits: 64, unsigned: false }, 'bigint'],
    [{ kind: 'integer', bits: 64, unsigned: true }, 'numeric(20,0)'],
    [{ kind: 'decimal', precision: 10, scale: 2 }, 'numeric(10,2)'],
    [{ kind: 'decimal' }, 'numeric'],
    [{ kind: 'float', bits: 32 }, 'real'],
    [{ kind: 'float', bits: 64 }, 'double precision'],
    [{ kind: 'text', length: 5, fixed: true }, 'varchar(5)'],
    [{ kind: 'text' }, 'text'],
    [{ kind: 'binary', length: 16, fixed: true }, 'bytea'],
    [{ kind: 'time', fsp: 3 }, 'time(3)'],
    [{ kind: 'datetime', fsp: 6 }, 'timestamp(6)'],
    [{ kind: 'timestamptz', fsp: 0 }, 'timestamptz(0)'],
    [{ kind: 'json', binary: true }, 'json'],
    [{ kind: 'enum', values: ['a'] }, 'text'],
    [{ kind: 'set', values: ['a'] }, 'text'],
    [{ kind: 'uuid' }, 'uuid'],
    [{ kind: 'bit', length: 8 }, 'bit(8)'],
    [{ kind: 'bit', length: 8, varying: true }, 'bit varying(8)'],
    [{ kind: 'other', name: 'geometry' }, 'text'],
  ];
  it.each(cases)('%j → %s', (type, ddl) => {
    expect(postgresDdlType(type)).toBe(ddl);
  });
});

describe('postgres type table: encoders', () => {
  const encode = (type: LogicalType, value: Parameters<ReturnType<typeof postgresEncoder>>[0]) =>
    postgresEncoder(type)(value);

  it('spells floats as PostgreSQL reads them, -0 included', () => {
    expect(floatText(-0)).toBe('-0');
    expect(floatText(Number.NaN)).toBe('NaN');
    expect(floatText(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(floatText(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
    expect(floatText(1e308)).toBe('1e+308');
    expect(encode({ kind: 'float', bits: 32 }, 4056.666748046875)).toBe('4056.666748046875');
  });

  it('refuses a double that a real column would round', () => {
    expect(() => encode({ kind: 'float', bits: 32 }, 0.1)).toThrow(PostgresEncodeProblem);
    expect(encode({ kind: 'float', bits: 32 }, Number.NaN)).toBe('NaN');
  });

  it('refuses NUL, lone surrogates and over-long text, counting characters not UTF-16 units', () => {
    expect(() => encode({ kind: 'text' }, 'a\u0000b')).toThrow(/NUL/);
    expect(() => encode({ kind: 'json' }, '"\u0000"')).toThrow(/NUL/);
    expect(() => encode({ kind: 'text' }, 'a\ud800')).toThrow(/surrogate/);
    expect(encode({ kind: 'text', length: 2 }, '😀😀')).toBe('😀😀');
    expect(() => encode({ kind: 'text', length: 2 }, 'ab ')).toThrow(/longer/);
  });

  it('refuses decimal places and fractional seconds the column would round', () => {
    expect(encode({ kind: 'decimal', precision: 5, scale: 2 }, '1.50000')).toBe('1.50000');
    expect(() => encode({ kind: 'decimal', precision: 5, scale: 2 }, '1.505')).toThrow(/scale/);
    expect(encode({ kind: 'datetime', fsp: 3 }, '2020-01-01 00:00:00.123000')).toBe(
      '2020-01-01 00:00:00.123000',
    );
    expect(() => encode({ kind: 'datetime', fsp: 3 }, '2020-01-01 00:00:00.1234')).toThrow(/precision/);
    expect(() => encode({ kind: 'time', fsp: 0 }, '10:00:00.5')).toThrow(/precision/);
  });

  it('writes booleans, integers and bytes', () => {
    expect(encode({ kind: 'boolean' }, true)).toBe('t');
    expect(encode({ kind: 'boolean' }, false)).toBe('f');
    expect(encode({ kind: 'integer', bits: 64, unsigned: true }, 18446744073709551615n)).toBe(
      '18446744073709551615',
    );
    expect(encode({ kind: 'binary' }, Buffer.from([0, 255]))).toBe('\\x00ff');
  });
});

describe('postgres type table: decoders', () => {
  const decode = (type: LogicalType, text: string) => postgresDecoder(type)(text);

  it('reads exact floats, -0, NaN and infinities', () => {
    expect(decode({ kind: 'float', bits: 32 }, '4056.6667')).toBe(4056.666748046875);
    expect(decode({ kind: 'float', bits: 32 }, '0.1')).toBe(0.10000000149011612);
    expect(Object.is(decode({ kind: 'float', bits: 64 }, '-0'), -0)).toBe(true);
    expect(decode({ kind: 'float', bits: 64 }, 'NaN')).toBeNaN();
    expect(decode({ kind: 'float', bits: 64 }, '-Infinity')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('reads timestamptz as the UTC instant without offset, BC kept', () => {
    expect(decode({ kind: 'timestamptz' }, '2020-01-01 10:00:00.500+00')).toBe('2020-01-01 10:00:00.5');
    expect(decode({ kind: 'timestamptz' }, '0044-03-15 00:00:00+00 BC')).toBe('0044-03-15 00:00:00 BC');
    expect(decode({ kind: 'datetime' }, '2020-01-01 10:00:00.000')).toBe('2020-01-01 10:00:00');
  });

  it('reads integers as bigint, booleans, and bytea hex as a Buffer', () => {
    expect(decode({ kind: 'integer', bits: 64, unsigned: false }, '-9223372036854775808')).toBe(
      -9223372036854775808n,
    );
    expect(decode({ kind: 'boolean' }, 't')).toBe(true);
    expect(decode({ kind: 'binary' }, '\\x00ff')).toEqual(Buffer.from([0, 255]));
    expect(decode({ kind: 'binary' }, '\\x')).toEqual(Buffer.alloc(0));
  });
});

describe('catalog types → logical types', () => {
  const row = (type_name: string, typmod = -1, native_type = type_name) => ({
    type_name,
    typmod,
    native_type,
    type_type: 'b',
    type_category: 'X',
    enum_labels: null,
  });
  it('decodes numeric, varchar, char and time precisions from typmod', () => {
    expect(logicalTypeOf(row('numeric', ((40 << 16) | 30) + 4))).toEqual({
      kind: 'decimal',
      precision: 40,
      scale: 30,
    });
    expect(logicalTypeOf(row('numeric', ((5 << 16) | (-2 & 0x7ff)) + 4))).toEqual({
      kind: 'decimal',
      precision: 5,
      scale: -2,
    });
    expect(logicalTypeOf(row('numeric'))).toEqual({ kind: 'decimal' });
    expect(logicalTypeOf(row('varchar', 104))).toEqual({ kind: 'text', length: 100 });
    expect(logicalTypeOf(row('bpchar', 9))).toEqual({ kind: 'text', length: 5, fixed: true });
    expect(logicalTypeOf(row('timestamp', 3))).toEqual({ kind: 'datetime', fsp: 3 });
    expect(logicalTypeOf(row('timestamptz'))).toEqual({ kind: 'timestamptz', fsp: 6 });
    expect(logicalTypeOf(row('jsonb'))).toEqual({ kind: 'json', binary: true });
    expect(logicalTypeOf(row('inet'))).toEqual({ kind: 'other', name: 'inet' });
    expect(logicalTypeOf({ ...row('_int4', -1, 'integer[]'), type_category: 'A' })).toEqual({
      kind: 'other',
      name: 'integer[]',
    });
  });
});
