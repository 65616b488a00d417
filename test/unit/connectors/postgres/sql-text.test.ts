import { describe, expect, it } from 'vitest';
import { retargetIndexDefinition } from '../../../../src/connectors/postgres/constraints.js';
import { copyErrorPosition } from '../../../../src/connectors/postgres/copy-errors.js';
import {
  postgresDefaultOf,
  translateDefaultExpression,
} from '../../../../src/connectors/postgres/defaults.js';
import { enumCheckName, truncateIdentifier } from '../../../../src/connectors/postgres/identifiers.js';
import { retargetSchema, sourceSchemaOf } from '../../../../src/connectors/postgres/objects.js';
import type { Column } from '../../../../src/schema/table.js';

describe('defaults', () => {
  it('classifies pg_get_expr output as literals or expressions', () => {
    expect(postgresDefaultOf("'it''s'::character varying")).toEqual({ kind: 'literal', value: "it's" });
    expect(postgresDefaultOf('0')).toEqual({ kind: 'literal', value: '0' });
    expect(postgresDefaultOf("'-1.5'::numeric")).toEqual({ kind: 'literal', value: '-1.5' });
    expect(postgresDefaultOf('(-1)')).toEqual({ kind: 'literal', value: '-1' });
    expect(postgresDefaultOf('true')).toEqual({ kind: 'literal', value: 'true' });
    expect(postgresDefaultOf('NULL::text')).toBeUndefined();
    expect(postgresDefaultOf('now()')).toEqual({ kind: 'expression', sql: 'now()', dialect: 'postgres' });
    expect(postgresDefaultOf("('a'::text || 'b'::text)")).toEqual({
      kind: 'expression',
      sql: "('a'::text || 'b'::text)",
      dialect: 'postgres',
    });
  });

  it('translates the usual "now" expressions of other dialects by column kind', () => {
    expect(translateDefaultExpression('current_timestamp()', 'mysql', { kind: 'datetime', fsp: 0 })).toBe(
      'LOCALTIMESTAMP',
    );
    expect(translateDefaultExpression('CURRENT_TIMESTAMP(6)', 'mysql', { kind: 'timestamptz', fsp: 6 })).toBe(
      'CURRENT_TIMESTAMP(6)',
    );
    expect(translateDefaultExpression('(now())', 'mysql', { kind: 'timestamptz' })).toBe('CURRENT_TIMESTAMP');
    expect(translateDefaultExpression('curdate()', 'mysql', { kind: 'date' })).toBe('CURRENT_DATE');
    expect(translateDefaultExpression("(datetime('now'))", 'sqlite', { kind: 'datetime' })).toBe(
      'LOCALTIMESTAMP',
    );
    expect(translateDefaultExpression('rand()', 'mysql', { kind: 'float', bits: 64 })).toBeUndefined();
  });
});

describe('identifiers', () => {
  it('cuts names to 63 bytes at a character boundary', () => {
    expect(truncateIdentifier('a'.repeat(70))).toBe('a'.repeat(63));
    expect(truncateIdentifier(`${'a'.repeat(62)}ñ`)).toBe('a'.repeat(62));
    expect(enumCheckName('t', 'c')).toBe('t_c_check');
  });
});

describe('object definitions', () => {
  it('finds the source schema and points qualifiers at the target', () => {
    const routine = {
      kind: 'routine' as const,
      name: 'f',
      definition:
        'CREATE OR REPLACE FUNCTION public.f()\n RETURNS int AS $$ SELECT count(*) FROM public.t, xpublic.u $$',
    };
    expect(sourceSchemaOf(routine)).toBe('public');
    expect(retargetSchema(routine.definition, 'public', 'copy')).toBe(
      'CREATE OR REPLACE FUNCTION "copy".f()\n RETURNS int AS $$ SELECT count(*) FROM "copy".t, xpublic.u $$',
    );
    const trigger = {
      kind: 'trigger' as const,
      name: 'tr',
      definition:
        'CREATE OR REPLACE FUNCTION "My S".fn() …;\nCREATE TRIGGER tr AFTER INSERT ON "My S".t FOR EACH ROW EXECUTE FUNCTION fn()',
    };
    expect(sourceSchemaOf(trigger)).toBe('My S');
    expect(retargetSchema(trigger.definition, 'My S', 'x')).toContain('ON "x".t');
  });

  it('rewrites index definitions with the final name and table', () => {
    expect(
      retargetIndexDefinition(
        'CREATE UNIQUE INDEX old ON public.t USING btree (lower((a)::text)) WHERE (b > 0)',
        's',
        'T2',
        'new',
      ),
    ).toBe(
      'CREATE UNIQUE INDEX IF NOT EXISTS "new" ON "s"."T2" USING btree (lower((a)::text)) WHERE (b > 0)',
    );
    expect(retargetIndexDefinition('CONSTRAINT "k" UNIQUE (isbn)', 's', 't', 'k2')).toBe(
      'ALTER TABLE "s"."t" ADD CONSTRAINT "k2" UNIQUE (isbn)',
    );
  });
});

describe('COPY error context', () => {
  const columns = [{ name: 'a' }, { name: 'a: b' }] as Column[];
  it('reads line and column, preferring the longest column name that fits', () => {
    expect(copyErrorPosition('COPY t, line 3, column a: "x"', 't', columns)).toEqual({
      line: 3,
      column: 'a',
    });
    expect(copyErrorPosition('COPY t, line 4, column a: b: "x"', 't', columns)).toEqual({
      line: 4,
      column: 'a: b',
    });
    expect(copyErrorPosition('COPY t, line 5', 't', columns)).toEqual({ line: 5, column: undefined });
    expect(copyErrorPosition(undefined, 't', columns)).toEqual({});
  });
});
