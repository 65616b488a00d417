/**
 * Value conversions between mysql2's wire values, canonical values and LOAD DATA field text. Each
 * function handles one LogicalType kind; types.ts puts them in the one mapping table.
 */
import type { CanonicalValue } from '../../values/canonical.js';
import { numberToDecimalText, trimFraction } from '../../values/canonical.js';

/** A value that cannot cross exactly; the reader/writer turns it into a ValueError naming table, column and key. */
export class MysqlValueProblem extends Error {}

/** A canonical value that is not NULL. */
export type PresentValue = Exclude<CanonicalValue, null>;

function describe(value: unknown): string {
  if (Buffer.isBuffer(value)) return 'binary data';
  return typeof value;
}

/** mysql2 gives TINYINT…INT and YEAR as numbers, BIGINT as strings (bigNumberStrings). */
export function decodeInteger(raw: unknown): bigint {
  if (typeof raw === 'number' && Number.isInteger(raw)) return BigInt(raw);
  if (typeof raw === 'string' && /^-?\d+$/.test(raw)) return BigInt(raw);
  throw new MysqlValueProblem(`the server sent ${describe(raw)} for an integer column`);
}

/** DECIMAL arrives as the server's text (`decimalNumbers` stays off), kept as is. */
export function decodeDecimal(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return numberToDecimalText(raw);
  throw new MysqlValueProblem(`the server sent ${describe(raw)} for a decimal column`);
}

/**
 * FLOAT/DOUBLE arrive as the server's text (Ferry's typeCast): MariaDB prints DOUBLE with the
 * shortest round-trip digits, and FLOAT is selected as CAST(… AS DOUBLE), so Number() is exact.
 * (mysql2's own float parser is off by one unit in the last place for some 16-digit values.)
 */
export function decodeFloat(raw: unknown): number {
  const value = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value === 'number' && !(typeof raw === 'string' && raw.trim() === '') && !Number.isNaN(value)) {
    return value;
  }
  throw new MysqlValueProblem(`the server sent ${describe(raw)} for a float column`);
}

/** Text, ENUM, SET, JSON, UUID: strings decoded by mysql2 from the connection's utf8mb4. */
export function decodeString(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number') return String(raw);
  throw new MysqlValueProblem(`the server sent ${describe(raw)} for a text column`);
}

/** BINARY/VARBINARY/BLOB arrive as Buffers (binary character set). */
export function decodeBinary(raw: unknown): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (typeof raw === 'string') return Buffer.from(raw, 'utf8');
  throw new MysqlValueProblem(`the server sent ${describe(raw)} for a binary column`);
}

/** DATE/TIME/DATETIME/TIMESTAMP arrive as text (`dateStrings`); trailing fractional zeros go. */
export function decodeTemporal(raw: unknown): string {
  if (typeof raw === 'string') return trimFraction(raw);
  throw new MysqlValueProblem(`the server sent ${describe(raw)} for a date/time column`);
}

/** BIT(n) arrives as big-endian bytes; the canonical value is exactly `length` binary digits. */
export function decodeBit(raw: unknown, length: number): string {
  if (!Buffer.isBuffer(raw)) throw new MysqlValueProblem(`the server sent ${describe(raw)} for a BIT column`);
  let digits = '';
  for (const byte of raw) digits += byte.toString(2).padStart(8, '0');
  if (digits.length >= length) return digits.slice(digits.length - length);
  return digits.padStart(length, '0');
}

/** Types without a neutral counterpart: their text form (bytes of an unknown binary type as hex). */
export function decodeOther(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (Buffer.isBuffer(raw)) return raw.toString('hex');
  if (typeof raw === 'number') return String(raw);
  throw new MysqlValueProblem(`the server sent ${describe(raw)} for a column of an unknown type`);
}

/** Booleans read back from TINYINT(1) (only when a caller asks for the boolean kind). */
export function decodeBoolean(raw: unknown): boolean {
  return decodeInteger(raw) !== 0n;
}

/** LOAD DATA text of an integer; booleans become 1/0. */
export function encodeInteger(value: PresentValue): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value)) return value;
  throw new MysqlValueProblem(`${describe(value)} is not an integer`);
}

/** LOAD DATA text of a boolean for TINYINT(1). */
export function encodeBoolean(value: PresentValue): string {
  return encodeInteger(value);
}

/** Decimal text as is; NaN and ±Infinity (PostgreSQL numeric) have no MySQL DECIMAL form. */
export function encodeDecimal(value: PresentValue): string {
  if (typeof value === 'string') {
    if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value)) return value;
    if (/^[+-]?(nan|inf)/i.test(value))
      throw new MysqlValueProblem('MySQL DECIMAL cannot hold NaN or Infinity');
    throw new MysqlValueProblem('the value is not decimal text');
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isFinite(value)) return numberToDecimalText(value);
  throw new MysqlValueProblem(`${describe(value)} is not a decimal`);
}

/**
 * Shortest exact text of a double. MySQL cannot hold NaN or ±Infinity, and MariaDB stores -0 as 0,
 * so those are refused rather than changed.
 */
export function encodeFloat(value: PresentValue): string {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new MysqlValueProblem('MySQL FLOAT/DOUBLE cannot hold NaN');
    if (!Number.isFinite(value)) throw new MysqlValueProblem('MySQL FLOAT/DOUBLE cannot hold Infinity');
    if (Object.is(value, -0)) throw new MysqlValueProblem('MariaDB/MySQL store -0 as 0');
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  throw new MysqlValueProblem(`${describe(value)} is not a float`);
}

/** A lone UTF-16 surrogate cannot be encoded as utf8mb4 (it would become U+FFFD). */
function checkWellFormed(text: string): string {
  if (/\p{Cs}/u.test(text)) throw new MysqlValueProblem('the text holds a lone UTF-16 surrogate');
  return text;
}

/** Text as is (LOAD DATA escaping happens later). */
export function encodeString(value: PresentValue): string {
  if (typeof value === 'string') return checkWellFormed(value);
  if (typeof value === 'bigint') return value.toString();
  throw new MysqlValueProblem(`${describe(value)} is not text`);
}

/** Text for CHAR(n): MySQL strips trailing spaces from CHAR values, so such a value would change. */
export function encodeFixedString(value: PresentValue): string {
  const text = encodeString(value);
  if (text.endsWith(' ')) throw new MysqlValueProblem('MySQL CHAR columns drop trailing spaces');
  return text;
}

/** Bytes as hex, loaded with UNHEX(). */
export function encodeBinary(value: PresentValue): string {
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (typeof value === 'string') return Buffer.from(checkWellFormed(value), 'utf8').toString('hex');
  throw new MysqlValueProblem(`${describe(value)} is not binary data`);
}

/** Binary digits, loaded with CONV(…, 2, 10). */
export function encodeBit(value: PresentValue): string {
  if (typeof value === 'string' && /^[01]+$/.test(value)) return value;
  if (typeof value === 'bigint' && value >= 0n) return value.toString(2);
  if (typeof value === 'boolean') return value ? '1' : '0';
  throw new MysqlValueProblem(`${describe(value)} is not a string of binary digits`);
}
