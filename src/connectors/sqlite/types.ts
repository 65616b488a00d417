/**
 * The one SQLite type table: declared type → LogicalType (introspection), LogicalType → declared
 * type (DDL for columns from another dialect), and per kind the value encoder (writer) and decoder
 * (reader). SQLite keeps values by storage class and converts them by the column's affinity
 * (https://www.sqlite.org/datatype3.html), so both directions look at the affinity.
 */
import { describeType, type LogicalKind, type LogicalType } from '../../schema/logical-type.js';
import { type CanonicalValue, normalizeDecimal, numberToDecimalText } from '../../values/canonical.js';
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
  storageClassOf,
} from './value-text.js';

/** SQLite's five column affinities. */
export type SqliteAffinity = 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC';

/** A non-null value as better-sqlite3 returns it with safe integers on. */
export type SqliteStored = bigint | number | string | Buffer;

/** A value bound to a prepared statement. */
export type SqliteParam = null | bigint | number | string | Buffer;

/** A value a column cannot carry exactly; reader and writer add table, column and key. */
export class SqliteValueProblem extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SqliteValueProblem';
  }
}

/** The affinity SQLite derives from a declared type (datatype3.html §3.1, rules in order). */
export function sqliteAffinity(declared: string): SqliteAffinity {
  const upper = declared.toUpperCase();
  if (upper.includes('INT')) return 'INTEGER';
  if (upper.includes('CHAR') || upper.includes('CLOB') || upper.includes('TEXT')) return 'TEXT';
  if (upper.includes('BLOB') || upper.trim() === '') return 'BLOB';
  if (upper.includes('REAL') || upper.includes('FLOA') || upper.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

const INTEGER_BITS: Record<string, 8 | 16 | 24 | 32 | 64> = {
  TINYINT: 8,
  INT1: 8,
  SMALLINT: 16,
  INT2: 16,
  MEDIUMINT: 24,
  INT3: 24,
  INT: 32,
  INT4: 32,
};

/**
 * The logical type of a declared type. Integer widths follow the usual names (SQLite's INTEGER
 * holds 64 bits); names SQLite gives TEXT affinity on purpose (`UNSIGNED BIG TEXT`,
 * `DECIMAL TEXT(p,s)`, `JSON TEXT`, `UUID TEXT`) keep their meaning.
 */
export function logicalTypeOfSqlite(declared: string): LogicalType {
  const upper = declared.toUpperCase().trim();
  if (upper === '') return { kind: 'other', name: '' };
  const params = /\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(upper);
  const first = params ? Number(params[1]) : undefined;
  const second = params?.[2] === undefined ? undefined : Number(params[2]);
  const words = upper
    .replace(/\([^)]*\)/g, ' ')
    .split(/[^A-Z0-9_]+/)
    .filter(Boolean);
  const has = (...names: string[]) => names.some((name) => words.includes(name));
  const unsigned = has('UNSIGNED');
  if (upper.includes('INT')) {
    // INTEGER, BIGINT, INT8, UNSIGNED BIG INT and any other name with INT in it: 64 bits.
    const named = has('BIG')
      ? 64
      : words.map((word) => INTEGER_BITS[word]).find((bits) => bits !== undefined);
    return { kind: 'integer', bits: named ?? 64, unsigned };
  }
  if (unsigned && has('BIG')) return { kind: 'integer', bits: 64, unsigned: true };
  if (has('JSON', 'JSONB')) return { kind: 'json' };
  if (has('UUID')) return { kind: 'uuid' };
  if (has('DECIMAL', 'NUMERIC', 'DEC')) {
    return first === undefined
      ? { kind: 'decimal' }
      : { kind: 'decimal', precision: first, scale: second ?? 0 };
  }
  if (has('BOOLEAN', 'BOOL')) return { kind: 'boolean' };
  // SQLite keeps whatever digits the text has: without a declared precision, assume microseconds.
  const fsp = { fsp: first ?? 6 };
  if (has('TIMESTAMPTZ') || (has('TIMESTAMP') && has('ZONE') && !has('WITHOUT'))) {
    return { kind: 'timestamptz', ...fsp };
  }
  if (has('DATETIME', 'TIMESTAMP')) return { kind: 'datetime', ...fsp };
  if (has('DATE')) return { kind: 'date' };
  if (has('TIME')) return { kind: 'time', ...fsp };
  if (has('BIT')) return { kind: 'bit', length: first ?? 1, ...(has('VARYING') ? { varying: true } : {}) };
  const affinity = sqliteAffinity(upper);
  // SQLite never pads CHAR(n) nor cuts at n, so no `fixed`: the values are what was stored.
  if (affinity === 'TEXT') return first === undefined ? { kind: 'text' } : { kind: 'text', length: first };
  if (affinity === 'REAL') return { kind: 'float', bits: 64 };
  if (affinity === 'BLOB') return { kind: 'binary' };
  if (has('BINARY', 'VARBINARY'))
    return first === undefined ? { kind: 'binary' } : { kind: 'binary', length: first };
  return { kind: 'other', name: declared.trim() };
}

type TypeOf<K extends LogicalKind> = Extract<LogicalType, { kind: K }>;

/** How one logical kind is declared, written and read in SQLite. */
interface SqliteTypeEntry<K extends LogicalKind> {
  /** The declared type for a column that comes from another dialect. */
  declare(type: TypeOf<K>): string;
  /** Canonical value → bound parameter for a column of `affinity`. */
  encode(value: CanonicalValue, type: TypeOf<K>, affinity: SqliteAffinity): SqliteParam;
  /** Stored value → canonical value; throws SqliteValueProblem when it cannot be exact. */
  decode(value: SqliteStored, type: TypeOf<K>, affinity: SqliteAffinity): CanonicalValue;
  /** The bound value may change storage class on purpose (the source had the same affinity). */
  convertible?: boolean;
}

function storedProblem(value: SqliteStored, type: LogicalType): SqliteValueProblem {
  return new SqliteValueProblem(
    'SQLITE_STORAGE_CLASS',
    `holds a ${storageClassOf(value)} value, which a column of type ${describeType(type)} cannot describe exactly`,
  );
}

function expect<T>(ok: boolean, value: T, type: LogicalType, jsType: string): T {
  if (!ok)
    throw new SqliteValueProblem(
      'VALUE_TYPE',
      `is not ${jsType}, as a value of type ${describeType(type)} must be`,
    );
  return value;
}

function textDecoder<K extends LogicalKind>(canonical: (text: string) => string | undefined) {
  return (value: SqliteStored, type: TypeOf<K>): CanonicalValue => {
    if (typeof value !== 'string') throw storedProblem(value, type);
    const result = canonical(value);
    if (result === undefined) {
      throw new SqliteValueProblem(
        'VALUE_MALFORMED',
        `holds text that is not a ${describeType(type)} literal`,
      );
    }
    return result;
  };
}

function textEntry<K extends LogicalKind>(
  declare: (type: TypeOf<K>) => string,
  canonical: (text: string) => string | undefined = (text) => text,
): SqliteTypeEntry<K> {
  return {
    declare,
    encode: (value, type) => expect(typeof value === 'string', value as string, type, 'a string'),
    decode: textDecoder<K>(canonical),
  };
}

/** A validator that accepts text in the form `canonical` recognises and returns it unchanged. */
function keepIfValid(canonical: (text: string) => string | undefined) {
  return (text: string): string | undefined => (canonical(text) === undefined ? undefined : text);
}

function integerRange(type: TypeOf<'integer'>): [bigint, bigint] {
  const bits = BigInt(type.bits);
  return type.unsigned ? [0n, 2n ** bits - 1n] : [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n];
}

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
    'VALUE_WOULD_CHANGE',
    `is a decimal that SQLite would round to a double in a column of ${affinity} affinity; declare the column DECIMAL TEXT(p,s) to keep it exact`,
  );
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The SQLite type table, one entry per logical kind. */
export const SQLITE_TYPES: { [K in LogicalKind]: SqliteTypeEntry<K> } = {
  integer: {
    declare: (type) => {
      if (type.bits === 64 && type.unsigned) return 'UNSIGNED BIG TEXT';
      const name = { 8: 'TINYINT', 16: 'SMALLINT', 24: 'MEDIUMINT', 32: 'INT', 64: 'BIGINT' }[type.bits];
      return type.unsigned ? `${name} UNSIGNED` : name;
    },
    encode: (value, type, affinity) => {
      const int = expect(typeof value === 'bigint', value as bigint, type, 'a bigint');
      if (affinity === 'TEXT') return String(int);
      if (int < INT64_MIN || int > INT64_MAX) {
        throw new SqliteValueProblem(
          'VALUE_OUT_OF_RANGE',
          `is beyond SQLite's 64-bit INTEGER range and would be stored as a REAL; declare the column UNSIGNED BIG TEXT`,
        );
      }
      return int;
    },
    decode: (value, type, affinity) => {
      const [min, max] = integerRange(type);
      let int: bigint;
      if (typeof value === 'bigint') int = value;
      else if (typeof value === 'string' && affinity === 'TEXT' && /^[+-]?\d+$/.test(value))
        int = BigInt(value);
      else if (typeof value === 'string' && affinity === 'TEXT') {
        throw new SqliteValueProblem('VALUE_MALFORMED', 'holds text that is not an integer literal');
      } else throw storedProblem(value, type);
      if (int < min || int > max) {
        throw new SqliteValueProblem(
          'VALUE_OUT_OF_RANGE',
          `holds a value outside the range of ${describeType(type)}`,
        );
      }
      return int;
    },
  },
  boolean: {
    declare: () => 'BOOLEAN',
    encode: (value, type) => (expect(typeof value === 'boolean', value, type, 'a boolean') ? 1n : 0n),
    decode: (value, type) => {
      if (value === 0n || value === 1n) return value === 1n;
      if (typeof value !== 'bigint') throw storedProblem(value, type);
      throw new SqliteValueProblem(
        'VALUE_OUT_OF_RANGE',
        'holds an INTEGER other than 0 and 1 in a boolean column',
      );
    },
  },
  decimal: {
    declare: (type) =>
      type.precision === undefined ? 'DECIMAL TEXT' : `DECIMAL TEXT(${type.precision},${type.scale ?? 0})`,
    encode: (value, type, affinity) => {
      const text = canonicalDecimal(expect(typeof value === 'string', value as string, type, 'decimal text'));
      if (text === undefined) throw new SqliteValueProblem('VALUE_MALFORMED', 'is not a decimal literal');
      return decimalParam(text, affinity);
    },
    decode: (value, type) => {
      if (typeof value === 'bigint') return String(value);
      if (typeof value === 'number' && Number.isFinite(value)) return numberToDecimalText(value);
      if (typeof value !== 'string') throw storedProblem(value, type);
      const text = canonicalDecimal(value);
      if (text === undefined)
        throw new SqliteValueProblem('VALUE_MALFORMED', 'holds text that is not a decimal literal');
      return text;
    },
    convertible: true,
  },
  float: {
    declare: (type) => (type.bits === 32 ? 'FLOAT' : 'DOUBLE'),
    encode: (value, type) => {
      const double = expect(typeof value === 'number', value as number, type, 'a number');
      if (Number.isNaN(double))
        throw new SqliteValueProblem('VALUE_WOULD_CHANGE', 'is NaN, which SQLite stores as NULL');
      if (Object.is(double, -0))
        throw new SqliteValueProblem('VALUE_WOULD_CHANGE', 'is -0, which SQLite stores as 0');
      return double;
    },
    decode: (value, type) => {
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint' && BigInt(Number(value)) === value) return Number(value);
      if (typeof value === 'bigint') {
        throw new SqliteValueProblem(
          'VALUE_OUT_OF_RANGE',
          'holds an INTEGER that no double represents exactly',
        );
      }
      throw storedProblem(value, type);
    },
  },
  text: textEntry((type) => {
    if (type.length === undefined) return 'TEXT';
    return type.fixed ? `CHAR(${type.length})` : `VARCHAR(${type.length})`;
  }),
  binary: {
    declare: () => 'BLOB',
    encode: (value, type) => expect(Buffer.isBuffer(value), value as Buffer, type, 'a Buffer'),
    decode: (value, type) => {
      if (Buffer.isBuffer(value)) return value;
      throw storedProblem(value, type);
    },
  },
  date: textEntry(() => 'DATE', canonicalDate),
  // Stored text is kept as it is (a same-engine copy must not respell it); only its form is checked.
  time: textEntry((type) => (type.fsp ? `TIME(${type.fsp})` : 'TIME'), keepIfValid(canonicalTime)),
  datetime: textEntry(
    (type) => (type.fsp ? `DATETIME(${type.fsp})` : 'DATETIME'),
    keepIfValid(canonicalDatetime),
  ),
  timestamptz: textEntry(
    (type) => (type.fsp ? `TIMESTAMPTZ(${type.fsp})` : 'TIMESTAMPTZ'),
    canonicalTimestamptz,
  ),
  json: textEntry(() => 'JSON TEXT'),
  enum: textEntry(() => 'TEXT'),
  set: textEntry(() => 'TEXT'),
  uuid: textEntry(() => 'UUID TEXT', canonicalUuid),
  bit: textEntry(
    (type) => `BIT${type.varying ? ' VARYING' : ''} TEXT(${type.length})`,
    (text) => (/^[01]*$/.test(text) ? text : undefined),
  ),
  other: {
    declare: () => 'TEXT',
    encode: (value, type) => expect(typeof value === 'string', value as string, type, 'a string'),
    decode: (value, type) => {
      if (typeof value === 'string') return value;
      if (typeof value === 'bigint') return String(value);
      if (typeof value === 'number') return String(value);
      throw storedProblem(value, type);
    },
    convertible: true,
  },
};

function entryOf(type: LogicalType): SqliteTypeEntry<LogicalKind> {
  return SQLITE_TYPES[type.kind] as SqliteTypeEntry<LogicalKind>;
}

/** The declared type for a column of another dialect (an enum also gets a CHECK, see ddl.ts). */
export function declareSqliteType(type: LogicalType): string {
  return entryOf(type).declare(type as never);
}

/** Whether SQLite keeps a bound value's storage class in a column of this affinity. */
function keepsStorageClass(value: SqliteParam, affinity: SqliteAffinity): boolean {
  if (value === null || Buffer.isBuffer(value) || affinity === 'BLOB') return true;
  if (affinity === 'TEXT') return typeof value === 'string';
  if (typeof value === 'string') return !looksNumeric(value);
  return affinity !== 'REAL' || typeof value === 'number';
}

/** A canonical value → the parameter to bind; throws SqliteValueProblem when SQLite would change it. */
export function encodeSqliteValue(
  type: LogicalType,
  affinity: SqliteAffinity,
  value: CanonicalValue,
): SqliteParam {
  if (value === null) return null;
  const entry = entryOf(type);
  const param = entry.encode(value, type as never, affinity);
  if (!entry.convertible && !keepsStorageClass(param, affinity)) {
    throw new SqliteValueProblem(
      'VALUE_WOULD_CHANGE',
      `would be converted by the column's ${affinity} affinity (SQLite would store a different storage class)`,
    );
  }
  return param;
}

/** A stored value → its canonical value; throws SqliteValueProblem when it cannot be exact. */
export function decodeSqliteValue(
  type: LogicalType,
  affinity: SqliteAffinity,
  value: SqliteStored | null,
): CanonicalValue {
  if (value === null) return null;
  return entryOf(type).decode(value, type as never, affinity);
}

/** An enum's CHECK clause for a column of another dialect. */
export function enumCheckSql(column: string, values: string[]): string {
  return `CHECK (${column} IN (${values.map(quote).join(', ')}))`;
}
