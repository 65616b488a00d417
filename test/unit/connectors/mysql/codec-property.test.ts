/**
 * decode(encode(v)) = v for random canonical values of every kind the MariaDB writer and reader
 * support: the writer's fit check and encoder, the LOAD DATA line (escaping, NULL), the field as the
 * server reads it, the server's conversion (UNHEX, CONV, fractional padding), the reader's decoder.
 * Pure: no server.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { misfitOf } from '../../../../src/connectors/mysql/fit.js';
import { encodeRow, type LoadColumn, parseLine } from '../../../../src/connectors/mysql/load-data.js';
import { typeRule } from '../../../../src/connectors/mysql/types.js';
import type { LogicalType } from '../../../../src/schema/logical-type.js';
import type { CanonicalValue } from '../../../../src/values/canonical.js';

interface KindCase {
  name: string;
  type: LogicalType;
  nativeType: string;
  value: fc.Arbitrary<CanonicalValue>;
  /** What the server stores and sends back for the field text (mysql2's wire value). */
  server?: (field: string) => unknown;
}

const digits = (min: number, max: number) =>
  fc
    .array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max })
    .map((chars) => chars.join(''));
const pad2 = (n: number) => String(n).padStart(2, '0');
const fraction = fc
  .option(
    digits(1, 6).filter((text) => !text.endsWith('0')),
    { nil: undefined },
  )
  .map((text) => (text === undefined ? '' : `.${text}`));
const date = fc
  .tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
  .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`);
const clock = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m, s]) => `${pad2(h)}:${pad2(m)}:${pad2(s)}`);
/** The server prints a DATETIME(6)/TIME(6) with all six fractional digits. */
const padFraction = (text: string) => {
  const [whole, part = ''] = text.split('.');
  return `${whole}.${part.padEnd(6, '0')}`;
};
const bitBytes = (text: string, length: number) => {
  const bytes = Buffer.alloc(Math.ceil(length / 8));
  let value = BigInt(`0b${text}`);
  for (let at = bytes.length - 1; at >= 0; at--) {
    bytes[at] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
};
/** Text without lone surrogates (those are an invalid-text loss, not a value MariaDB holds). */
const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((value) => !/\p{Cs}/u.test(value));

const CASES: KindCase[] = [
  {
    name: 'integer(64)',
    type: { kind: 'integer', bits: 64, unsigned: false },
    nativeType: 'bigint(20)',
    value: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  },
  {
    name: 'integer(64, unsigned)',
    type: { kind: 'integer', bits: 64, unsigned: true },
    nativeType: 'bigint(20) unsigned',
    value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  },
  {
    name: 'integer(8)',
    type: { kind: 'integer', bits: 8, unsigned: false },
    nativeType: 'tinyint(4)',
    value: fc.bigInt({ min: -128n, max: 127n }),
    server: (field) => Number(field),
  },
  {
    name: 'boolean',
    type: { kind: 'boolean' },
    nativeType: 'tinyint(1)',
    value: fc.boolean(),
    server: Number,
  },
  {
    name: 'decimal(65,30)',
    type: { kind: 'decimal', precision: 65, scale: 30 },
    nativeType: 'decimal(65,30)',
    value: fc
      .tuple(fc.boolean(), digits(1, 35), digits(30, 30))
      .map(([negative, whole, part]) => `${negative ? '-' : ''}${whole.replace(/^0+(?=\d)/, '')}.${part}`)
      .filter((value) => value !== `-0.${'0'.repeat(30)}`),
  },
  {
    name: 'float(64)',
    type: { kind: 'float', bits: 64 },
    nativeType: 'double',
    value: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Object.is(value, -0)),
  },
  {
    name: 'float(32)',
    type: { kind: 'float', bits: 32 },
    nativeType: 'float',
    value: fc.float({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Object.is(value, -0)),
  },
  { name: 'text', type: { kind: 'text' }, nativeType: 'longtext', value: text },
  {
    name: 'text(40)',
    type: { kind: 'text', length: 40 },
    nativeType: 'varchar(40)',
    value: text,
  },
  {
    name: 'binary',
    type: { kind: 'binary' },
    nativeType: 'longblob',
    value: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    server: (field) => Buffer.from(field, 'hex'),
  },
  { name: 'date', type: { kind: 'date' }, nativeType: 'date', value: date },
  {
    name: 'time(6)',
    type: { kind: 'time', fsp: 6 },
    nativeType: 'time(6)',
    value: fc
      .tuple(
        fc.boolean(),
        fc.integer({ min: 0, max: 838 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fraction,
      )
      .map(
        ([negative, h, m, s, f]) =>
          `${negative && h + m + s > 0 ? '-' : ''}${pad2(h)}:${pad2(m)}:${pad2(s)}${f}`,
      ),
    server: padFraction,
  },
  {
    name: 'datetime(6)',
    type: { kind: 'datetime', fsp: 6 },
    nativeType: 'datetime(6)',
    value: fc.tuple(date, clock, fraction).map(([d, c, f]) => `${d} ${c}${f}`),
    server: padFraction,
  },
  {
    name: 'timestamptz(6)',
    type: { kind: 'timestamptz', fsp: 6 },
    nativeType: 'timestamp(6)',
    value: fc
      .integer({ min: 1, max: 2 ** 31 - 1 })
      .chain((seconds) =>
        fraction.map((f) => `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')}${f}`),
      ),
    server: padFraction,
  },
  { name: 'json', type: { kind: 'json' }, nativeType: 'longtext', value: fc.json() },
  {
    name: 'enum',
    type: { kind: 'enum', values: ['a b', 'a,b', "it's", '', 'x"y', 'tab\there'] },
    nativeType: "enum('a b','a,b','it''s','','x\"y','tab\\there')",
    value: fc.constantFrom('a b', 'a,b', "it's", '', 'x"y', 'tab\there'),
  },
  {
    name: 'set',
    type: { kind: 'set', values: ['p', 'q'] },
    nativeType: "set('p','q')",
    value: fc.constantFrom('', 'p', 'q', 'p,q'),
  },
  { name: 'uuid', type: { kind: 'uuid' }, nativeType: 'uuid', value: fc.uuid() },
  {
    name: 'bit(64)',
    type: { kind: 'bit', length: 64 },
    nativeType: 'bit(64)',
    value: fc.array(fc.constantFrom('0', '1'), { minLength: 64, maxLength: 64 }).map((bits) => bits.join('')),
    server: (field) => bitBytes(field, 64),
  },
  {
    name: 'bit(10)',
    type: { kind: 'bit', length: 10 },
    nativeType: 'bit(10)',
    value: fc.array(fc.constantFrom('0', '1'), { minLength: 10, maxLength: 10 }).map((bits) => bits.join('')),
    server: (field) => bitBytes(field, 10),
  },
  {
    name: 'other (geometry as WKT)',
    type: { kind: 'other', name: 'point' },
    nativeType: 'point',
    value: fc.tuple(fc.integer(), fc.integer()).map(([x, y]) => `POINT(${x} ${y})`),
  },
];

/** A LOAD DATA line of (value, NULL, value) read back field by field, as the server splits it. */
function roundTrip(kind: KindCase, value: CanonicalValue): CanonicalValue[] {
  const rule = typeRule(kind.type);
  const target = { type: kind.type, nativeType: kind.nativeType, collation: 'utf8mb4_bin' };
  const column: LoadColumn = {
    name: 'v',
    encode: (present) => {
      expect(misfitOf(present, kind.type, target)).toBeUndefined();
      return rule.encode(present, kind.type);
    },
  };
  const line = encodeRow([value, null, value], [column, column, column]);
  expect(line.endsWith('\n')).toBe(true);
  const fields = parseLine(line.slice(0, -1));
  expect(fields).toHaveLength(3);
  return fields.map((stored) => {
    if (stored === null) return null;
    return rule.decode(kind.server ? kind.server(stored) : stored, kind.type);
  });
}

describe('MariaDB codecs: decode(encode(v)) = v', () => {
  it.each(CASES)('$name', (kind) => {
    fc.assert(
      fc.property(kind.value, (value) => {
        const [first, nothing, last] = roundTrip(kind, value);
        expect(nothing).toBeNull();
        for (const back of [first, last]) {
          if (typeof value === 'number') expect(Object.is(back, value)).toBe(true);
          else if (Buffer.isBuffer(value)) expect(Buffer.compare(back as Buffer, value)).toBe(0);
          else expect(back).toEqual(value);
        }
      }),
      { numRuns: 300 },
    );
  });
});
