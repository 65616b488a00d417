/**
 * The SQLite type system: declared type → logical type, affinity, declared types for other
 * dialects that come back as the same logical type, and what each mapping cannot carry.
 */
import { describe, expect, it } from 'vitest';
import {
  declareSqliteType,
  logicalTypeOfSqlite,
  SQLITE_TYPE_SYSTEM,
  type SqliteAffinity,
  sqliteAffinity,
} from '../../../../src/connectors/sqlite/types.js';
import type { LogicalType } from '../../../../src/schema/logical-type.js';
import { Coercions } from '../../../../src/values/coercions.js';

const int = (bits: 8 | 16 | 24 | 32 | 64, unsigned = false): LogicalType => ({
  kind: 'integer',
  bits,
  unsigned,
});

describe('logicalTypeOfSqlite', () => {
  it.each<[string, LogicalType]>([
    ['INTEGER', int(64)],
    ['integer', int(64)],
    ['BIGINT', int(64)],
    ['INT8', int(64)],
    ['INT', int(32)],
    ['INT UNSIGNED', int(32, true)],
    ['MEDIUMINT', int(24)],
    ['SMALLINT', int(16)],
    ['TINYINT', int(8)],
    ['TINYINT UNSIGNED', int(8, true)],
    ['UNSIGNED BIG INT', int(64, true)],
    ['UNSIGNED BIG TEXT', int(64, true)],
    ['NUMERIC(10,2)', { kind: 'decimal', precision: 10, scale: 2 }],
    ['DECIMAL(5)', { kind: 'decimal', precision: 5, scale: 0 }],
    ['DECIMAL TEXT(40,30)', { kind: 'decimal', precision: 40, scale: 30 }],
    ['NUMERIC', { kind: 'decimal' }],
    ['REAL', { kind: 'float', bits: 64 }],
    ['FLOAT', { kind: 'float', bits: 64 }],
    ['DOUBLE PRECISION', { kind: 'float', bits: 64 }],
    ['NVARCHAR(160)', { kind: 'text', length: 160 }],
    ['VARCHAR(100)', { kind: 'text', length: 100 }],
    ['NCHAR(2)', { kind: 'text', length: 2 }],
    ['TEXT', { kind: 'text' }],
    ['CLOB', { kind: 'text' }],
    ['BLOB', { kind: 'binary' }],
    ['VARBINARY(16)', { kind: 'binary', length: 16 }],
    ['BOOLEAN', { kind: 'boolean' }],
    ['DATE', { kind: 'date' }],
    ['TIME', { kind: 'time', fsp: 6 }],
    ['DATETIME', { kind: 'datetime', fsp: 6 }],
    ['DATETIME(6)', { kind: 'datetime', fsp: 6 }],
    ['TIMESTAMP', { kind: 'datetime', fsp: 6 }],
    ['TIMESTAMPTZ', { kind: 'timestamptz', fsp: 6 }],
    ['TIMESTAMP WITH TIME ZONE', { kind: 'timestamptz', fsp: 6 }],
    ['JSON', { kind: 'json' }],
    ['JSON TEXT', { kind: 'json' }],
    ['UUID', { kind: 'uuid' }],
    ['UUID TEXT', { kind: 'uuid' }],
    ['BIT TEXT(8)', { kind: 'bit', length: 8 }],
    ['', { kind: 'other', name: '' }],
    ['MONEY', { kind: 'other', name: 'MONEY' }],
  ])('%s', (declared, expected) => {
    expect(logicalTypeOfSqlite(declared)).toEqual(expected);
  });
});

describe('sqliteAffinity', () => {
  it.each<[string, SqliteAffinity]>([
    ['INTEGER', 'INTEGER'],
    ['TINYINT', 'INTEGER'],
    ['UNSIGNED BIG INT', 'INTEGER'],
    ['UNSIGNED BIG TEXT', 'TEXT'],
    ['DECIMAL TEXT(40,30)', 'TEXT'],
    ['JSON TEXT', 'TEXT'],
    ['NVARCHAR(10)', 'TEXT'],
    ['BLOB', 'BLOB'],
    ['', 'BLOB'],
    ['DOUBLE', 'REAL'],
    ['FLOAT', 'REAL'],
    ['NUMERIC(10,2)', 'NUMERIC'],
    ['DATETIME', 'NUMERIC'],
    ['BOOLEAN', 'NUMERIC'],
    ['TIMESTAMPTZ', 'NUMERIC'],
  ])('%s → %s', (declared, affinity) => {
    expect(sqliteAffinity(declared)).toBe(affinity);
  });
});

describe('declareSqliteType for other dialects', () => {
  // [logical type, declared type, affinity, the logical type the introspector reads back]
  it.each<[LogicalType, string, SqliteAffinity, LogicalType]>([
    [int(8), 'TINYINT', 'INTEGER', int(8)],
    [int(16, true), 'SMALLINT UNSIGNED', 'INTEGER', int(16, true)],
    [int(24), 'MEDIUMINT', 'INTEGER', int(24)],
    [int(32, true), 'INT UNSIGNED', 'INTEGER', int(32, true)],
    [int(64), 'BIGINT', 'INTEGER', int(64)],
    [int(64, true), 'UNSIGNED BIG TEXT', 'TEXT', int(64, true)],
    [{ kind: 'boolean' }, 'BOOLEAN', 'NUMERIC', { kind: 'boolean' }],
    [
      { kind: 'decimal', precision: 65, scale: 30 },
      'DECIMAL TEXT(65,30)',
      'TEXT',
      { kind: 'decimal', precision: 65, scale: 30 },
    ],
    [{ kind: 'decimal' }, 'DECIMAL TEXT', 'TEXT', { kind: 'decimal' }],
    [{ kind: 'float', bits: 32 }, 'FLOAT', 'REAL', { kind: 'float', bits: 64 }],
    [{ kind: 'float', bits: 64 }, 'DOUBLE', 'REAL', { kind: 'float', bits: 64 }],
    [{ kind: 'text', length: 10, fixed: true }, 'CHAR(10)', 'TEXT', { kind: 'text', length: 10 }],
    [{ kind: 'text', length: 80 }, 'VARCHAR(80)', 'TEXT', { kind: 'text', length: 80 }],
    [{ kind: 'text' }, 'TEXT', 'TEXT', { kind: 'text' }],
    [{ kind: 'binary', length: 16 }, 'BLOB', 'BLOB', { kind: 'binary' }],
    [{ kind: 'date' }, 'DATE', 'NUMERIC', { kind: 'date' }],
    [{ kind: 'time', fsp: 3 }, 'TIME(3)', 'NUMERIC', { kind: 'time', fsp: 3 }],
    [{ kind: 'time', fsp: 0 }, 'TIME(0)', 'NUMERIC', { kind: 'time', fsp: 0 }],
    [{ kind: 'datetime', fsp: 0 }, 'DATETIME(0)', 'NUMERIC', { kind: 'datetime', fsp: 0 }],
    [{ kind: 'datetime', fsp: 6 }, 'DATETIME(6)', 'NUMERIC', { kind: 'datetime', fsp: 6 }],
    [{ kind: 'timestamptz' }, 'TIMESTAMPTZ', 'NUMERIC', { kind: 'timestamptz', fsp: 6 }],
    [{ kind: 'json', binary: true }, 'JSON TEXT', 'TEXT', { kind: 'json' }],
    [{ kind: 'enum', values: ['a'] }, 'TEXT', 'TEXT', { kind: 'text' }],
    [{ kind: 'set', values: ['a'] }, 'TEXT', 'TEXT', { kind: 'text' }],
    [{ kind: 'uuid' }, 'UUID TEXT', 'TEXT', { kind: 'uuid' }],
    [{ kind: 'bit', length: 5 }, 'BIT TEXT(5)', 'TEXT', { kind: 'bit', length: 5 }],
    [{ kind: 'other', name: 'point' }, 'TEXT', 'TEXT', { kind: 'text' }],
  ])('%o → %s', (type, declared, affinity, back) => {
    expect(declareSqliteType(type)).toBe(declared);
    expect(sqliteAffinity(declared)).toBe(affinity);
    expect(logicalTypeOfSqlite(declared)).toEqual(back);
  });
});

describe('SQLITE_TYPE_SYSTEM.mapFrom', () => {
  const map = (type: LogicalType, sourceDialect: 'postgres' | 'mysql' | 'sqlite', coercions?: Coercions) =>
    SQLITE_TYPE_SYSTEM.mapFrom(type, { sourceDialect, table: 't', column: 'c', coercions });

  it('is lossless for every kind SQLite holds exactly, from either dialect', () => {
    const lossless: LogicalType[] = [
      int(8),
      int(64),
      int(64, true),
      { kind: 'boolean' },
      { kind: 'decimal', precision: 65, scale: 30 },
      { kind: 'decimal' },
      { kind: 'text', length: 10, fixed: true },
      { kind: 'text' },
      { kind: 'binary', length: 16 },
      { kind: 'time', fsp: 6 },
      { kind: 'json', binary: true },
      { kind: 'enum', values: ['a', ''] },
      { kind: 'set', values: ['a'] },
      { kind: 'uuid' },
      { kind: 'bit', length: 64 },
    ];
    for (const type of lossless) {
      for (const source of ['postgres', 'mysql'] as const) {
        expect(map(type, source), `${JSON.stringify(type)} from ${source}`).toEqual({
          native: declareSqliteType(type),
          losses: [],
        });
      }
    }
    // MySQL zero dates and TIME beyond 24 h are text SQLite keeps and reads back.
    expect(map({ kind: 'date' }, 'mysql').losses).toEqual([]);
    expect(map({ kind: 'datetime', fsp: 0 }, 'mysql')).toEqual({ native: 'DATETIME(0)', losses: [] });
  });

  it('names what a mapping cannot carry, per source dialect', () => {
    expect(map({ kind: 'float', bits: 64 }, 'postgres')).toEqual({
      native: 'DOUBLE',
      losses: [{ loss: 'special-float', detail: 'NaN (SQLite stores NULL) and -0 (SQLite stores 0)' }],
    });
    expect(map({ kind: 'float', bits: 32 }, 'mysql').losses.map((l) => l.loss)).toEqual(['special-float']);
    for (const kind of ['date', 'datetime', 'timestamptz'] as const) {
      expect(map({ kind }, 'postgres').losses.map((l) => l.loss)).toEqual(['infinite-date']);
    }
    expect(map({ kind: 'other', name: 'geometry' }, 'mysql')).toEqual({
      native: 'TEXT',
      losses: [{ loss: 'no-target-type', detail: 'MySQL geometry (widen: TEXT holding its text form)' }],
    });
    // widen keeps TEXT: the text form is what the writer then lets through.
    const widen = new Coercions([{ loss: 'no-target-type', action: 'widen' }]);
    expect(map({ kind: 'other', name: 'point' }, 'postgres', widen).native).toBe('TEXT');
  });

  it('is lossless between SQLite files (the native type is kept)', () => {
    expect(map({ kind: 'other', name: '' }, 'sqlite').losses).toEqual([]);
    expect(map({ kind: 'float', bits: 64 }, 'sqlite').losses).toEqual([]);
  });
});
