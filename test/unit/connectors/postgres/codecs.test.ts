import { describe, expect, it } from 'vitest';
import { floatText, postgresDecoder, postgresFieldText } from '../../../../src/connectors/postgres/codecs.js';
import type { LogicalType } from '../../../../src/schema/logical-type.js';

describe('postgres codecs: field text for the target column', () => {
  it('spells floats as PostgreSQL reads them, -0 included', () => {
    expect(floatText(-0)).toBe('-0');
    expect(floatText(Number.NaN)).toBe('NaN');
    expect(floatText(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(floatText(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
    expect(floatText(1e308)).toBe('1e+308');
    expect(postgresFieldText(4056.666748046875, { kind: 'float', bits: 32 })).toBe('4056.666748046875');
  });

  it('writes booleans, integers, decimals from floats, and bytes', () => {
    expect(postgresFieldText(true, { kind: 'boolean' })).toBe('t');
    expect(postgresFieldText(false, { kind: 'boolean' })).toBe('f');
    expect(postgresFieldText(true, { kind: 'integer', bits: 16, unsigned: false })).toBe('1');
    expect(postgresFieldText(18446744073709551615n, { kind: 'decimal', precision: 20, scale: 0 })).toBe(
      '18446744073709551615',
    );
    expect(postgresFieldText(1e21, { kind: 'decimal' })).toBe('1000000000000000000000');
    expect(postgresFieldText(Buffer.from([0, 255]), { kind: 'binary' })).toBe('\\x00ff');
  });

  it('writes text bound for a widened bytea column as its UTF-8 bytes', () => {
    expect(postgresFieldText('a\u0000é', { kind: 'binary' })).toBe('\\x6100c3a9');
  });
});

describe('postgres codecs: decoders', () => {
  const decode = (type: LogicalType, text: string) => postgresDecoder(type)(text);

  it('reads exact floats, -0, NaN and infinities', () => {
    expect(decode({ kind: 'float', bits: 32 }, '4056.6667')).toBe(4056.666748046875);
    expect(decode({ kind: 'float', bits: 32 }, '0.1')).toBe(0.10000000149011612);
    expect(Object.is(decode({ kind: 'float', bits: 64 }, '-0'), -0)).toBe(true);
    expect(decode({ kind: 'float', bits: 64 }, 'NaN')).toBeNaN();
    expect(decode({ kind: 'float', bits: 64 }, '-Infinity')).toBe(Number.NEGATIVE_INFINITY);
    expect(decode({ kind: 'float', bits: 64 }, '9.999999999999999e+22')).toBe(1e23);
  });

  it('reads timestamptz as the UTC instant without offset, BC kept', () => {
    expect(decode({ kind: 'timestamptz' }, '2020-01-01 10:00:00.500+00')).toBe('2020-01-01 10:00:00.5');
    expect(decode({ kind: 'timestamptz' }, '0044-03-15 00:00:00+00 BC')).toBe('0044-03-15 00:00:00 BC');
    expect(decode({ kind: 'datetime' }, '2020-01-01 10:00:00.000')).toBe('2020-01-01 10:00:00');
    expect(decode({ kind: 'date' }, 'infinity')).toBe('infinity');
  });

  it('reads integers as bigint, booleans, and bytea hex as a Buffer', () => {
    expect(decode({ kind: 'integer', bits: 64, unsigned: false }, '-9223372036854775808')).toBe(
      -9223372036854775808n,
    );
    expect(decode({ kind: 'boolean' }, 't')).toBe(true);
    expect(decode({ kind: 'binary' }, '\\x00ff')).toEqual(Buffer.from([0, 255]));
    expect(decode({ kind: 'binary' }, '\\x')).toEqual(Buffer.alloc(0));
    expect(decode({ kind: 'decimal' }, 'NaN')).toBe('NaN');
  });
});
