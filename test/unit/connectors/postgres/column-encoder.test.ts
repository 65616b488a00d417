import { describe, expect, it } from 'vitest';
import {
  PostgresColumnEncoder,
  type PostgresTargetColumn,
} from '../../../../src/connectors/postgres/column-encoder.js';
import { ValueError } from '../../../../src/errors.js';
import type { LogicalType } from '../../../../src/schema/logical-type.js';
import type { Column, Table } from '../../../../src/schema/table.js';
import type { CanonicalValue } from '../../../../src/values/canonical.js';
import { Coercions, parseCoercionRule } from '../../../../src/values/coercions.js';

function encoderFor(source: LogicalType, target: Omit<PostgresTargetColumn, 'name'>, rules: string[] = []) {
  const column: Column = { name: 'c', type: source, nativeType: 'x', nullable: true };
  const table: Table = { name: 't', columns: [column], primaryKey: ['id'], indexes: [], foreignKeys: [] };
  const coercions = new Coercions(rules.map(parseCoercionRule));
  const encoder = new PostgresColumnEncoder(table, column, { name: 'c', ...target }, coercions, () => 'id=7');
  return { encode: (value: CanonicalValue) => encoder.encode(value, []), coercions };
}

function failureOf(run: () => unknown): ValueError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValueError);
    return error as ValueError;
  }
  throw new Error('no error');
}

const TEXT_COLUMN = { native: 'text', type: { kind: 'text' } as const, notNull: false };

describe('postgres column encoder: lossless or fail', () => {
  it('stops at a value that does not fit, naming table, column, key, kind, target and policy', () => {
    const { encode } = encoderFor({ kind: 'text' }, TEXT_COLUMN);
    expect(encode('fine')).toBe('fine');
    expect(encode(null)).toBeNull();
    const error = failureOf(() => encode('secret\u0000value'));
    expect(error.code).toBe('LOSSY_NUL_IN_TEXT');
    expect(error.table).toBe('t');
    expect(error.column).toBe('c');
    expect(error.message).toContain('key id=7');
    expect(error.message).toContain('PostgreSQL text');
    expect(error.message).toContain('--coerce nul-in-text=null|substitute|widen');
    expect(error.message).not.toContain('secret');
  });

  it('applies null and substitute policies and counts each value', () => {
    const nulls = encoderFor({ kind: 'text' }, TEXT_COLUMN, ['nul-in-text=null']);
    expect(nulls.encode('a\u0000')).toBeNull();
    expect(nulls.encode('b\u0000')).toBeNull();
    expect(nulls.coercions.counts()).toEqual([
      { table: 't', column: 'c', loss: 'nul-in-text', action: 'null', values: 2 },
    ]);
    const cut = encoderFor(
      { kind: 'text' },
      { native: 'character varying(3)', type: { kind: 'text', length: 3 }, notNull: false },
      ['nul-in-text=substitute', 'too-long=substitute'],
    );
    expect(cut.encode('a\u0000bcd')).toBe('abc');
    expect(cut.coercions.counts().map((c) => [c.loss, c.action, c.values])).toEqual([
      ['nul-in-text', 'substitute', 1],
      ['too-long', 'substitute', 1],
    ]);
  });

  it('refuses NULL as a policy for a NOT NULL column', () => {
    const { encode, coercions } = encoderFor(
      { kind: 'date' },
      { native: 'date', type: { kind: 'date' }, notNull: true },
      ['zero-date=null'],
    );
    expect(failureOf(() => encode('0000-00-00')).code).toBe('LOSSY_ZERO_DATE');
    expect(coercions.counts()).toEqual([]);
  });

  it('writes into a widened column and counts the values that needed it', () => {
    const bytes = encoderFor(
      { kind: 'text' },
      { native: 'bytea', type: { kind: 'binary' }, notNull: false },
      ['nul-in-text=widen'],
    );
    expect(bytes.encode('a\u0000b')).toBe('\\x610062');
    expect(bytes.encode('plain')).toBe('\\x706c61696e');
    expect(bytes.coercions.counts()).toEqual([
      { table: 't', column: 'c', loss: 'nul-in-text', action: 'widen', values: 1 },
    ]);
    const interval = encoderFor(
      { kind: 'time', fsp: 0 },
      { native: 'interval', type: { kind: 'other', name: 'interval' }, notNull: false },
      ['time-range=widen'],
    );
    expect(interval.encode('-838:59:59')).toBe('-838:59:59');
    expect(interval.coercions.counts().map((c) => [c.loss, c.action, c.values])).toEqual([
      ['time-range', 'widen', 1],
    ]);
  });

  it('refuses widen when the column was created narrow', () => {
    const { encode } = encoderFor({ kind: 'text' }, TEXT_COLUMN, ['nul-in-text=widen']);
    expect(failureOf(() => encode('a\u0000')).code).toBe('LOSSY_NUL_IN_TEXT');
  });

  it('carries a type with no counterpart as text only under widen', () => {
    const geometry = { kind: 'other', name: 'point' } as const;
    expect(failureOf(() => encoderFor(geometry, TEXT_COLUMN).encode('POINT(1 2)')).code).toBe(
      'LOSSY_NO_TARGET_TYPE',
    );
    const widened = encoderFor(geometry, TEXT_COLUMN, ['no-target-type=widen']);
    expect(widened.encode('POINT(1 2)')).toBe('POINT(1 2)');
    expect(widened.coercions.counts().map((c) => [c.loss, c.action])).toEqual([['no-target-type', 'widen']]);
  });

  it('lets PostgreSQL finish a fractional-seconds rounding it was asked for', () => {
    const { encode, coercions } = encoderFor(
      { kind: 'datetime', fsp: 6 },
      { native: 'timestamp(0) without time zone', type: { kind: 'datetime', fsp: 0 }, notNull: false },
      ['precision=substitute'],
    );
    expect(encode('2020-01-01 10:00:00.5')).toBe('2020-01-01 10:00:00.5');
    expect(coercions.counts().map((c) => [c.loss, c.action, c.values])).toEqual([
      ['precision', 'substitute', 1],
    ]);
  });

  it('a per-column rule wins over the general one', () => {
    const { encode } = encoderFor({ kind: 'text' }, TEXT_COLUMN, [
      'nul-in-text=null',
      't.c:nul-in-text=substitute',
    ]);
    expect(encode('a\u0000b')).toBe('ab');
  });
});
