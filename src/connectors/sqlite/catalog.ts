/**
 * Every declared type of the SQLite type-torture fixture (test/fixtures/sqlite/torture.sql) with
 * the logical type introspection gives it; a test checks both against a real file, so
 * docs/types.md, generated from this list, cannot lie.
 */
import type { CatalogType } from '../../schema/type-system.js';

const int = (bits: 8 | 16 | 24 | 32 | 64, unsigned = false) => ({ kind: 'integer', bits, unsigned }) as const;

/** The enum column of the fixture: Ferry writes an enum in SQLite as TEXT with a CHECK of its labels. */
export const SQLITE_ENUM_LABELS = ['a b', 'c,d', "it's", '', 'x"y'];

/** Declared types as the fixture spells them, in documentation order. */
export const SQLITE_CATALOG: readonly CatalogType[] = [
  { native: 'INTEGER', logical: int(64) },
  { native: 'BIGINT', logical: int(64) },
  { native: 'INT', logical: int(32) },
  { native: 'MEDIUMINT', logical: int(24) },
  { native: 'SMALLINT', logical: int(16) },
  { native: 'TINYINT', logical: int(8) },
  { native: 'TINYINT UNSIGNED', logical: int(8, true) },
  { native: 'SMALLINT UNSIGNED', logical: int(16, true) },
  { native: 'MEDIUMINT UNSIGNED', logical: int(24, true) },
  { native: 'INT UNSIGNED', logical: int(32, true) },
  { native: 'UNSIGNED BIG INT', logical: int(64, true) },
  { native: 'UNSIGNED BIG TEXT', logical: int(64, true) },
  { native: 'BOOLEAN', logical: { kind: 'boolean' } },
  { native: 'DECIMAL TEXT(65,30)', logical: { kind: 'decimal', precision: 65, scale: 30 } },
  { native: 'DECIMAL TEXT(20,0)', logical: { kind: 'decimal', precision: 20, scale: 0 } },
  { native: 'DECIMAL TEXT', logical: { kind: 'decimal' } },
  { native: 'NUMERIC(10,2)', logical: { kind: 'decimal', precision: 10, scale: 2 } },
  { native: 'REAL', logical: { kind: 'float', bits: 64 } },
  { native: 'FLOAT', logical: { kind: 'float', bits: 64 } },
  { native: 'DOUBLE', logical: { kind: 'float', bits: 64 } },
  { native: 'DOUBLE PRECISION', logical: { kind: 'float', bits: 64 } },
  { native: 'TEXT', logical: { kind: 'text' } },
  { native: 'CLOB', logical: { kind: 'text' } },
  { native: 'VARCHAR(100)', logical: { kind: 'text', length: 100 } },
  { native: 'NVARCHAR(20)', logical: { kind: 'text', length: 20 } },
  { native: 'CHAR(10)', logical: { kind: 'text', length: 10 } },
  { native: 'BLOB', logical: { kind: 'binary' } },
  { native: 'VARBINARY(16)', logical: { kind: 'binary', length: 16 } },
  { native: 'BIT TEXT(1)', logical: { kind: 'bit', length: 1 } },
  { native: 'BIT TEXT(64)', logical: { kind: 'bit', length: 64 } },
  { native: 'DATE', logical: { kind: 'date' } },
  { native: 'TIME', logical: { kind: 'time', fsp: 6 } },
  { native: 'TIME(3)', logical: { kind: 'time', fsp: 3 } },
  { native: 'DATETIME', logical: { kind: 'datetime', fsp: 6 } },
  { native: 'DATETIME(6)', logical: { kind: 'datetime', fsp: 6 } },
  { native: 'TIMESTAMP', logical: { kind: 'datetime', fsp: 6 } },
  { native: 'TIMESTAMPTZ', logical: { kind: 'timestamptz', fsp: 6 } },
  { native: 'JSON TEXT', logical: { kind: 'json' } },
  { native: 'JSON', logical: { kind: 'json' } },
  { native: 'UUID TEXT', logical: { kind: 'uuid' } },
  {
    native: `TEXT CHECK (col IN (${SQLITE_ENUM_LABELS.map((l) => `'${l.replaceAll("'", "''")}'`).join(', ')}))`,
    logical: { kind: 'enum', values: SQLITE_ENUM_LABELS },
  },
  { native: 'MONEY', logical: { kind: 'other', name: 'MONEY' } },
  // No declared type (BLOB affinity): each value keeps its own storage class.
  { native: '', logical: { kind: 'other', name: '' } },
];
