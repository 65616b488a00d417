/**
 * The one PostgreSQL type table: per LogicalType kind, the DDL type for a column coming from
 * another dialect, the encoder (canonical → PostgreSQL text input) and the decoder (PostgreSQL
 * text output → canonical); plus the catalog → LogicalType mapping used by introspection.
 */
import type { LogicalKind, LogicalType } from '../../schema/logical-type.js';
import { type CanonicalValue, numberToDecimalText, trimFraction } from '../../values/canonical.js';
import type { ColumnRow } from './sql.js';

/** A value PostgreSQL would change or refuse; the writer adds table, column and key to the reason. */
export class PostgresEncodeProblem extends Error {}

type TypeOf<K extends LogicalKind> = Extract<LogicalType, { kind: K }>;

/** A value that is not SQL NULL. */
export type PresentValue = Exclude<CanonicalValue, null>;

/** How one logical kind lives in PostgreSQL. */
export interface PostgresTypeEntry<K extends LogicalKind> {
  /** The native type for a column of this kind coming from another dialect. */
  ddl(type: TypeOf<K>): string;
  /** Canonical value → PostgreSQL input text (before COPY escaping). Throws PostgresEncodeProblem. */
  encode(value: PresentValue, type: TypeOf<K>): string;
  /** PostgreSQL output text (after COPY unescaping) → canonical value. */
  decode(text: string, type: TypeOf<K>): CanonicalValue;
}

/** PostgreSQL's spelling of a double: `-0`, `NaN`, `Infinity`, `-Infinity` kept (String(-0) is `0`). */
export function floatText(value: number): string {
  if (Object.is(value, -0)) return '-0';
  if (Number.isNaN(value)) return 'NaN';
  return String(value);
}

/** The PostgreSQL text form of any canonical value, for kinds with no checks of their own. */
export function plainText(value: PresentValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number') return floatText(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return `\\x${value.toString('hex')}`;
}

const LONE_SURROGATE = /\p{Cs}/u;

/** Text PostgreSQL can store unchanged: no NUL, valid Unicode, at most `length` characters. */
function checkedText(value: PresentValue, length?: number): string {
  const text = plainText(value);
  if (text.includes('\u0000')) {
    throw new PostgresEncodeProblem('contains a NUL character (U+0000), which PostgreSQL text cannot hold');
  }
  if (LONE_SURROGATE.test(text)) {
    throw new PostgresEncodeProblem('contains an unpaired UTF-16 surrogate, which is not valid Unicode');
  }
  // PostgreSQL silently cuts an over-long value whose excess is spaces; refuse instead.
  if (length !== undefined && text.length > length && [...text].length > length) {
    throw new PostgresEncodeProblem(`is longer than the column's ${length} characters`);
  }
  return text;
}

/** Fractional seconds beyond the column's precision would be rounded by PostgreSQL; refuse. */
function checkedTime(value: PresentValue, fsp: number | undefined): string {
  const text = checkedText(value);
  if (fsp === undefined) return text;
  const fraction = /\.(\d+)/.exec(text)?.[1];
  if (fraction !== undefined && fraction.replace(/0+$/, '').length > fsp) {
    throw new PostgresEncodeProblem(`has more fractional-second digits than the column's precision ${fsp}`);
  }
  return text;
}

/** Decimal text; digits past the column's scale would be rounded by PostgreSQL, so they are refused. */
function checkedDecimal(value: PresentValue, scale: number | undefined): string {
  const text =
    typeof value === 'number' && Number.isFinite(value) ? numberToDecimalText(value) : plainText(value);
  if (scale === undefined) return text;
  const fraction = /^[+-]?\d*\.(\d+)$/.exec(text)?.[1];
  if (fraction !== undefined && fraction.replace(/0+$/, '').length > Math.max(scale, 0)) {
    throw new PostgresEncodeProblem(`has more decimal places than the column's scale ${scale}`);
  }
  return text;
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

const asText = (text: string): CanonicalValue => text;
const withPrecision = (name: string, fsp: number | undefined) =>
  fsp === undefined ? name : `${name}(${fsp})`;

/** The type table, one entry per logical kind. */
export const POSTGRES_TYPES: { [K in LogicalKind]: PostgresTypeEntry<K> } = {
  integer: {
    ddl: ({ bits, unsigned }) => {
      if (bits <= 8 || (bits === 16 && !unsigned)) return 'smallint';
      if (bits <= 24 || (bits === 32 && !unsigned)) return 'integer';
      return bits === 64 && unsigned ? 'numeric(20,0)' : 'bigint';
    },
    encode: (value) => (typeof value === 'boolean' ? (value ? '1' : '0') : plainText(value)),
    decode: (text) => BigInt(text),
  },
  boolean: {
    ddl: () => 'boolean',
    encode: plainText,
    decode: (text) => text === 't',
  },
  decimal: {
    ddl: ({ precision, scale }) =>
      precision === undefined ? 'numeric' : `numeric(${precision},${scale ?? 0})`,
    encode: (value, { scale }) => checkedDecimal(value, scale),
    decode: asText,
  },
  float: {
    ddl: ({ bits }) => (bits === 32 ? 'real' : 'double precision'),
    encode: (value, { bits }) => {
      if (typeof value !== 'number') return plainText(value);
      if (bits === 32 && !Object.is(Math.fround(value), value) && !Number.isNaN(value)) {
        throw new PostgresEncodeProblem('needs double precision but the column is real (single precision)');
      }
      return floatText(value);
    },
    decode: (text, { bits }) => (bits === 32 ? Math.fround(Number(text)) : Number(text)),
  },
  text: {
    // PostgreSQL's char(n) pads with spaces where MySQL's strips them: varchar keeps the value.
    ddl: ({ length }) => (length === undefined || length > 10485760 ? 'text' : `varchar(${length})`),
    encode: (value, { length }) => checkedText(value, length),
    decode: asText,
  },
  binary: {
    ddl: () => 'bytea',
    encode: plainText,
    decode: (text) => Buffer.from(text.slice(2), 'hex'),
  },
  date: {
    ddl: () => 'date',
    encode: (value) => checkedText(value),
    decode: asText,
  },
  time: {
    ddl: ({ fsp }) => withPrecision('time', fsp),
    encode: (value, { fsp }) => checkedTime(value, fsp),
    decode: trimmedTime,
  },
  datetime: {
    ddl: ({ fsp }) => withPrecision('timestamp', fsp),
    encode: (value, { fsp }) => checkedTime(value, fsp),
    decode: trimmedTime,
  },
  timestamptz: {
    ddl: ({ fsp }) => withPrecision('timestamptz', fsp),
    // The session's TimeZone is UTC, so the canonical UTC text needs no offset.
    encode: (value, { fsp }) => checkedTime(value, fsp),
    decode: utcInstant,
  },
  json: {
    ddl: () => 'json',
    encode: (value) => checkedText(value),
    decode: asText,
  },
  enum: {
    ddl: () => 'text',
    encode: (value) => checkedText(value),
    decode: asText,
  },
  set: {
    ddl: () => 'text',
    encode: (value) => checkedText(value),
    decode: asText,
  },
  uuid: {
    ddl: () => 'uuid',
    encode: (value) => checkedText(value),
    decode: asText,
  },
  bit: {
    ddl: ({ length, varying }) => (varying ? `bit varying(${length})` : `bit(${length})`),
    encode: (value) => checkedText(value),
    decode: asText,
  },
  other: {
    ddl: () => 'text',
    encode: (value) => checkedText(value),
    decode: asText,
  },
};

function entryFor<K extends LogicalKind>(type: TypeOf<K>): PostgresTypeEntry<K> {
  return POSTGRES_TYPES[type.kind as K];
}

/** The native type for a column of `type` coming from another dialect. */
export function postgresDdlType(type: LogicalType): string {
  return entryFor(type).ddl(type);
}

/** The encoder of one column, bound to its type. */
export function postgresEncoder(type: LogicalType): (value: PresentValue) => string {
  const entry = entryFor(type);
  return (value) => entry.encode(value, type);
}

/** The decoder of one column, bound to its type. */
export function postgresDecoder(type: LogicalType): (text: string) => CanonicalValue {
  const entry = entryFor(type);
  return (text) => entry.decode(text, type);
}

/** numeric's typmod packs precision and an 11-bit signed scale after a 4-byte header. */
function numericType(typmod: number): LogicalType {
  if (typmod < 4) return { kind: 'decimal' };
  const packed = typmod - 4;
  const rawScale = packed & 0x7ff;
  return {
    kind: 'decimal',
    precision: (packed >> 16) & 0xffff,
    scale: rawScale > 1023 ? rawScale - 2048 : rawScale,
  };
}

const timePrecision = (typmod: number) => (typmod < 0 ? 6 : typmod);

/** The LogicalType of a catalog column (domains already resolved to their base type). */
export function logicalTypeOf(
  column: Pick<
    ColumnRow,
    'type_name' | 'type_type' | 'type_category' | 'typmod' | 'enum_labels' | 'native_type'
  >,
): LogicalType {
  const { typmod } = column;
  if (column.type_type === 'e') return { kind: 'enum', values: column.enum_labels ?? [] };
  if (column.type_category === 'A') return { kind: 'other', name: column.native_type };
  switch (column.type_name) {
    case 'int2':
      return { kind: 'integer', bits: 16, unsigned: false };
    case 'int4':
      return { kind: 'integer', bits: 32, unsigned: false };
    case 'int8':
      return { kind: 'integer', bits: 64, unsigned: false };
    case 'bool':
      return { kind: 'boolean' };
    case 'numeric':
      return numericType(typmod);
    case 'float4':
      return { kind: 'float', bits: 32 };
    case 'float8':
      return { kind: 'float', bits: 64 };
    case 'varchar':
      return typmod < 4 ? { kind: 'text' } : { kind: 'text', length: typmod - 4 };
    case 'bpchar':
      return typmod < 4 ? { kind: 'text' } : { kind: 'text', length: typmod - 4, fixed: true };
    case 'text':
    case 'name':
      return { kind: 'text' };
    case 'bytea':
      return { kind: 'binary' };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time', fsp: timePrecision(typmod) };
    case 'timestamp':
      return { kind: 'datetime', fsp: timePrecision(typmod) };
    case 'timestamptz':
      return { kind: 'timestamptz', fsp: timePrecision(typmod) };
    case 'json':
      return { kind: 'json' };
    case 'jsonb':
      return { kind: 'json', binary: true };
    case 'uuid':
      return { kind: 'uuid' };
    case 'bit':
      return { kind: 'bit', length: typmod < 0 ? 1 : typmod };
    case 'varbit':
      // Unbounded bit varying has no neutral length: carried as its text.
      return typmod < 0
        ? { kind: 'other', name: column.native_type }
        : { kind: 'bit', length: typmod, varying: true };
    default:
      return { kind: 'other', name: column.native_type };
  }
}
