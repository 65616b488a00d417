/**
 * The one MariaDB/MySQL type table: per LogicalType kind, the native DDL for a column coming from
 * another dialect, the reader's SELECT expression and decoder, and the writer's LOAD DATA encoder
 * and SET expression. Below it, the native → logical mapping used by introspection.
 */
import type { LogicalKind, LogicalType } from '../../schema/logical-type.js';
import type { CanonicalValue } from '../../values/canonical.js';
import {
  decodeBinary,
  decodeBit,
  decodeBoolean,
  decodeDecimal,
  decodeFloat,
  decodeInteger,
  decodeOther,
  decodeString,
  decodeTemporal,
  encodeBinary,
  encodeBit,
  encodeBoolean,
  encodeDecimal,
  encodeFixedString,
  encodeFloat,
  encodeInteger,
  encodeString,
  MysqlValueProblem,
  type PresentValue,
} from './codecs.js';
import { parseEnumLabels } from './literals.js';
import { quoteString } from './sql.js';

/** MariaDB or MySQL: one dialect, a few differences (UUID type, JSON storage, catalog columns). */
export type MysqlFlavor = 'mariadb' | 'mysql';

/** What the DDL for a foreign column needs to know about the target and the column's role. */
export interface MysqlDdlTarget {
  flavor: MysqlFlavor;
  /** MariaDB 10.7+ has a native UUID type. */
  hasUuidType: boolean;
  /** The column is part of a key, index or foreign key (so it must be indexable). */
  keyed: boolean;
}

/** The native type chosen for a foreign column, and what it could not carry exactly. */
export interface MysqlNativeChoice {
  sql: string;
  note?: string;
}

/** One row of the type table. */
export interface MysqlTypeRule<T extends LogicalType> {
  /** Native DDL for a column of this logical type coming from another dialect. */
  ddl(type: T, target: MysqlDdlTarget): MysqlNativeChoice;
  /** SELECT expression for the reader, given the quoted column and its native type. */
  select(quoted: string, type: T, nativeType: string): string;
  /** mysql2 wire value (never null) → canonical value. */
  decode(raw: unknown, type: T): CanonicalValue;
  /** Canonical value (never null) → LOAD DATA field text before escaping. */
  encode(value: PresentValue, type: T): string;
  /** SET expression turning the LOAD DATA user variable into the column value, when not direct. */
  load?(variable: string, type: T, nativeType: string): string | undefined;
}

type TypeTable = { [K in LogicalKind]: MysqlTypeRule<Extract<LogicalType, { kind: K }>> };

/** Cross-dialect text keeps the source's byte-wise, case-sensitive comparisons and uniqueness. */
const CROSS_TEXT = 'CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';
/** Longest utf8mb4 VARCHAR InnoDB can index whole (3072 bytes). */
const KEY_TEXT_LENGTH = 768;
const KEY_BINARY_LENGTH = 3072;
/** Longest VARCHAR/VARBINARY declared for a foreign column; longer ones become LONGTEXT/LONGBLOB. */
const MAX_VARCHAR = 16383;
const GEOMETRY_TYPES =
  /^(geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|geometrycollection|geomcollection)\b/i;
const INTEGER_NAMES: Record<number, string> = {
  8: 'tinyint',
  16: 'smallint',
  24: 'mediumint',
  32: 'int',
  64: 'bigint',
};

const direct = (quoted: string) => quoted;

function textDdl(length: number | undefined, fixed: boolean | undefined, keyed: boolean): string {
  if (fixed && length !== undefined && length <= 255) return `char(${length}) ${CROSS_TEXT}`;
  if (keyed && (length === undefined || length > KEY_TEXT_LENGTH))
    return `varchar(${KEY_TEXT_LENGTH}) ${CROSS_TEXT}`;
  if (length !== undefined && length <= MAX_VARCHAR) return `varchar(${length}) ${CROSS_TEXT}`;
  return `longtext ${CROSS_TEXT}`;
}

function fsp(value: number | undefined): string {
  const digits = value === undefined ? 6 : Math.min(Math.max(value, 0), 6);
  return digits === 0 ? '' : `(${digits})`;
}

function fspNote(value: number | undefined): string | undefined {
  return value !== undefined && value > 6
    ? `fractional seconds precision ${value} is more than MySQL's 6`
    : undefined;
}

function labelList(values: string[]): string {
  return values.map(quoteString).join(',');
}

/** The type table. Same-dialect copies use `column.nativeType` instead of `ddl`. */
export const MYSQL_TYPES: TypeTable = {
  integer: {
    ddl: (type) => ({ sql: `${INTEGER_NAMES[type.bits] ?? 'bigint'}${type.unsigned ? ' unsigned' : ''}` }),
    select: direct,
    decode: (raw) => decodeInteger(raw),
    encode: (value) => encodeInteger(value),
  },
  boolean: {
    ddl: () => ({ sql: 'tinyint(1)' }),
    select: direct,
    decode: (raw) => decodeBoolean(raw),
    encode: (value) => encodeBoolean(value),
  },
  decimal: {
    ddl: (type) => {
      if (type.precision === undefined) return { sql: 'decimal(65,30)' };
      const scale = type.scale ?? 0;
      if (type.precision <= 65 && scale <= 30 && scale >= 0)
        return { sql: `decimal(${type.precision},${scale})` };
      return {
        sql: 'decimal(65,30)',
        note: `decimal(${type.precision},${scale}) is wider than MySQL's decimal(65,30); values that do not fit will fail`,
      };
    },
    select: direct,
    decode: (raw) => decodeDecimal(raw),
    encode: (value) => encodeDecimal(value),
  },
  float: {
    ddl: (type) => ({ sql: type.bits === 32 ? 'float' : 'double' }),
    // The text protocol prints FLOAT with 6 digits; as DOUBLE it prints the exact float32 value.
    select: (quoted, type, nativeType) =>
      type.bits === 32 || /^float\b/i.test(nativeType) ? `CAST(${quoted} AS DOUBLE)` : quoted,
    decode: (raw) => decodeFloat(raw),
    encode: (value) => encodeFloat(value),
  },
  text: {
    ddl: (type, target) => ({ sql: textDdl(type.length, type.fixed, target.keyed) }),
    select: direct,
    decode: (raw) => decodeString(raw),
    encode: (value, type) => (type.fixed ? encodeFixedString(value) : encodeString(value)),
  },
  binary: {
    ddl: (type, target) => {
      const length = type.length;
      if (type.fixed && length !== undefined && length <= 255) return { sql: `binary(${length})` };
      if (target.keyed && (length === undefined || length > KEY_BINARY_LENGTH)) {
        return { sql: `varbinary(${KEY_BINARY_LENGTH})` };
      }
      if (length !== undefined && length <= MAX_VARCHAR) return { sql: `varbinary(${length})` };
      return { sql: 'longblob' };
    },
    select: direct,
    decode: (raw) => decodeBinary(raw),
    encode: (value) => encodeBinary(value),
    load: (variable) => `UNHEX(${variable})`,
  },
  date: {
    ddl: () => ({ sql: 'date' }),
    select: direct,
    decode: (raw) => decodeTemporal(raw),
    encode: (value) => encodeString(value),
  },
  time: {
    ddl: (type) => ({ sql: `time${fsp(type.fsp)}`, note: fspNote(type.fsp) }),
    select: direct,
    decode: (raw) => decodeTemporal(raw),
    encode: (value) => encodeString(value),
  },
  datetime: {
    ddl: (type) => ({ sql: `datetime${fsp(type.fsp)}`, note: fspNote(type.fsp) }),
    select: direct,
    decode: (raw) => decodeTemporal(raw),
    encode: (value) => encodeString(value),
  },
  timestamptz: {
    // MySQL TIMESTAMP holds an instant (stored in UTC; sessions are pinned to +00:00).
    ddl: (type) => ({ sql: `timestamp${fsp(type.fsp)}`, note: fspNote(type.fsp) }),
    select: direct,
    decode: (raw) => decodeTemporal(raw),
    encode: (value) => encodeString(value),
  },
  json: {
    ddl: () => ({ sql: 'json' }),
    select: direct,
    decode: (raw) => decodeString(raw),
    encode: (value) => encodeString(value),
  },
  enum: {
    ddl: (type) => ({ sql: `enum(${labelList(type.values)}) ${CROSS_TEXT}` }),
    select: direct,
    decode: (raw, type) => {
      const label = decodeString(raw);
      if (!type.values.includes(label)) {
        throw new MysqlValueProblem(
          'the stored value is not one of the ENUM labels (an invalid value saved as "")',
        );
      }
      return label;
    },
    encode: (value) => encodeString(value),
  },
  set: {
    ddl: (type) => ({ sql: `set(${labelList(type.values)}) ${CROSS_TEXT}` }),
    select: direct,
    decode: (raw) => decodeString(raw),
    encode: (value) => encodeString(value),
  },
  uuid: {
    ddl: (_type, target) => ({
      sql: target.hasUuidType ? 'uuid' : 'char(36) CHARACTER SET ascii COLLATE ascii_bin',
    }),
    select: direct,
    decode: (raw) => decodeString(raw),
    encode: (value) => encodeString(value),
  },
  bit: {
    ddl: (type, target) => {
      if (!type.varying && type.length >= 1 && type.length <= 64) return { sql: `bit(${type.length})` };
      // MySQL BIT is fixed-width: variable or longer bit strings keep their digits as ASCII text.
      const text = target.keyed
        ? 'varchar(3072)'
        : type.length <= MAX_VARCHAR
          ? `varchar(${type.length})`
          : 'longtext';
      return {
        sql: `${text} CHARACTER SET ascii COLLATE ascii_bin`,
        note: 'bit string stored as text of 0/1 digits',
      };
    },
    select: direct,
    decode: (raw, type) => decodeBit(raw, type.length),
    encode: (value) => encodeBit(value),
    load: (variable, _type, nativeType) =>
      /^bit\b/i.test(nativeType) ? `CAST(CONV(${variable}, 2, 10) AS UNSIGNED)` : undefined,
  },
  other: {
    ddl: (_type, target) => ({ sql: textDdl(undefined, false, target.keyed) }),
    // Spatial values travel as WKT (the SRID is not carried).
    select: (quoted, _type, nativeType) =>
      GEOMETRY_TYPES.test(nativeType) ? `ST_AsText(${quoted})` : quoted,
    decode: (raw) => decodeOther(raw),
    encode: (value) => encodeString(value),
    load: (variable, _type, nativeType) =>
      GEOMETRY_TYPES.test(nativeType) ? `ST_GeomFromText(${variable})` : undefined,
  },
};

/** The type table's row for a logical type (the mapped type makes the call sites generic). */
export function typeRule(type: LogicalType): MysqlTypeRule<LogicalType> {
  return MYSQL_TYPES[type.kind] as unknown as MysqlTypeRule<LogicalType>;
}

/** Catalog facts about a column that decide its logical type. */
export interface MysqlColumnFacts {
  dataType: string;
  columnType: string;
  characterMaximumLength: number | null;
  numericPrecision: number | null;
  numericScale: number | null;
  datetimePrecision: number | null;
  /** MariaDB: LONGTEXT with a `json_valid(col)` CHECK (MariaDB's JSON). */
  isJson: boolean;
}

const TEXT_TYPES = new Set(['tinytext', 'text', 'mediumtext', 'longtext']);
const BLOB_TYPES = new Set(['tinyblob', 'blob', 'mediumblob', 'longblob']);
const INTEGER_BITS: Record<string, 8 | 16 | 24 | 32 | 64> = {
  tinyint: 8,
  smallint: 16,
  mediumint: 24,
  int: 32,
  integer: 32,
  bigint: 64,
};

/** Native MariaDB/MySQL column → LogicalType (TINYINT(1) stays an integer; YEAR is a 16-bit integer). */
export function logicalTypeOf(facts: MysqlColumnFacts): LogicalType {
  const dataType = facts.dataType.toLowerCase();
  const bits = INTEGER_BITS[dataType];
  if (bits !== undefined) return { kind: 'integer', bits, unsigned: /\bunsigned\b/i.test(facts.columnType) };
  const length = facts.characterMaximumLength ?? undefined;
  const precision = facts.datetimePrecision ?? undefined;
  if (TEXT_TYPES.has(dataType)) return facts.isJson ? { kind: 'json' } : { kind: 'text' };
  if (BLOB_TYPES.has(dataType)) return { kind: 'binary' };
  switch (dataType) {
    case 'year':
      return { kind: 'integer', bits: 16, unsigned: false };
    case 'decimal':
    case 'numeric':
    case 'fixed':
      return {
        kind: 'decimal',
        precision: facts.numericPrecision ?? undefined,
        scale: facts.numericScale ?? 0,
      };
    case 'float':
      return { kind: 'float', bits: 32 };
    case 'double':
    case 'real':
    case 'double precision':
      return { kind: 'float', bits: 64 };
    case 'char':
      return { kind: 'text', length, fixed: true };
    case 'varchar':
      return { kind: 'text', length };
    case 'binary':
      return { kind: 'binary', length, fixed: true };
    case 'varbinary':
      return { kind: 'binary', length };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time', fsp: precision };
    case 'datetime':
      return { kind: 'datetime', fsp: precision };
    case 'timestamp':
      return { kind: 'timestamptz', fsp: precision };
    case 'json':
      return { kind: 'json' };
    case 'enum':
      return { kind: 'enum', values: parseEnumLabels(facts.columnType) };
    case 'set':
      return { kind: 'set', values: parseEnumLabels(facts.columnType) };
    case 'uuid':
      return { kind: 'uuid' };
    case 'bit':
      return { kind: 'bit', length: facts.numericPrecision ?? 1 };
    default:
      return { kind: 'other', name: dataType };
  }
}

/** Whether a native type only exists on MariaDB (a MySQL target gets the cross-dialect type instead). */
export function isMariadbOnlyType(nativeType: string): boolean {
  return /^(uuid|inet4|inet6)\b/i.test(nativeType);
}
