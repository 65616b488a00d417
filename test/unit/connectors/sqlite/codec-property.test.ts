/**
 * Round-trip law of the SQLite codecs, for every logical kind the writer and reader support:
 * random canonical value → bound parameter (writer) → stored value → canonical value (reader)
 * gives the same value (floats by Object.is, Buffers by bytes). Checked purely, and once more
 * through an in-memory SQLite database so that the affinity rules the codecs assume are SQLite's.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeSqliteValue,
  encodeSqliteValue,
  type SqliteStored,
  SqliteValueProblem,
} from '../../../../src/connectors/sqlite/codecs.js';
import { declareSqliteType, sqliteAffinity } from '../../../../src/connectors/sqlite/types.js';
import type { LogicalType } from '../../../../src/schema/logical-type.js';
import { type CanonicalValue, numberToDecimalText } from '../../../../src/values/canonical.js';

const RUNS = { numRuns: 300 };
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const fraction = fc.option(fc.stringMatching(/^\.\d{1,6}$/), { nil: '' });
const date = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 31 }))
  .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);
const clock = (maxHours: number) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: maxHours }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 59 }),
      fraction,
    )
    .map(([h, m, s, f]) => `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${f}`);
const trimmed = (text: string) => text.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
const validDate = fc
  .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const int = (bits: 8 | 16 | 24 | 32 | 64, unsigned: boolean) => {
  const b = BigInt(bits);
  const [min, max] = unsigned ? [0n, 2n ** b - 1n] : [-(2n ** (b - 1n)), 2n ** (b - 1n) - 1n];
  return [{ kind: 'integer', bits, unsigned } as LogicalType, undefined, fc.bigInt({ min, max })] as const;
};
const decimalText = (precision: number, scale: number) =>
  fc
    .tuple(
      fc.boolean(),
      fc.stringMatching(new RegExp(`^[1-9]\\d{0,${precision - scale - 1}}$|^0$`)),
      fc.stringMatching(new RegExp(`^\\d{${scale}}$`)),
    )
    .map(([negative, whole, frac]) => `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`);

/** [name, logical type, declared type (empty = THE mapping's), canonical values]. */
const CASES: Array<[string, LogicalType, string | undefined, fc.Arbitrary<CanonicalValue>]> = [
  ['integer 8', ...int(8, false)],
  ['integer 24 unsigned', ...int(24, true)],
  ['integer 32 unsigned', ...int(32, true)],
  ['integer 64', ...int(64, false)],
  ['integer 64 unsigned (TEXT affinity)', ...int(64, true)],
  ['boolean', { kind: 'boolean' }, undefined, fc.boolean()],
  ['decimal(65,30)', { kind: 'decimal', precision: 65, scale: 30 }, undefined, decimalText(65, 30)],
  ['decimal(20,0)', { kind: 'decimal', precision: 20, scale: 0 }, undefined, decimalText(20, 0)],
  ['decimal NaN/±Infinity', { kind: 'decimal' }, undefined, fc.constantFrom('NaN', 'Infinity', '-Infinity')],
  [
    'decimal in a NUMERIC column (as read from a double or integer)',
    { kind: 'decimal', precision: 10, scale: 2 },
    'NUMERIC(10,2)',
    fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(numberToDecimalText),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
    ),
  ],
  [
    'float 64',
    { kind: 'float', bits: 64 },
    undefined,
    fc.double({ noNaN: true }).filter((v) => !Object.is(v, -0)),
  ],
  [
    'float 32',
    { kind: 'float', bits: 32 },
    undefined,
    fc.float({ noNaN: true }).filter((v) => !Object.is(v, -0)),
  ],
  ['text (NUL and every code point)', { kind: 'text' }, undefined, fc.string({ unit: 'binary' })],
  [
    'text(10) fixed',
    { kind: 'text', length: 10, fixed: true },
    undefined,
    fc.string({ unit: 'binary', maxLength: 10 }),
  ],
  ['binary', { kind: 'binary' }, undefined, fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a))],
  ['date (zero dates included)', { kind: 'date' }, undefined, date],
  [
    'time (MySQL range)',
    { kind: 'time', fsp: 6 },
    undefined,
    fc.tuple(fc.boolean(), clock(838)).map(([n, t]) => `${n ? '-' : ''}${t}`),
  ],
  [
    'datetime',
    { kind: 'datetime', fsp: 6 },
    undefined,
    fc.tuple(date, fc.constantFrom(' ', 'T'), clock(23)).map((p) => p.join('')),
  ],
  [
    'timestamptz',
    { kind: 'timestamptz', fsp: 6 },
    undefined,
    fc.tuple(validDate, clock(23)).map(([d, t]) => trimmed(`${d} ${t}`)),
  ],
  ['json', { kind: 'json' }, undefined, fc.json()],
  [
    'enum',
    { kind: 'enum', values: ['a b', 'c,d', "it's", ''] },
    undefined,
    fc.constantFrom('a b', 'c,d', "it's", ''),
  ],
  ['set', { kind: 'set', values: ['a', 'b'] }, undefined, fc.constantFrom('', 'a', 'b', 'a,b')],
  ['uuid', { kind: 'uuid' }, undefined, fc.uuid()],
  ['bit(64)', { kind: 'bit', length: 64 }, undefined, fc.stringMatching(/^[01]{64}$/)],
  [
    'other without a declared type (same engine: every storage class)',
    { kind: 'other', name: '' },
    '',
    fc.oneof(
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.double({ noNaN: true }),
      fc.string({ unit: 'binary' }),
      fc.uint8Array({ maxLength: 50 }).map((a) => Buffer.from(a)),
    ),
  ],
];

function same(actual: CanonicalValue, expected: CanonicalValue): boolean {
  if (Buffer.isBuffer(actual) && Buffer.isBuffer(expected)) return actual.equals(expected);
  return Object.is(actual, expected);
}

const memory = new Database(':memory:');
memory.defaultSafeIntegers(true);
afterAll(() => memory.close());

describe.each(CASES)('%s', (name, type, declaredOverride, values) => {
  const declared = declaredOverride ?? declareSqliteType(type);
  const slot = { affinity: sqliteAffinity(declared), native: declaredOverride !== undefined };

  it('decode(encode(v)) = v', () => {
    fc.assert(
      fc.property(values, (value) => {
        const param = encodeSqliteValue(type, slot, value);
        // What SQLite stores: the encoder only binds values whose class the affinity keeps
        // (an integral double in NUMERIC becomes INTEGER, which the reader reads back exactly).
        const stored =
          typeof param === 'number' &&
          slot.affinity === 'NUMERIC' &&
          Number.isInteger(param) &&
          Math.abs(param) < 2 ** 63 &&
          !Object.is(param, -0)
            ? BigInt(param)
            : param;
        return same(decodeSqliteValue(type, slot.affinity, stored as SqliteStored), value);
      }),
      RUNS,
    );
  });

  it('decode(encode(v)) = v through a real SQLite column', () => {
    const table = `p_${name.replace(/\W+/g, '_')}`;
    memory.exec(`CREATE TABLE "${table}" (v ${declared})`);
    const insert = memory.prepare(`INSERT INTO "${table}" (v) VALUES (?)`);
    const select = memory.prepare(`SELECT v FROM "${table}" WHERE rowid = ?`).pluck();
    fc.assert(
      fc.property(values, (value) => {
        const { lastInsertRowid } = insert.run(encodeSqliteValue(type, slot, value));
        return same(
          decodeSqliteValue(type, slot.affinity, select.get(lastInsertRowid) as SqliteStored),
          value,
        );
      }),
      RUNS,
    );
  });
});

describe('values SQLite cannot hold are refused with their loss kind, never changed', () => {
  it.each<[LogicalType, string, fc.Arbitrary<CanonicalValue>, string]>([
    [{ kind: 'float', bits: 64 }, 'DOUBLE', fc.constantFrom(Number.NaN, -0), 'special-float'],
    [
      { kind: 'integer', bits: 64, unsigned: true },
      'BIGINT',
      fc.bigInt({ min: 2n ** 63n, max: 2n ** 64n - 1n }),
      'out-of-range',
    ],
    [
      { kind: 'date' },
      'DATE',
      fc.constantFrom('infinity', '-infinity', '0044-03-15 BC', '10000-01-01'),
      'infinite-date',
    ],
    [{ kind: 'text' }, 'TEXT', fc.string().map((s) => `${s}\uDC00`), 'invalid-text'],
  ])('%o in %s', (type, declared, values, loss) => {
    const slot = { affinity: sqliteAffinity(declared), native: false };
    fc.assert(
      fc.property(values, (value) => {
        try {
          encodeSqliteValue(type, slot, value);
          return false;
        } catch (error) {
          expect(error).toBeInstanceOf(SqliteValueProblem);
          return (error as SqliteValueProblem).loss === loss;
        }
      }),
      RUNS,
    );
  });
});
