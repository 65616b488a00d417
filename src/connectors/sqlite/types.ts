/**
 * The SQLite type system (THE one mapping table): declared type → LogicalType (introspection),
 * LogicalType of another dialect → declared type with what it cannot carry (DDL, value checks,
 * `--dry-run`, docs/types.md), and the catalog of declared types the type-torture fixture uses.
 * Declared types are chosen by SQLite's affinity rules (https://www.sqlite.org/datatype3.html) so
 * that no value changes storage class, and so that introspection reads the same logical type back.
 */

import type { LogicalKind, LogicalType } from '../../schema/logical-type.js';
import type { MappingContext, TypeLoss, TypeMapping, TypeSystem } from '../../schema/type-system.js';
import type { Dialect } from '../dialect.js';
import { SQLITE_CATALOG } from './catalog.js';

/** SQLite's five column affinities. */
export type SqliteAffinity = 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC';

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
 *
 * No declared type (or one SQLite gives no meaning, such as MONEY) is `other`. Its values travel in
 * their own storage class — bigint, number, string or Buffer, never respelled as text — so a copy
 * between SQLite files is exact; another engine's writer sees `no-target-type` (widen: text).
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

const withFsp = (name: string, fsp: number | undefined) => (fsp === undefined ? name : `${name}(${fsp})`);

/** Per kind, the declared type for a column of another dialect. */
const DECLARED: { [K in LogicalKind]: (type: TypeOf<K>) => string } = {
  integer: (type) => {
    // INTEGER affinity holds signed 64 bits; a TEXT-affinity name (no "INT" in it) keeps 2^64−1 exact.
    if (type.bits === 64 && type.unsigned) return 'UNSIGNED BIG TEXT';
    const name = { 8: 'TINYINT', 16: 'SMALLINT', 24: 'MEDIUMINT', 32: 'INT', 64: 'BIGINT' }[type.bits];
    return type.unsigned ? `${name} UNSIGNED` : name;
  },
  boolean: () => 'BOOLEAN',
  decimal: (type) =>
    type.precision === undefined ? 'DECIMAL TEXT' : `DECIMAL TEXT(${type.precision},${type.scale ?? 0})`,
  float: (type) => (type.bits === 32 ? 'FLOAT' : 'DOUBLE'),
  text: (type) => {
    if (type.length === undefined) return 'TEXT';
    return type.fixed ? `CHAR(${type.length})` : `VARCHAR(${type.length})`;
  },
  binary: () => 'BLOB',
  date: () => 'DATE',
  time: (type) => withFsp('TIME', type.fsp),
  datetime: (type) => withFsp('DATETIME', type.fsp),
  timestamptz: (type) => withFsp('TIMESTAMPTZ', type.fsp),
  json: () => 'JSON TEXT',
  enum: () => 'TEXT',
  set: () => 'TEXT',
  uuid: () => 'UUID TEXT',
  bit: (type) => `BIT${type.varying ? ' VARYING' : ''} TEXT(${type.length})`,
  other: () => 'TEXT',
};

/** The declared type for a column of another dialect (an enum also gets a CHECK, see ddl.ts). */
export function declareSqliteType(type: LogicalType): string {
  return (DECLARED[type.kind] as (type: LogicalType) => string)(type);
}

const PRODUCTS: Record<Dialect, string> = { postgres: 'PostgreSQL', mysql: 'MySQL', sqlite: 'SQLite' };

/** What a SQLite column created for `type` cannot carry from a column of `source`. */
export function sqliteLosses(type: LogicalType, source: Dialect): TypeLoss[] {
  const product = PRODUCTS[source];
  switch (type.kind) {
    case 'float':
      if (source === 'postgres') {
        return [{ loss: 'special-float', detail: 'NaN (SQLite stores NULL) and -0 (SQLite stores 0)' }];
      }
      return source === 'mysql' ? [{ loss: 'special-float', detail: '-0 (SQLite stores 0)' }] : [];
    case 'date':
    case 'datetime':
    case 'timestamptz':
      return source === 'postgres'
        ? [
            {
              loss: 'infinite-date',
              detail:
                'PostgreSQL infinity, -infinity, BC dates and years past 9999 (SQLite would not read them back as dates)',
            },
          ]
        : [];
    case 'other':
      return source === 'sqlite'
        ? []
        : [{ loss: 'no-target-type', detail: `${product} ${type.name} (widen: TEXT holding its text form)` }];
    default:
      return [];
  }
}

/**
 * The declared type for a column of another dialect and its losses. Every widening SQLite can
 * offer is TEXT, which the default mappings already use where a wider type exists (`UNSIGNED BIG
 * TEXT`, `DECIMAL TEXT`); `widen` on `no-target-type` keeps TEXT and lets the text form through.
 */
export function mapToSqlite(type: LogicalType, context: MappingContext): TypeMapping {
  return { native: declareSqliteType(type), losses: sqliteLosses(type, context.sourceDialect) };
}

/** SQLite's type system, for DDL, value checks, `--dry-run` and docs/types.md. */
export const SQLITE_TYPE_SYSTEM: TypeSystem = {
  dialect: 'sqlite',
  product: 'SQLite',
  catalog: SQLITE_CATALOG,
  mapFrom: mapToSqlite,
};

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** An enum's CHECK clause for a column of another dialect. */
export function enumCheckSql(column: string, values: string[]): string {
  return `CHECK (${column} IN (${values.map(quote).join(', ')}))`;
}
