/**
 * The canonical row text and chunk checksum of `ferry verify` (see the verify spec): every engine
 * renders a row in this one text, hashes it with MD5 and sums the halves per chunk, so a source
 * and a target compare chunk by chunk without moving rows. This file is the JS definition that
 * each connector's SQL must equal byte for byte.
 */
import { createHash } from 'node:crypto';
import type { LogicalType } from '../schema/logical-type.js';
import type { CanonicalValue } from './canonical.js';
import { normalizeDecimal, normalizeTemporal } from './canonical.js';

export { canonicalJson } from './canonical-json.js';

/** How a row text is rendered: 'canonical' = this spec (cross-engine); 'native' = an engine's own exact text per column, only between two databases of the same engine with identical column types. */
export type ChecksumMode = 'canonical' | 'native';

/** Canonical text of one non-null value of `type` (the spec above, without length prefix). */
export function canonicalText(value: Exclude<CanonicalValue, null>, type: LogicalType): string {
  switch (type.kind) {
    case 'integer':
      return integerText(value);
    case 'boolean':
      return booleanText(value);
    case 'decimal':
      return decimalText(value);
    case 'float':
      return typeof value === 'number' ? floatText(value) : plainText(value);
    case 'binary':
      return md5Hex(Buffer.isBuffer(value) ? value : Buffer.from(plainText(value), 'utf8'));
    case 'time':
    case 'datetime':
    case 'timestamptz':
      return normalizeTemporal(plainText(value));
    case 'uuid':
      return plainText(value).toLowerCase();
    default:
      // text, json, enum, set, bit, date, other: the value's own text.
      return plainText(value);
  }
}

/** One field of a row text: `\N` for null; length-prefixed for text-like kinds. */
export function canonicalField(value: CanonicalValue, type: LogicalType): string {
  if (value === null) return '\\N';
  const text = canonicalText(value, type);
  return isLengthPrefixed(type) ? `${Buffer.byteLength(text, 'utf8')}:${text}` : text;
}

/** Whether a kind's field is length-prefixed (text, json, enum, set, other). */
export function isLengthPrefixed(type: LogicalType): boolean {
  switch (type.kind) {
    case 'text':
    case 'json':
    case 'enum':
    case 'set':
    case 'other':
      return true;
    default:
      return false;
  }
}

/**
 * Whether values of `a` and of `b` that are equal have the same canonical field: the same kind,
 * or two length-prefixed kinds (a bit string copied as text of its digits does not).
 */
export function sameCanonicalForm(a: LogicalType, b: LogicalType): boolean {
  return a.kind === b.kind || (isLengthPrefixed(a) && isLengthPrefixed(b));
}

/** The row text of `values` whose types are `types` (same length). */
export function canonicalRowText(values: readonly CanonicalValue[], types: readonly LogicalType[]): string {
  if (values.length !== types.length) {
    throw new RangeError(`canonicalRowText: ${values.length} values for ${types.length} column types`);
  }
  let text = '';
  for (let index = 0; index < values.length; index++) {
    if (index > 0) text += '|';
    text += canonicalField(values[index] as CanonicalValue, types[index] as LogicalType);
  }
  return text;
}

/** A chunk's checksum: rows, and the two 64-bit sums as 16 lowercase hex digits each. */
export interface ChunkChecksum {
  rows: number;
  high: string;
  low: string;
}

/** Reduces sums as a server returned them (any integer text, negative allowed, or bigint) mod 2^64. */
export function checksumFromSums(
  rows: number | bigint | string,
  high: bigint | string,
  low: bigint | string,
): ChunkChecksum {
  return { rows: Number(toBigInt(rows)), high: hex64(toBigInt(high)), low: hex64(toBigInt(low)) };
}

/** Accumulates row texts (or already hashed rows) into a ChunkChecksum, order-independently. */
export class ChunkHasher {
  #rows = 0;
  #high = 0n;
  #low = 0n;

  /** Hashes one row text (UTF-8) and adds it. */
  addRowText(text: string): void {
    this.addRowHash(md5Hex(Buffer.from(text, 'utf8')));
  }

  /** Adds one row whose MD5 is `md5Hex` (32 hex digits). */
  addRowHash(md5Hex: string): void {
    if (!/^[0-9a-fA-F]{32}$/.test(md5Hex))
      throw new RangeError(`addRowHash: not an MD5 hex digest: ${md5Hex}`);
    this.#rows++;
    // Sums stay exact here and are reduced once in result(); bigint has no overflow.
    this.#high += BigInt(`0x${md5Hex.slice(0, 16)}`);
    this.#low += BigInt(`0x${md5Hex.slice(16)}`);
  }

  /** Merges another chunk's checksum (e.g. the SQL-hashed part of the same rows is NOT merged this way; this is for adding sub-chunks). */
  merge(other: ChunkChecksum): void {
    this.#rows += other.rows;
    this.#high += BigInt(`0x${other.high}`);
    this.#low += BigInt(`0x${other.low}`);
  }

  /** The checksum of everything added so far. */
  result(): ChunkChecksum {
    return { rows: this.#rows, high: hex64(this.#high), low: hex64(this.#low) };
  }
}

/** Same checksum? */
export function sameChecksum(a: ChunkChecksum, b: ChunkChecksum): boolean {
  return a.rows === b.rows && a.high === b.high && a.low === b.low;
}

const TWO_64 = 1n << 64n;

/** 16 lowercase hex digits of `value` mod 2^64 (a negative sum is congruent, so it reduces too). */
function hex64(value: bigint): string {
  return (((value % TWO_64) + TWO_64) % TWO_64).toString(16).padStart(16, '0');
}

/** An integer from a server's sum: bigint, number, or decimal text (a `.000` fraction allowed, as a DECIMAL sum may print). */
function toBigInt(value: number | bigint | string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`checksum sum is not an exact integer: ${value}`);
    return BigInt(value);
  }
  const match = /^\s*([+-]?\d+)(?:\.0*)?\s*$/.exec(value);
  if (!match) throw new RangeError(`checksum sum is not an integer: ${value}`);
  return BigInt(match[1] as string);
}

function md5Hex(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** Text of a value whose JS type is the expected string, or the engine-text fallback for `other`. */
function plainText(value: Exclude<CanonicalValue, null>): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (typeof value === 'boolean') return value ? '1' : '0';
  return typeof value === 'number' ? floatText(value) : value.toString();
}

function integerText(value: Exclude<CanonicalValue, null>): string {
  if (typeof value === 'bigint') return value.toString();
  // A reader may yield a safe integer as a number or digits as text; both mean the same integer.
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value).toString();
  if (typeof value === 'string') return normalizeDecimal(value);
  return plainText(value);
}

function booleanText(value: Exclude<CanonicalValue, null>): string {
  // A MySQL TINYINT(1) read as a number or bigint renders like a real boolean.
  if (value === true || value === 1 || value === 1n) return '1';
  if (value === false || value === 0 || value === 0n) return '0';
  return plainText(value);
}

function decimalText(value: Exclude<CanonicalValue, null>): string {
  if (typeof value !== 'string') return typeof value === 'number' ? floatText(value) : plainText(value);
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
  return normalizeDecimal(value);
}

/**
 * The float rule: shortest round-trip digits (from `toExponential()`), fixed notation for
 * decimal exponents -15..14, else `d.ddde<e>` with no '+' (as MariaDB prints a DOUBLE).
 */
function floatText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(value.toExponential());
  if (!match) throw new RangeError(`unexpected exponential form of ${value}`);
  const [, sign, lead, fraction = '', exponentText] = match;
  const exponent = Number(exponentText);
  if (exponent < -15 || exponent > 14) return `${sign}${lead}${fraction ? `.${fraction}` : ''}e${exponent}`;
  const digits = `${lead}${fraction}`;
  const pointAt = 1 + exponent;
  if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}`;
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}
