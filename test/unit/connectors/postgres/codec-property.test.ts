/**
 * decode(encode(v)) = v for random canonical values of every logical kind, through the writer's
 * field text (postgresFieldText), COPY's text-format escaping and line splitting, and the reader's
 * field decoding (postgresDecoder): floats by Object.is, Buffers by bytes. Pure, no server.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postgresDecoder, postgresFieldText } from '../../../../src/connectors/postgres/codecs.js';
import {
  CopyLineSplitter,
  decodeCopyLine,
  encodeCopyLine,
} from '../../../../src/connectors/postgres/copy-text.js';
import type { LogicalType } from '../../../../src/schema/logical-type.js';
import type { CanonicalValue } from '../../../../src/values/canonical.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const fraction = fc
  .integer({ min: 0, max: 999999 })
  .chain((micros) => fc.constant(micros === 0 ? '' : `.${pad(micros, 6)}`.replace(/0+$/, '')));
const date = fc
  .record({
    y: fc.integer({ min: 1, max: 9999 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ y, m, d }) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`);
const clock = fc
  .tuple(
    fc.integer({ min: 0, max: 23 }),
    fc.integer({ min: 0, max: 59 }),
    fc.integer({ min: 0, max: 59 }),
    fraction,
  )
  .map(([h, m, s, f]) => `${pad(h)}:${pad(m)}:${pad(s)}${f}`);
const dateTime = fc.tuple(date, clock).map(([d, t]) => `${d} ${t}`);
/** Text PostgreSQL can hold: any Unicode except NUL (lone surrogates are not Unicode). */
const pgText = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replaceAll('\u0000', ''));
const decimal = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.option(fc.stringMatching(/^\d{1,30}$/)))
  .map(
    ([negative, whole, frac]) =>
      `${negative && (whole > 0n || frac) ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`,
  );

/** One arbitrary per logical type the writer and reader support. */
const KINDS: Array<[string, LogicalType, fc.Arbitrary<CanonicalValue>]> = [
  [
    'integer',
    { kind: 'integer', bits: 64, unsigned: false },
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  ],
  ['boolean', { kind: 'boolean' }, fc.boolean()],
  ['decimal', { kind: 'decimal' }, fc.oneof(decimal, fc.constantFrom('NaN', 'Infinity', '-Infinity'))],
  ['float 64', { kind: 'float', bits: 64 }, fc.double()],
  ['float 32', { kind: 'float', bits: 32 }, fc.float()],
  ['text', { kind: 'text' }, pgText],
  ['binary', { kind: 'binary' }, fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes))],
  ['date', { kind: 'date' }, fc.oneof(date, fc.constantFrom('infinity', '-infinity', '0044-03-15 BC'))],
  ['time', { kind: 'time', fsp: 6 }, clock],
  ['datetime', { kind: 'datetime', fsp: 6 }, dateTime],
  ['timestamptz', { kind: 'timestamptz', fsp: 6 }, dateTime],
  ['json', { kind: 'json' }, fc.json()],
  ['enum', { kind: 'enum', values: [] }, pgText],
  ['set', { kind: 'set', values: [] }, pgText],
  ['uuid', { kind: 'uuid' }, fc.uuid()],
  ['bit', { kind: 'bit', length: 16 }, fc.stringMatching(/^[01]{16}$/)],
  ['other', { kind: 'other', name: 'interval' }, pgText],
];

const same = (a: CanonicalValue, b: CanonicalValue) =>
  Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : Object.is(a, b);

/** Writer's COPY text for one row, then the reader's decoding of it (split at an arbitrary byte). */
function roundTrip(types: LogicalType[], row: CanonicalValue[], cut: number): CanonicalValue[] {
  const line = Buffer.from(
    encodeCopyLine(row.map((value, i) => (value === null ? null : postgresFieldText(value, types[i]!)))),
    'utf8',
  );
  const splitter = new CopyLineSplitter();
  const at = Math.min(cut, line.length);
  const lines = [...splitter.push(line.subarray(0, at)), ...splitter.push(line.subarray(at))];
  expect(lines).toHaveLength(1);
  return decodeCopyLine(lines[0]!).map((field, i) =>
    field === null ? null : postgresDecoder(types[i]!)(field),
  );
}

describe('postgres codecs: decode(encode(v)) = v', () => {
  it.each(KINDS)('%s', (_name, type, arbitrary) => {
    fc.assert(
      fc.property(fc.option(arbitrary), fc.nat(), (value, cut) => {
        const [back] = roundTrip([type], [value], cut);
        expect(same(back ?? null, value)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a whole row of every kind, with NULLs and awkward characters between fields', () => {
    const types = KINDS.map(([, type]) => type);
    fc.assert(
      fc.property(fc.tuple(...KINDS.map(([, , arbitrary]) => fc.option(arbitrary))), fc.nat(), (row, cut) => {
        const back = roundTrip(types, row, cut);
        row.forEach((value, i) => {
          expect(same(back[i] ?? null, value)).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });
});
