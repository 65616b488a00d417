import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../../../src/connectors/dialect.js';
import {
  logicalTypeOf,
  POSTGRES_TYPE_SYSTEM,
  postgresCreatedType,
  postgresDdlType,
} from '../../../../src/connectors/postgres/types.js';
import type { LogicalType } from '../../../../src/schema/logical-type.js';
import { Coercions, parseCoercionRule } from '../../../../src/values/coercions.js';

describe('postgres type table: DDL for other dialects', () => {
  const cases: Array<[LogicalType, string]> = [
    [{ kind: 'integer', bits: 8, unsigned: false }, 'smallint'],
    [{ kind: 'integer', bits: 8, unsigned: true }, 'smallint'],
    [{ kind: 'integer', bits: 16, unsigned: false }, 'smallint'],
    [{ kind: 'integer', bits: 16, unsigned: true }, 'integer'],
    [{ kind: 'integer', bits: 24, unsigned: true }, 'integer'],
    [{ kind: 'integer', bits: 32, unsigned: false }, 'integer'],
    [{ kind: 'integer', bits: 32, unsigned: true }, 'bigint'],
    [{ kind: 'integer', bits: 64, unsigned: false }, 'bigint'],
    [{ kind: 'integer', bits: 64, unsigned: true }, 'numeric(20,0)'],
    [{ kind: 'decimal', precision: 10, scale: 2 }, 'numeric(10,2)'],
    [{ kind: 'decimal' }, 'numeric'],
    [{ kind: 'float', bits: 32 }, 'real'],
    [{ kind: 'float', bits: 64 }, 'double precision'],
    [{ kind: 'text', length: 5, fixed: true }, 'varchar(5)'],
    [{ kind: 'text' }, 'text'],
    [{ kind: 'binary', length: 16, fixed: true }, 'bytea'],
    [{ kind: 'time', fsp: 3 }, 'time(3)'],
    [{ kind: 'datetime', fsp: 6 }, 'timestamp(6)'],
    [{ kind: 'timestamptz', fsp: 0 }, 'timestamptz(0)'],
    [{ kind: 'json' }, 'json'],
    [{ kind: 'json', binary: true }, 'jsonb'],
    [{ kind: 'enum', values: ['a'] }, 'text'],
    [{ kind: 'set', values: ['a'] }, 'text'],
    [{ kind: 'uuid' }, 'uuid'],
    [{ kind: 'bit', length: 8 }, 'bit(8)'],
    [{ kind: 'bit', length: 8, varying: true }, 'bit varying(8)'],
    [{ kind: 'other', name: 'geometry' }, 'text'],
  ];
  it.each(cases)('%j → %s', (type, ddl) => {
    expect(postgresDdlType(type)).toBe(ddl);
    expect(
      POSTGRES_TYPE_SYSTEM.mapFrom(type, { sourceDialect: 'mysql', table: 't', column: 'c' }).native,
    ).toBe(ddl);
  });

  it('has one created logical type per mapping, as introspection reads it back', () => {
    expect(postgresCreatedType({ kind: 'integer', bits: 64, unsigned: true })).toEqual({
      kind: 'decimal',
      precision: 20,
      scale: 0,
    });
    expect(postgresCreatedType({ kind: 'text', length: 5, fixed: true })).toEqual({
      kind: 'text',
      length: 5,
    });
    expect(postgresCreatedType({ kind: 'time' })).toEqual({ kind: 'time', fsp: 6 });
    expect(postgresCreatedType({ kind: 'other', name: 'geometry' })).toEqual({ kind: 'text' });
  });
});

describe('postgres type system: losses and widening', () => {
  const map = (type: LogicalType, sourceDialect: Dialect, rules: string[] = []) =>
    POSTGRES_TYPE_SYSTEM.mapFrom(type, {
      sourceDialect,
      table: 'orders',
      column: 'c',
      coercions: new Coercions(rules.map(parseCoercionRule)),
    });
  const lossesOf = (type: LogicalType, source: Dialect) => map(type, source).losses.map((l) => l.loss);

  it('names what each mapping cannot carry, per source dialect', () => {
    expect(lossesOf({ kind: 'date' }, 'mysql')).toEqual(['zero-date']);
    expect(map({ kind: 'date' }, 'mysql').losses[0]?.detail).toMatch(/MySQL zero dates .*2020-00-15/);
    expect(lossesOf({ kind: 'time', fsp: 0 }, 'mysql')).toEqual(['time-range']);
    expect(lossesOf({ kind: 'text', length: 5 }, 'mysql')).toEqual(['nul-in-text']);
    expect(lossesOf({ kind: 'text', length: 5 }, 'sqlite')).toEqual(['nul-in-text', 'too-long']);
    expect(lossesOf({ kind: 'integer', bits: 32, unsigned: false }, 'sqlite')).toEqual(['out-of-range']);
    expect(lossesOf({ kind: 'integer', bits: 64, unsigned: false }, 'sqlite')).toEqual([]);
    expect(lossesOf({ kind: 'integer', bits: 64, unsigned: true }, 'mysql')).toEqual([]);
    expect(lossesOf({ kind: 'decimal', precision: 65, scale: 30 }, 'mysql')).toEqual([]);
    expect(lossesOf({ kind: 'decimal', precision: 10, scale: 2 }, 'sqlite')).toEqual([
      'out-of-range',
      'precision',
    ]);
    expect(lossesOf({ kind: 'float', bits: 32 }, 'mysql')).toEqual([]);
    expect(lossesOf({ kind: 'other', name: 'point' }, 'mysql')).toEqual(['no-target-type']);
    expect(map({ kind: 'other', name: 'point' }, 'mysql').losses[0]?.detail).toContain('WKT');
    expect(lossesOf({ kind: 'binary' }, 'sqlite')).toEqual([]);
    expect(lossesOf({ kind: 'enum', values: ['a'] }, 'mysql')).toEqual([]);
  });

  it('is lossless from PostgreSQL itself', () => {
    expect(lossesOf({ kind: 'other', name: 'inet' }, 'postgres')).toEqual([]);
    expect(lossesOf({ kind: 'date' }, 'postgres')).toEqual([]);
  });

  it('creates the wider type when the policy for one of the losses is widen', () => {
    const text = { kind: 'text', length: 5 } as const;
    expect(map(text, 'mysql', ['nul-in-text=widen']).native).toBe('bytea');
    expect(map(text, 'mysql', ['orders.c:nul-in-text=widen']).native).toBe('bytea');
    expect(map(text, 'mysql', ['other.c:nul-in-text=widen']).native).toBe('varchar(5)');
    expect(map(text, 'mysql', ['too-long=widen']).native).toBe('varchar(5)');
    expect(map(text, 'sqlite', ['too-long=widen']).native).toBe('text');
    expect(map(text, 'sqlite', ['too-long=widen', 'nul-in-text=widen']).native).toBe('bytea');
    expect(map({ kind: 'time', fsp: 0 }, 'mysql', ['time-range=widen']).native).toBe('interval');
    expect(map({ kind: 'integer', bits: 16, unsigned: false }, 'sqlite', ['out-of-range=widen']).native).toBe(
      'numeric',
    );
    expect(map({ kind: 'decimal', precision: 5, scale: 1 }, 'sqlite', ['precision=widen']).native).toBe(
      'numeric',
    );
    expect(map({ kind: 'float', bits: 32 }, 'sqlite', ['precision=widen']).native).toBe('double precision');
    expect(map({ kind: 'other', name: 'geometry' }, 'mysql', ['no-target-type=widen']).native).toBe('text');
    // The widened loss stays listed: --dry-run shows the policy that applies.
    expect(map(text, 'mysql', ['nul-in-text=widen']).losses.map((l) => l.loss)).toEqual(['nul-in-text']);
    // A policy that is not widen never changes the type.
    expect(map(text, 'mysql', ['nul-in-text=substitute']).native).toBe('varchar(5)');
  });
});

describe('catalog types → logical types', () => {
  const row = (type_name: string, typmod = -1, native_type = type_name) => ({
    type_name,
    typmod,
    native_type,
    type_type: 'b',
    type_category: 'X',
    enum_labels: null,
  });
  it('decodes numeric, varchar, char and time precisions from typmod', () => {
    expect(logicalTypeOf(row('numeric', ((40 << 16) | 30) + 4))).toEqual({
      kind: 'decimal',
      precision: 40,
      scale: 30,
    });
    expect(logicalTypeOf(row('numeric', ((5 << 16) | (-2 & 0x7ff)) + 4))).toEqual({
      kind: 'decimal',
      precision: 5,
      scale: -2,
    });
    expect(logicalTypeOf(row('numeric'))).toEqual({ kind: 'decimal' });
    expect(logicalTypeOf(row('varchar', 104))).toEqual({ kind: 'text', length: 100 });
    expect(logicalTypeOf(row('bpchar', 9))).toEqual({ kind: 'text', length: 5, fixed: true });
    expect(logicalTypeOf(row('timestamp', 3))).toEqual({ kind: 'datetime', fsp: 3 });
    expect(logicalTypeOf(row('timestamptz'))).toEqual({ kind: 'timestamptz', fsp: 6 });
    expect(logicalTypeOf(row('jsonb'))).toEqual({ kind: 'json', binary: true });
    expect(logicalTypeOf(row('inet'))).toEqual({ kind: 'other', name: 'inet' });
    expect(logicalTypeOf({ ...row('_int4', -1, 'integer[]'), type_category: 'A' })).toEqual({
      kind: 'other',
      name: 'integer[]',
    });
  });
});
