import { describe, expect, it } from 'vitest';
import {
  decimalBinarySize,
  decodeDate,
  decodeDatetime2,
  decodeDecimalBinary,
  decodeLatin1,
  decodeSetBits,
  decodeTime2,
  decodeTimestamp2,
  decodeUuid,
} from '../../../../src/connectors/mysql/binlog-values.js';

const hex = (text: string) => Buffer.from(text.replace(/\s/g, ''), 'hex');

describe('decodeDecimalBinary', () => {
  it.each([
    // MySQL's own examples (decimal.c decimal2bin).
    ['810DFB38D204D2', 14, 4, '1234567890.1234'],
    ['7EF204C72DFB2D', 14, 4, '-1234567890.1234'],
    ['8000', 4, 2, '0.00'],
    ['800000', 5, 5, '0.00000'],
    ['7FFFFE', 5, 5, '-0.00001'],
  ])('%s as DECIMAL(%i,%i) is %s', (bytes, precision, scale, text) => {
    expect(decimalBinarySize(precision, scale)).toBe(hex(bytes).length);
    expect(decodeDecimalBinary(hex(bytes), precision, scale)).toBe(text);
  });
});

describe('temporal values', () => {
  it('reads DATE with zero parts kept', () => {
    const date = (year: number, month: number, day: number) => {
      const raw = Buffer.alloc(3);
      raw.writeUIntLE(day | (month << 5) | (year << 9), 0, 3);
      return decodeDate(raw);
    };
    expect(date(2024, 2, 29)).toBe('2024-02-29');
    expect(date(0, 0, 0)).toBe('0000-00-00');
    expect(date(1, 1, 1)).toBe('0001-01-01');
  });

  it('reads DATETIME2 with its fraction, trailing zeros trimmed', () => {
    // 2020-01-01 00:00:00 → ym = 2020*13+1, ymd = ym<<5 | 1; packed = ymd<<17 + offset.
    const ymd = ((2020 * 13 + 1) << 5) | 1;
    const raw = Buffer.alloc(8);
    raw.writeUIntBE(ymd * 2 ** 17 + 0x8000000000, 0, 5);
    raw.writeUIntBE(120000, 5, 3);
    expect(decodeDatetime2(raw, 6)).toBe('2020-01-01 00:00:00.12');
    expect(decodeDatetime2(raw.subarray(0, 5), 0)).toBe('2020-01-01 00:00:00');
    expect(decodeDatetime2(hex('8000000000'), 0)).toBe('0000-00-00 00:00:00');
  });

  it('reads TIMESTAMP2 in UTC, 0 as the zero timestamp unless it has a fraction', () => {
    expect(decodeTimestamp2(hex('7FFFFFFF'), 0)).toBe('2038-01-19 03:14:07');
    expect(decodeTimestamp2(hex('00000000'), 0)).toBe('0000-00-00 00:00:00');
    expect(decodeTimestamp2(hex('00000000 000001'), 6)).toBe('1970-01-01 00:00:00.000001');
  });

  it.each([
    ['800000', 0, '00:00:00'],
    ['7FFFFF', 0, '-00:00:01'],
    ['7FFFFF CE', 1, '-00:00:00.5'],
    ['80B000 01', 2, '11:00:00.01'],
    ['7FFFFF FFFFFF', 6, '-00:00:00.000001'],
  ])('reads TIME2 %s (fsp %i) as %s', (bytes, fsp, text) => {
    expect(decodeTime2(hex(bytes), fsp)).toBe(text);
  });

  it('reads TIME2 at its range ends', () => {
    const hms = (838 << 12) | (59 << 6) | 59;
    const positive = Buffer.alloc(3);
    positive.writeUIntBE(0x800000 + hms, 0, 3);
    expect(decodeTime2(positive, 0)).toBe('838:59:59');
    const negative = Buffer.alloc(3);
    negative.writeUIntBE(0x800000 - hms, 0, 3);
    expect(decodeTime2(negative, 0)).toBe('-838:59:59');
  });
});

describe('other values', () => {
  it('restores MariaDB UUID byte order and the trailing zero bytes the binlog drops', () => {
    expect(decodeUuid(Buffer.alloc(0))).toBe('00000000-0000-0000-0000-000000000000');
    // Stored swapped: version 4, RFC variant.
    expect(decodeUuid(hex('4ef89c0ba0eebc99bb6d6bb9bd380a11'))).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    // Not an RFC UUID: stored as is.
    expect(decodeUuid(hex('ffffffffffffffffffffffffffffffff'))).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff');
  });

  it('reads latin1 as MariaDB does (cp1252, undefined bytes as C1 controls)', () => {
    expect(decodeLatin1(hex('80 81 8D 9F A0 FF 41'))).toBe('€\u0081\u008dŸ\u00a0ÿA');
  });

  it('joins SET members in definition order', () => {
    expect(decodeSetBits(0b101n, ['a b', "it's", 'x"y'])).toBe('a b,x"y');
    expect(decodeSetBits(0n, ['a'])).toBe('');
  });
});
