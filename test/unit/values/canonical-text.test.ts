import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogicalType } from '../../../src/schema/logical-type.js';
import type { CanonicalValue } from '../../../src/values/canonical.js';
import {
  ChunkHasher,
  canonicalField,
  canonicalJson,
  canonicalRowText,
  canonicalText,
  checksumFromSums,
  isLengthPrefixed,
  sameChecksum,
} from '../../../src/values/canonical-text.js';

const T = {
  integer: { kind: 'integer', bits: 64, unsigned: false },
  ubig: { kind: 'integer', bits: 64, unsigned: true },
  boolean: { kind: 'boolean' },
  decimal: { kind: 'decimal', precision: 40, scale: 30 },
  float: { kind: 'float', bits: 64 },
  float32: { kind: 'float', bits: 32 },
  text: { kind: 'text' },
  binary: { kind: 'binary' },
  date: { kind: 'date' },
  time: { kind: 'time', fsp: 6 },
  datetime: { kind: 'datetime', fsp: 6 },
  timestamptz: { kind: 'timestamptz', fsp: 6 },
  json: { kind: 'json' },
  enum: { kind: 'enum', values: ['a', 'b,c'] },
  set: { kind: 'set', values: ['a', 'b'] },
  uuid: { kind: 'uuid' },
  bit: { kind: 'bit', length: 4 },
  other: { kind: 'other', name: 'money' },
} satisfies Record<string, LogicalType>;

const md5 = (bytes: Buffer | string) => createHash('md5').update(bytes).digest('hex');

describe('canonicalText', () => {
  it.each<[string, Exclude<CanonicalValue, null>, LogicalType, string]>([
    ['negative integer', -12n, T.integer, '-12'],
    ['zero', 0n, T.integer, '0'],
    ['2^64 - 1', 18446744073709551615n, T.ubig, '18446744073709551615'],
    ['-2^63', -9223372036854775808n, T.integer, '-9223372036854775808'],
    ['true', true, T.boolean, '1'],
    ['false', false, T.boolean, '0'],
    ['decimal with zeros', '0012.500', T.decimal, '12.5'],
    ['decimal -0.00', '-0.00', T.decimal, '0'],
    ['decimal with bare point', '5.', T.decimal, '5'],
    ['decimal without integer part', '-.5', T.decimal, '-0.5'],
    ['decimal tiny', '-0.000000000000000000000000000001', T.decimal, '-0.000000000000000000000000000001'],
    [
      'decimal huge',
      '99999999999999999999999999999999999.9',
      T.decimal,
      '99999999999999999999999999999999999.9',
    ],
    ['decimal NaN', 'NaN', T.decimal, 'NaN'],
    ['decimal Infinity', 'Infinity', T.decimal, 'Infinity'],
    ['decimal -Infinity', '-Infinity', T.decimal, '-Infinity'],
    ['text as is', ' héllo\t|\\N ', T.text, ' héllo\t|\\N '],
    ['binary as MD5', Buffer.from('abc'), T.binary, '900150983cd24fb0d6963f7d28e17f72'],
    ['empty binary', Buffer.alloc(0), T.binary, 'd41d8cd98f00b204e9800998ecf8427e'],
    ['date', '2020-01-31', T.date, '2020-01-31'],
    ['zero date', '0000-00-00', T.date, '0000-00-00'],
    ['infinite date', 'infinity', T.date, 'infinity'],
    ['BC date', '0044-03-15 BC', T.date, '0044-03-15 BC'],
    ['time without seconds', '10:00', T.time, '10:00:00'],
    ['time with zero fraction', '10:00:00.000000', T.time, '10:00:00'],
    ['negative long time', '-838:59:59', T.time, '-838:59:59'],
    ['datetime with T', '2020-01-01T10:00:00.120000', T.datetime, '2020-01-01 10:00:00.12'],
    ['datetime with bare point', '2020-01-01 10:00:00.', T.datetime, '2020-01-01 10:00:00'],
    ['datetime without seconds', '2020-01-01 10:00', T.datetime, '2020-01-01 10:00:00'],
    ['timestamptz', '9999-12-31 23:59:59.999999', T.timestamptz, '9999-12-31 23:59:59.999999'],
    ['json as stored', '{"b": 1, "a": 1.50}', T.json, '{"b": 1, "a": 1.50}'],
    ['enum label', 'b,c', T.enum, 'b,c'],
    ['set labels', 'a,b', T.set, 'a,b'],
    [
      'uuid lower-cased',
      'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
      T.uuid,
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    ],
    ['bit digits', '0101', T.bit, '0101'],
    ['other text', '$1.00', T.other, '$1.00'],
  ])('%s', (_name, value, type, text) => expect(canonicalText(value, type)).toBe(text));

  it.each<[number, string]>([
    [0.1, '0.1'],
    [657.435791015625, '657.435791015625'],
    [100000000000000, '100000000000000'],
    [1e15, '1e15'],
    [1.2345678901234568e16, '1.2345678901234568e16'],
    [1e20, '1e20'],
    [1.5e-15, '0.0000000000000015'],
    [1.5e-16, '1.5e-16'],
    [-1.5e-7, '-0.00000015'],
    [1234567, '1234567'],
    [-1.5e-300, '-1.5e-300'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e308'],
    [-1.7976931348623157e308, '-1.7976931348623157e308'],
    [0, '0'],
    [-0, '-0'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
    [0.30000000000000004, '0.30000000000000004'],
    [16777216, '16777216'],
    [3.4028234663852886e38, '3.4028234663852886e38'],
    [4056.666748046875, '4056.666748046875'],
    [123456789012345.6, '123456789012345.6'],
    [999999999999999.9, '999999999999999.9'],
  ])('float %s → %s', (value, text) => {
    expect(canonicalText(value, T.float)).toBe(text);
    // A 32-bit column's value is the double it holds: the same text.
    expect(canonicalText(value, T.float32)).toBe(text);
  });

  it('gives every double a text that reads back as the same double, in the spec’s notation', () => {
    fc.assert(
      fc.property(fc.double(), (value) => {
        const text = canonicalText(value, T.float);
        expect(Object.is(Number(text), value)).toBe(true);
        expect(text).toMatch(/^(NaN|-?Infinity|-?\d+(\.\d+)?|-?\d(\.\d+)?e-?\d+)$/);
        if (!Number.isFinite(value) || value === 0) return;
        // The decimal exponent alone decides the notation.
        const exponent = Number(value.toExponential().split('e')[1]);
        expect(text.includes('e')).toBe(exponent < -15 || exponent > 14);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('canonicalField and isLengthPrefixed', () => {
  it.each<[LogicalType, boolean]>([
    [T.text, true],
    [T.json, true],
    [T.enum, true],
    [T.set, true],
    [T.other, true],
    [T.integer, false],
    [T.boolean, false],
    [T.decimal, false],
    [T.float, false],
    [T.binary, false],
    [T.date, false],
    [T.time, false],
    [T.datetime, false],
    [T.timestamptz, false],
    [T.uuid, false],
    [T.bit, false],
  ])('%o length-prefixed: %s', (type, prefixed) => expect(isLengthPrefixed(type)).toBe(prefixed));

  it.each<[string, CanonicalValue, LogicalType, string]>([
    ['NULL', null, T.text, '\\N'],
    ['NULL integer', null, T.integer, '\\N'],
    ['the text \\N', '\\N', T.text, '2:\\N'],
    ['empty text', '', T.text, '0:'],
    ['two-byte é', 'héllo', T.text, '6:héllo'],
    ['four-byte emoji', '😀', T.text, '4:😀'],
    ['combining accent', 'e\u0301', T.text, '3:e\u0301'],
    ['NUL character', 'a\u0000b', T.text, '3:a\u0000b'],
    ['json', '{"a":1}', T.json, '7:{"a":1}'],
    ['enum', 'b,c', T.enum, '3:b,c'],
    ['empty set', '', T.set, '0:'],
    ['other', 'x|y', T.other, '3:x|y'],
    ['bare integer', 7n, T.integer, '7'],
    ['bare float', -0, T.float, '-0'],
  ])('%s', (_name, value, type, field) => expect(canonicalField(value, type)).toBe(field));
});

describe('canonicalRowText', () => {
  it('joins the fields of the spec’s example', () => {
    expect(canonicalRowText([7n, 'héllo', '12.50', null], [T.integer, T.text, T.decimal, T.text])).toBe(
      '7|6:héllo|12.5|\\N',
    );
  });

  it('tells NULL, the text \\N and empty text apart', () => {
    const texts = [null, '\\N', ''].map((value) => canonicalRowText([1n, value], [T.integer, T.text]));
    expect(texts).toEqual(['1|\\N', '1|2:\\N', '1|0:']);
    expect(new Set(texts).size).toBe(3);
  });

  it('does not let a value shift between columns', () => {
    const types = [T.text, T.text];
    const left = canonicalRowText(['a|', 'b'], types);
    const right = canonicalRowText(['a', '|b'], types);
    expect(left).toBe('2:a||1:b');
    expect(right).toBe('1:a|2:|b');
    expect(left).not.toBe(right);
    // A length prefix counts bytes, so a multi-byte character cannot hide a separator either.
    expect(canonicalRowText(['é|', 'x'], types)).not.toBe(canonicalRowText(['é', '|x'], types));
  });

  it('renders an empty column list as empty text and refuses mismatched lengths', () => {
    expect(canonicalRowText([], [])).toBe('');
    expect(() => canonicalRowText([1n], [T.integer, T.text])).toThrow(RangeError);
  });
});

describe('checksumFromSums', () => {
  it.each<[string, number | bigint | string, bigint | string, bigint | string, string, string]>([
    ['zero', 0, '0', '0', '0000000000000000', '0000000000000000'],
    ['negative one', 1, '-1', -1n, 'ffffffffffffffff', 'ffffffffffffffff'],
    ['-2^63', '1', '-9223372036854775808', '9223372036854775808', '8000000000000000', '8000000000000000'],
    ['2^64 + 1', 2n, '18446744073709551617', 18446744073709551616n, '0000000000000001', '0000000000000000'],
    [
      'far above 2^64',
      '3',
      (5n << 70n) + 10n,
      '-18446744073709551626',
      '000000000000000a',
      'fffffffffffffff6',
    ],
    ['DECIMAL sum text', '4', '255.000', ' 16 ', '00000000000000ff', '0000000000000010'],
  ])('%s', (_name, rows, high, low, highHex, lowHex) => {
    const checksum = checksumFromSums(rows, high, low);
    expect(checksum).toEqual({ rows: Number(rows), high: highHex, low: lowHex });
  });

  it('agrees with a hasher whose halves a server summed as signed 64-bit values', () => {
    const texts = ['1|a', '2|b', '3|c', '4|d', '5|e'];
    const hasher = new ChunkHasher();
    let high = 0n;
    let low = 0n;
    for (const text of texts) {
      hasher.addRowText(text);
      const hash = md5(text);
      high += BigInt.asIntN(64, BigInt(`0x${hash.slice(0, 16)}`));
      low += BigInt.asIntN(64, BigInt(`0x${hash.slice(16)}`));
    }
    expect(checksumFromSums(String(texts.length), String(high), String(low))).toEqual(hasher.result());
  });

  it.each(['abc', '1.5', '', '0x10'])('refuses the sum %j', (text) => {
    expect(() => checksumFromSums(1, text, '0')).toThrow(RangeError);
  });
});

describe('ChunkHasher', () => {
  const hashed = (texts: string[]) => {
    const hasher = new ChunkHasher();
    for (const text of texts) hasher.addRowText(text);
    return hasher.result();
  };

  it('starts empty and sums the MD5 halves of each row', () => {
    expect(new ChunkHasher().result()).toEqual({
      rows: 0,
      high: '0000000000000000',
      low: '0000000000000000',
    });
    expect(hashed(['abc'])).toEqual({ rows: 1, high: '900150983cd24fb0', low: 'd6963f7d28e17f72' });
    // MD5 of the UTF-8 bytes, not of UTF-16 code units.
    expect(hashed(['é']).high).toBe(md5(Buffer.from('é', 'utf8')).slice(0, 16));
  });

  it('is independent of row order', () => {
    const texts = Array.from({ length: 50 }, (_, i) => `${i}|${'x'.repeat(i)}`);
    expect(hashed([...texts].reverse())).toEqual(hashed(texts));
    const shuffled = fc
      .array(fc.string())
      .chain((rows) => fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length })));
    fc.assert(
      fc.property(shuffled, ([rows, reordered]) => {
        expect(hashed(reordered)).toEqual(hashed(rows));
      }),
      { numRuns: 200 },
    );
  });

  it('counts duplicate rows (a sum, not an XOR)', () => {
    const once = hashed(['1|a']);
    const twice = hashed(['1|a', '1|a']);
    expect(twice.rows).toBe(2);
    expect(sameChecksum(once, twice)).toBe(false);
    // XOR would cancel a pair of equal rows: the sum does not.
    expect(sameChecksum(hashed(['1|a', '1|a', '2|b']), hashed(['2|b']))).toBe(false);
  });

  it('adds a row hash like the row text it came from, in either case', () => {
    const byHash = new ChunkHasher();
    byHash.addRowHash(md5('1|a'));
    byHash.addRowHash(md5('2|b').toUpperCase());
    expect(byHash.result()).toEqual(hashed(['1|a', '2|b']));
    expect(() => byHash.addRowHash('xyz')).toThrow(RangeError);
    expect(() => byHash.addRowHash(`${md5('a')}0`)).toThrow(RangeError);
  });

  it('merges sub-chunks into the whole, carries reduced mod 2^64', () => {
    const texts = Array.from({ length: 200 }, (_, i) => `${i}`);
    const whole = hashed(texts);
    const merged = new ChunkHasher();
    merged.merge(hashed(texts.slice(0, 70)));
    merged.merge(hashed(texts.slice(70)));
    merged.merge(new ChunkHasher().result());
    expect(merged.result()).toEqual(whole);
    const wrap = new ChunkHasher();
    wrap.merge({ rows: 1, high: 'ffffffffffffffff', low: '8000000000000000' });
    wrap.merge({ rows: 1, high: '0000000000000002', low: '8000000000000000' });
    expect(wrap.result()).toEqual({ rows: 2, high: '0000000000000001', low: '0000000000000000' });
  });

  it('sameChecksum compares rows and both sums', () => {
    const a = { rows: 1, high: '0000000000000001', low: '0000000000000002' };
    expect(sameChecksum(a, { ...a })).toBe(true);
    expect(sameChecksum(a, { ...a, rows: 2 })).toBe(false);
    expect(sameChecksum(a, { ...a, high: '0000000000000002' })).toBe(false);
    expect(sameChecksum(a, { ...a, low: '0000000000000001' })).toBe(false);
  });
});

describe('canonicalJson', () => {
  it.each<[string, string, string]>([
    ['keys sorted', '{"b": 1, "a": 2}', '{"a":2,"b":1}'],
    [
      'keys by UTF-16 code unit',
      '{"é": 1, "z": 2, "Z": 3, "😀": 4, "\uffff": 5}',
      '{"Z":3,"z":2,"é":1,"😀":4,"\uffff":5}',
    ],
    ['last duplicate wins', '{"a": 1, "b": 0, "a": 2}', '{"a":2,"b":0}'],
    ['duplicate replaced by an object', '{"a": 1, "a": {"y": 1, "x": 2}}', '{"a":{"x":2,"y":1}}'],
    ['1e2 is 100', '[1e2, 1E+2, 100, 100.0]', '[100,100,100,100]'],
    ['1.50 is 1.5', '1.50', '1.5'],
    ['-0 is 0', '[-0, -0.0, 0e10, -0E-5]', '[0,0,0,0]'],
    ['negative exponent', '[1.5e-3, 12e-1, -25E-4]', '[0.0015,1.2,-0.0025]'],
    ['exponent within the digits', '1.2345e2', '123.45'],
    ['big integer beyond 2^53', '12345678901234567890123', '12345678901234567890123'],
    [
      '2^53 + 1 kept exactly',
      '[9007199254740993, -9007199254740993]',
      '[9007199254740993,-9007199254740993]',
    ],
    ['many fraction digits', '1.0000000000000000001', '1.0000000000000000001'],
    ['large exponent expanded', '1e30', '1000000000000000000000000000000'],
    [
      'escapes respelt as JSON.stringify does',
      '"\\u00e9\\/\\b\\f\\n\\r\\t\\"\\\\\\u001f"',
      '"é/\\b\\f\\n\\r\\t\\"\\\\\\u001f"',
    ],
    ['surrogate pair escape', '"\\ud83d\\ude00"', '"😀"'],
    ['lone surrogate kept escaped', '"\\ud800"', '"\\ud800"'],
    ['NUL escape', '{"s": "\\u0000"}', '{"s":"\\u0000"}'],
    [
      'whitespace dropped',
      ' \t\n\r{ "a" : [ 1 , 2 ] , "b" : { } , "c" : [ ] }\n',
      '{"a":[1,2],"b":{},"c":[]}',
    ],
    [
      'nested',
      '{"z": [{"b": null, "a": true}, false], "a": {"d": {"c": "x"}}}',
      '{"a":{"d":{"c":"x"}},"z":[{"a":true,"b":null},false]}',
    ],
    ['scalar string', '"x"', '"x"'],
    ['scalar null', 'null', 'null'],
    ['the fixture’s duplicate keys', '{"a": 1, "a": 2}', '{"a":2}'],
    ['key escapes normalised', '{"\\u0061": 1, "a": 2}', '{"a":2}'],
  ])('%s', (_name, input, output) => expect(canonicalJson(input)).toBe(output));

  it.each([
    '',
    '{',
    '{"a" 1}',
    '{"a": 1,}',
    '[1,]',
    '01',
    '1.',
    '.5',
    '+1',
    '1e',
    'NaN',
    'Infinity',
    "{'a': 1}",
    '"tab\there"',
    '"\\x41"',
    'tru',
    '1 2',
    '\uFEFF1',
    '[1] x',
    '1e1000000',
  ])('throws on %j', (input) => expect(() => canonicalJson(input)).toThrow(SyntaxError));

  it('is idempotent and ignores how a document was spaced', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const canonical = canonicalJson(JSON.stringify(value));
        expect(canonicalJson(canonical)).toBe(canonical);
        expect(canonicalJson(JSON.stringify(value, null, 2))).toBe(canonical);
      }),
      { numRuns: 500 },
    );
  });
});
