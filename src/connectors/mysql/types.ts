/**
 * MariaDB/MySQL types: MYSQL_TYPE_SYSTEM (catalog and cross-dialect mapping, from catalog.ts and
 * mapping.ts), the type table with the reader's SELECT expression and decoder and the writer's
 * LOAD DATA encoder and SET expression per LogicalType kind, and the native → logical mapping.
 */
import type { LogicalKind, LogicalType } from '../../schema/logical-type.js';
import type { TypeSystem } from '../../schema/type-system.js';
import type { CanonicalValue } from '../../values/canonical.js';
import { MYSQL_CATALOG } from './catalog.js';
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
import { mysqlMapping } from './mapping.js';

export type { MysqlFlavor } from './mapping.js';

/** One row of the type table (the DDL of a foreign column is in mapping.ts). */
export interface MysqlTypeRule<T extends LogicalType> {
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

const GEOMETRY_TYPES =
  /^(geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|geometrycollection|geomcollection)\b/i;

const direct = (quoted: string) => quoted;

/** The type table: how each kind is read and loaded. */
export const MYSQL_TYPES: TypeTable = {
  integer: {
    select: direct,
    decode: (raw) => decodeInteger(raw),
    encode: (value) => encodeInteger(value),
    // YEAR reads the string '0' as 2000; as a number 0 stays the year 0000.
    load: (variable, _type, nativeType) => (/^year\b/i.test(nativeType) ? `${variable} + 0` : undefined),
  },
  boolean: {
    select: direct,
    decode: (raw) => decodeBoolean(raw),
    encode: (value) => encodeBoolean(value),
  },
  decimal: {
    select: direct,
    decode: (raw) => decodeDecimal(raw),
    encode: (value) => encodeDecimal(value),
  },
  float: {
    // The text protocol prints FLOAT with 6 digits; as DOUBLE it prints the exact float32 value.
    select: (quoted, type, nativeType) =>
      type.bits === 32 || /^float\b/i.test(nativeType) ? `CAST(${quoted} AS DOUBLE)` : quoted,
    decode: (raw) => decodeFloat(raw),
    encode: (value) => encodeFloat(value),
  },
  text: {
    select: direct,
    decode: (raw) => decodeString(raw),
    encode: (value, type) => (type.fixed ? encodeFixedString(value) : encodeString(value)),
  },
  binary: {
    select: direct,
    decode: (raw) => decodeBinary(raw),
    encode: (value) => encodeBinary(value),
    load: (variable) => `UNHEX(${variable})`,
  },
  date: {
    select: direct,
    decode: (raw) => decodeTemporal(raw),
    encode: (value) => encodeString(value),
  },
  time: {
    select: direct,
    decode: (raw) => decodeTemporal(raw),
    encode: (value) => encodeString(value),
  },
  datetime: {
    select: direct,
    decode: (raw) => decodeTemporal(raw),
    encode: (value) => encodeString(value),
  },
  timestamptz: {
    // MySQL TIMESTAMP holds an instant (stored in UTC; sessions are pinned to +00:00).
    select: direct,
    decode: (raw) => decodeTemporal(raw),
    encode: (value) => encodeString(value),
  },
  json: {
    select: direct,
    decode: (raw) => decodeString(raw),
    encode: (value) => encodeString(value),
  },
  enum: {
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
    select: direct,
    decode: (raw) => decodeString(raw),
    encode: (value) => encodeString(value),
  },
  uuid: {
    select: direct,
    decode: (raw) => decodeString(raw),
    encode: (value) => encodeString(value),
  },
  bit: {
    select: direct,
    decode: (raw, type) => decodeBit(raw, type.length),
    encode: (value) => encodeBit(value),
    load: (variable, _type, nativeType) =>
      /^bit\b/i.test(nativeType) ? `CAST(CONV(${variable}, 2, 10) AS UNSIGNED)` : undefined,
  },
  other: {
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

/**
 * The MariaDB type system: the fixture's native types, and the type made for another dialect's
 * column with its losses (DDL uses the same mapping with the connected server's flavor).
 */
export const MYSQL_TYPE_SYSTEM: TypeSystem = {
  dialect: 'mysql',
  product: 'MariaDB',
  catalog: MYSQL_CATALOG,
  mapFrom: (type, context) => {
    const { native, losses } = mysqlMapping(type, context, { flavor: 'mariadb', hasUuidType: true });
    return { native, losses };
  },
};
