/**
 * Canonical values ↔ PostgreSQL text, the form COPY carries in both directions (before COPY's own
 * escaping). Encoding follows the TARGET column's type (a string bound for a widened bytea column
 * travels as its UTF-8 bytes); decoding follows the column's logical type. Pure: no checks here,
 * the writer decides first whether a value fits (value-losses.ts).
 */
import type { LogicalKind, LogicalType } from '../../schema/logical-type.js';
import { type CanonicalValue, numberToDecimalText, trimFraction } from '../../values/canonical.js';

/** A value that is not SQL NULL. */
export type PresentValue = Exclude<CanonicalValue, null>;

/** PostgreSQL's spelling of a double: `-0`, `NaN`, `Infinity`, `-Infinity` kept (String(-0) is `0`). */
export function floatText(value: number): string {
  if (Object.is(value, -0)) return '-0';
  if (Number.isNaN(value)) return 'NaN';
  return String(value);
}

/** The PostgreSQL text form of any canonical value, for kinds with no spelling of their own. */
export function plainText(value: PresentValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number') return floatText(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return `\\x${value.toString('hex')}`;
}

/** Canonical value → the input text of a column of PostgreSQL logical type `target`. */
export function postgresFieldText(value: PresentValue, target: LogicalType): string {
  switch (target.kind) {
    case 'binary':
      // Text with NUL widened to bytea: its UTF-8 bytes.
      return typeof value === 'string'
        ? `\\x${Buffer.from(value, 'utf8').toString('hex')}`
        : plainText(value);
    case 'integer':
    case 'decimal':
      if (typeof value === 'boolean') return value ? '1' : '0';
      if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) {
        return numberToDecimalText(value);
      }
      return plainText(value);
    default:
      return plainText(value);
  }
}

/** Removes the `+00` a UTC session prints after a timestamptz, keeping a trailing ` BC`. */
function utcInstant(text: string): string {
  const match = /^(.*?)\+00(?::00)?( BC)?$/.exec(text);
  if (!match) return text;
  return `${trimFraction(match[1]!)}${match[2] ?? ''}`;
}

/** Time-like output with trailing fractional zeros removed (a ` BC` suffix kept). */
function trimmedTime(text: string): string {
  return text.endsWith(' BC') ? `${trimFraction(text.slice(0, -3))} BC` : trimFraction(text);
}

type Decoder = (text: string, type: LogicalType) => CanonicalValue;
const asText: Decoder = (text) => text;

/** PostgreSQL output text → canonical value, per logical kind. */
const DECODERS: Record<LogicalKind, Decoder> = {
  integer: (text) => BigInt(text),
  boolean: (text) => text === 't',
  decimal: asText,
  // extra_float_digits = 1 prints the shortest text that reads back to the same float4/float8.
  float: (text, type) =>
    type.kind === 'float' && type.bits === 32 ? Math.fround(Number(text)) : Number(text),
  text: asText,
  binary: (text) => Buffer.from(text.slice(2), 'hex'),
  date: asText,
  time: trimmedTime,
  datetime: trimmedTime,
  timestamptz: utcInstant,
  json: asText,
  enum: asText,
  set: asText,
  uuid: asText,
  bit: asText,
  other: asText,
};

/** The decoder of one column, bound to its type. */
export function postgresDecoder(type: LogicalType): (text: string) => CanonicalValue {
  const decode = DECODERS[type.kind];
  return (text) => decode(text, type);
}
