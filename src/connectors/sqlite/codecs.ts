/**
 * Per logical kind, how a canonical value is bound for a SQLite column (writer) and how a stored
 * value becomes canonical again (reader). SQLite keeps values by storage class and converts them by
 * the column's affinity (https://www.sqlite.org/datatype3.html), so both directions look at it.
 * A value that cannot travel exactly is a SqliteValueProblem naming its loss kind, if any.
 */
import { describeType, type LogicalKind, type LogicalType } from '../../schema/logical-type.js';
import { type CanonicalValue, normalizeDecimal, numberToDecimalText } from '../../values/canonical.js';
import type { LossKind } from '../../values/loss-kinds.js';
import { isSqliteTextBytes } from './text-bytes.js';
import type { SqliteAffinity } from './types.js';
import {
  canonicalDate,
  canonicalDatetime,
  canonicalDecimal,
  canonicalTime,
  canonicalTimestamptz,
  canonicalUuid,
  INT64_MAX,
  INT64_MIN,
  looksNumeric,
  type SqliteStorageClass,
  storageClassOf,
} from './value-text.js';

/** A non-null value as better-sqlite3 returns it with safe integers on. */
export type SqliteStored = bigint | number | string | Buffer;

/** A value bound to a prepared statement. */
export type SqliteParam = null | bigint | number | string | Buffer;

/** What a policy may put in place of a value that does not fit (absent = that action cannot help). */
export interface SqliteFixes {
  substitute?: () => SqliteParam;
  /** The value for a column created wider by `mapFrom` (e.g. text for a type SQLite lacks). */
  widened?: () => SqliteParam;
}

/** A value a column cannot carry exactly; reader and writer add table, column and key. */
export class SqliteValueProblem extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The loss kind a policy can handle; absent = a data error no policy covers. */
    readonly loss?: LossKind,
    readonly fixes: SqliteFixes = {},
  ) {
    super(message);
    this.name = 'SqliteValueProblem';
  }
}

/** The target column of a write: its affinity, and whether it is the value's own native type (same engine). */
export interface SqliteSlot {
  affinity: SqliteAffinity;
  /** The column is declared with the source column's native type: a SQLite → SQLite copy. */
  native: boolean;
}

type TypeOf<K extends LogicalKind> = Extract<LogicalType, { kind: K }>;

/** How one logical kind is written and read in SQLite. */
interface SqliteCodec<K extends LogicalKind> {
  /** Canonical value → bound parameter; throws SqliteValueProblem. */
  encode(value: Exclude<CanonicalValue, null>, type: TypeOf<K>, slot: SqliteSlot): SqliteParam;
  /** Stored value → canonical value; throws SqliteValueProblem when it cannot be exact. */
  decode(value: SqliteStored, type: TypeOf<K>, affinity: SqliteAffinity): CanonicalValue;
  /** Storage classes besides the parameter's own that decode reads back exactly (affinity conversions). */
  reads?: readonly SqliteStorageClass[];
}

function stored(value: SqliteStored): SqliteValueProblem {
  return new SqliteValueProblem('SQLITE_STORAGE_CLASS', `stored as ${storageClassOf(value)}`);
}

function malformed(what: string): SqliteValueProblem {
  return new SqliteValueProblem('VALUE_MALFORMED', `TEXT that is not ${what}`);
}

function expect<T>(ok: boolean, value: unknown, type: LogicalType, jsType: string): T {
  if (!ok) {
    throw new SqliteValueProblem(
      'VALUE_TYPE',
      `is not ${jsType}, as a value of type ${describeType(type)} must be`,
    );
  }
  return value as T;
}

const LONE_SURROGATE = /\p{Cs}/u;

/** A string SQLite stores as it is: a lone surrogate would be written as bytes that read back as U+FFFD. */
function validText(value: unknown, type: LogicalType): string {
  const text = expect<string>(typeof value === 'string', value, type, 'a string');
  if (LONE_SURROGATE.test(text)) {
    throw new SqliteValueProblem(
      'VALUE_INVALID_TEXT',
      'contains an unpaired UTF-16 surrogate',
      'invalid-text',
      {
        substitute: () => text.replace(/\p{Cs}/gu, '\uFFFD'),
      },
    );
  }
  return text;
}

/** PostgreSQL's infinity, BC dates and years past 9999: text SQLite could hold but not read back as a date. */
function isInfiniteDate(text: string): boolean {
  return /^[+-]?infinity$/i.test(text) || / BC$/.test(text) || /^\+?\d{5,}-/.test(text);
}

function infiniteDate(text: string, first: string, last: string): SqliteValueProblem {
  const low = text.startsWith('-') || text.endsWith(' BC');
  return new SqliteValueProblem('VALUE_INFINITE_DATE', 'is not a date of years 0001–9999', 'infinite-date', {
    substitute: () => (low ? first : last),
  });
}

const lastTime = (fsp: number | undefined) => `23:59:59${fsp === 0 ? '' : `.${'9'.repeat(fsp ?? 6)}`}`;

/** A text kind whose stored text is checked by `valid` (so the reader can read it back) and kept verbatim. */
function textCodec<K extends LogicalKind>(
  valid: (text: string, type: TypeOf<K>) => string | undefined,
  what: string,
  limits?: (type: TypeOf<K>) => [string, string],
): SqliteCodec<K> {
  return {
    encode: (value, type) => {
      const text = validText(value, type);
      if (valid(text, type) !== undefined) return text;
      if (limits && isInfiniteDate(text)) throw infiniteDate(text, ...limits(type));
      throw new SqliteValueProblem('VALUE_MALFORMED', `is not ${what}`);
    },
    decode: (value, type) => {
      if (typeof value !== 'string') throw stored(value);
      const result = valid(value, type);
      if (result === undefined) throw malformed(what);
      return result;
    },
  };
}

const anyText = <K extends LogicalKind>() => textCodec<K>((text) => text, 'text');
/** Accepts text `canonical` recognises and returns it unchanged: stored text is not respelled. */
const verbatim = (canonical: (text: string) => string | undefined) => (text: string) =>
  canonical(text) === undefined ? undefined : text;

function integerRange(type: TypeOf<'integer'>): [bigint, bigint] {
  const bits = BigInt(type.bits);
  return type.unsigned ? [0n, 2n ** bits - 1n] : [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n];
}

const SPECIAL_DECIMAL = /^(NaN|Infinity|-Infinity)$/;

/** Decimal text bound so that a NUMERIC/INTEGER/REAL column stores exactly this number, or a problem. */
function decimalParam(text: string, affinity: SqliteAffinity): SqliteParam {
  if (affinity === 'TEXT' || affinity === 'BLOB') return text;
  const normalized = normalizeDecimal(text);
  if (affinity !== 'REAL' && /^-?\d+$/.test(normalized)) {
    const whole = BigInt(normalized);
    if (whole >= INT64_MIN && whole <= INT64_MAX) return whole;
  }
  const double = Number(normalized);
  if (Number.isFinite(double) && normalizeDecimal(numberToDecimalText(double)) === normalized) return double;
  throw new SqliteValueProblem(
    'VALUE_PRECISION',
    `is a decimal that a column of ${affinity} affinity would round to a double`,
    'precision',
    Number.isFinite(double) ? { substitute: () => double } : {},
  );
}

/** The codecs, one per logical kind. */
export const SQLITE_CODECS: { [K in LogicalKind]: SqliteCodec<K> } = {
  integer: {
    encode: (value, type, { affinity }) => {
      const int = expect<bigint>(typeof value === 'bigint', value, type, 'a bigint');
      if (affinity === 'TEXT') return String(int);
      if (int < INT64_MIN || int > INT64_MAX) {
        throw new SqliteValueProblem(
          'VALUE_OUT_OF_RANGE',
          "is beyond SQLite's 64-bit INTEGER (it would be stored as a REAL)",
          'out-of-range',
          { substitute: () => (int < INT64_MIN ? INT64_MIN : INT64_MAX) },
        );
      }
      return int;
    },
    decode: (value, type, affinity) => {
      let int: bigint;
      if (typeof value === 'bigint') int = value;
      else if (typeof value === 'string' && affinity === 'TEXT') {
        if (!/^[+-]?\d+$/.test(value)) throw malformed('an integer literal');
        int = BigInt(value);
      } else throw stored(value);
      const [min, max] = integerRange(type);
      if (int < min || int > max) {
        throw new SqliteValueProblem(
          'VALUE_OUT_OF_RANGE',
          `an INTEGER outside the range of ${describeType(type)}`,
        );
      }
      return int;
    },
  },
  boolean: {
    encode: (value, type) =>
      expect<boolean>(typeof value === 'boolean', value, type, 'a boolean') ? 1n : 0n,
    decode: (value) => {
      if (value === 0n || value === 1n) return value === 1n;
      if (typeof value !== 'bigint') throw stored(value);
      throw new SqliteValueProblem('VALUE_OUT_OF_RANGE', 'an INTEGER other than 0 and 1');
    },
  },
  decimal: {
    encode: (value, type, { affinity }) => {
      const given = expect<string>(typeof value === 'string', value, type, 'decimal text');
      // PostgreSQL numeric's NaN and ±Infinity: no affinity turns these words into numbers.
      if (SPECIAL_DECIMAL.test(given)) return given;
      const text = canonicalDecimal(given);
      if (text === undefined) throw new SqliteValueProblem('VALUE_MALFORMED', 'is not a decimal literal');
      return decimalParam(text, affinity);
    },
    decode: (value) => {
      if (typeof value === 'bigint') return String(value);
      if (typeof value === 'number' && Number.isFinite(value)) return numberToDecimalText(value);
      if (typeof value !== 'string') throw stored(value);
      if (SPECIAL_DECIMAL.test(value)) return value;
      const text = canonicalDecimal(value);
      if (text === undefined) throw malformed('a decimal literal');
      return text;
    },
    reads: ['INTEGER', 'REAL'],
  },
  float: {
    encode: (value, type, { affinity }) => {
      const double = expect<number>(typeof value === 'number', value, type, 'a number');
      if (Number.isNaN(double)) {
        throw new SqliteValueProblem(
          'VALUE_SPECIAL_FLOAT',
          'is NaN, which SQLite stores as NULL',
          'special-float',
          {
            substitute: () => null,
          },
        );
      }
      if (Object.is(double, -0) && affinity !== 'BLOB') {
        throw new SqliteValueProblem(
          'VALUE_SPECIAL_FLOAT',
          `is -0, which a column of ${affinity} affinity stores as 0`,
          'special-float',
          { substitute: () => 0 },
        );
      }
      return double;
    },
    decode: (value) => {
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint' && BigInt(Number(value)) === value) return Number(value);
      if (typeof value === 'bigint') {
        throw new SqliteValueProblem('VALUE_OUT_OF_RANGE', 'an INTEGER that no double represents exactly');
      }
      throw stored(value);
    },
    // NUMERIC and INTEGER affinity store an integral double as INTEGER, which reads back exactly.
    reads: ['INTEGER'],
  },
  text: anyText(),
  binary: {
    encode: (value, type) => expect<Buffer>(Buffer.isBuffer(value), value, type, 'a Buffer'),
    decode: (value) => {
      if (Buffer.isBuffer(value)) return value;
      throw stored(value);
    },
  },
  date: textCodec(canonicalDate, 'a date literal', () => ['0001-01-01', '9999-12-31']),
  time: textCodec(verbatim(canonicalTime), 'a time literal'),
  datetime: textCodec(verbatim(canonicalDatetime), 'a datetime literal', (type) => [
    '0001-01-01 00:00:00',
    `9999-12-31 ${lastTime(type.fsp)}`,
  ]),
  // An instant: text with a zone is read as the UTC instant it names.
  timestamptz: textCodec(canonicalTimestamptz, 'a timestamp literal', (type) => [
    '0001-01-01 00:00:00',
    `9999-12-31 ${lastTime(type.fsp)}`,
  ]),
  json: anyText(),
  enum: anyText(),
  set: anyText(),
  uuid: textCodec(canonicalUuid, 'a UUID'),
  bit: textCodec((text) => (/^[01]*$/.test(text) ? text : undefined), 'a string of 0 and 1 digits'),
  other: {
    encode: (value, type, slot) => {
      if (!slot.native) {
        const text = typeof value === 'string' ? value : undefined;
        throw new SqliteValueProblem(
          'VALUE_NO_TARGET_TYPE',
          `has type ${type.name}, which SQLite has no counterpart for`,
          'no-target-type',
          text === undefined ? {} : { widened: () => validText(text, type) },
        );
      }
      // A SQLite column of its own type: each value keeps its storage class (an INTEGER 5 stays 5).
      if (typeof value === 'string') return validText(value, type);
      if (typeof value === 'number')
        return SQLITE_CODECS.float.encode(value, { kind: 'float', bits: 64 }, slot);
      if (typeof value === 'bigint' || Buffer.isBuffer(value)) return value;
      throw new SqliteValueProblem('VALUE_TYPE', 'is a boolean, which no SQLite storage class holds');
    },
    // Every storage class as it is: bigint, number, string or Buffer (see logicalTypeOfSqlite).
    decode: (value) => value,
  },
};

function codecOf(type: LogicalType): SqliteCodec<LogicalKind> {
  return SQLITE_CODECS[type.kind] as SqliteCodec<LogicalKind>;
}

/** The storage class SQLite gives a bound value in a column of this affinity (datatype3.html §3). */
export function storedClass(value: Exclude<SqliteParam, null>, affinity: SqliteAffinity): SqliteStorageClass {
  const own = storageClassOf(value);
  if (own === 'BLOB' || affinity === 'BLOB') return own;
  if (affinity === 'TEXT') return 'TEXT';
  if (typeof value === 'string') {
    if (!looksNumeric(value)) return 'TEXT';
    return affinity !== 'REAL' && /^\s*[+-]?\d+\s*$/.test(value) ? 'INTEGER' : 'REAL';
  }
  if (affinity === 'REAL') return 'REAL';
  // NUMERIC and INTEGER affinity store a double with an exact 64-bit integer value as INTEGER.
  const integral = typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 2 ** 63;
  return integral ? 'INTEGER' : own;
}

/** Throws a `storage-class` problem when SQLite would store `param` in a class the kind does not read back. */
export function checkStorageClass(
  type: LogicalType,
  affinity: SqliteAffinity,
  param: SqliteParam,
): SqliteParam {
  if (param === null) return param;
  const own = storageClassOf(param);
  const becomes = storedClass(param, affinity);
  if (becomes === own || codecOf(type).reads?.includes(becomes)) return param;
  throw new SqliteValueProblem(
    'VALUE_STORAGE_CLASS',
    `would be stored as ${becomes} instead of ${own} by the column's ${affinity} affinity`,
    'storage-class',
  );
}

/** A canonical value → the parameter to bind; throws SqliteValueProblem when SQLite would change it. */
export function encodeSqliteValue(type: LogicalType, slot: SqliteSlot, value: CanonicalValue): SqliteParam {
  if (value === null) return null;
  if (isSqliteTextBytes(value)) {
    // TEXT a SQLite source could not decode, handed over as its bytes: the writer stores them as
    // TEXT again in a column of the same declared type; elsewhere they are the `invalid-text` loss.
    if (slot.native) return value;
    throw new SqliteValueProblem(
      'VALUE_INVALID_TEXT',
      'is text whose bytes are not valid UTF-8',
      'invalid-text',
      {
        substitute: () => new TextDecoder().decode(value),
      },
    );
  }
  try {
    return checkStorageClass(type, slot.affinity, codecOf(type).encode(value, type as never, slot));
  } catch (error) {
    // A SQLite source hands over values its declared type cannot describe as they were stored
    // (ReadOptions.targetDialect). Bound into a column of the same declared type, the same
    // affinity gives them the same storage class again: keep them exactly.
    if (
      slot.native &&
      error instanceof SqliteValueProblem &&
      error.code === 'VALUE_TYPE' &&
      typeof value !== 'boolean'
    ) {
      return value;
    }
    throw error;
  }
}

/** A stored value → its canonical value; throws SqliteValueProblem when it cannot be exact. */
export function decodeSqliteValue(
  type: LogicalType,
  affinity: SqliteAffinity,
  value: SqliteStored | null,
): CanonicalValue {
  if (value === null) return null;
  return codecOf(type).decode(value, type as never, affinity);
}
