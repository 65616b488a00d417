import { describe, expect, it } from 'vitest';
import type { CopyPlan } from '../../../src/engine/plan-copy.js';
import {
  existingTableProblems,
  keylessProblems,
  lossProblems,
} from '../../../src/engine/preflight-checks.js';
import type { Column, Table } from '../../../src/schema/table.js';

function column(name: string, nullable = false): Column {
  return { name, type: { kind: 'integer', bits: 32, unsigned: false }, nativeType: 'int', nullable };
}

function table(name: string, extra: Partial<Table> = {}): Table {
  return { name, columns: [column('id')], primaryKey: ['id'], indexes: [], foreignKeys: [], ...extra };
}

describe('keylessProblems', () => {
  it('warns about a table with neither a primary key nor a unique NOT NULL key, and only about it', () => {
    const keyed = table('keyed');
    const uniqueNotNull = table('unique_code', {
      primaryKey: [],
      columns: [column('code')],
      indexes: [{ name: 'u', unique: true, columns: [{ name: 'code' }] }],
    });
    const uniqueNullable = table('nullable_code', {
      primaryKey: [],
      columns: [column('code', true)],
      indexes: [{ name: 'u', unique: true, columns: [{ name: 'code' }] }],
    });
    const bare = table('bare', { primaryKey: [] });
    const problems = keylessProblems([keyed, uniqueNotNull, uniqueNullable, bare]);
    expect(problems.map((problem) => [problem.level, problem.subject])).toEqual([
      ['warning', 'nullable_code'],
      ['warning', 'bare'],
    ]);
    expect(problems[1]!.message).toContain('copied in one chunk');
    expect(problems[1]!.fix).toContain('primary key');
  });
});

describe('lossProblems', () => {
  const plan: CopyPlan = {
    source: 'mysql://root@db/shop',
    target: 'postgres://postgres@db/shop',
    renames: [],
    tables: [
      {
        table: 'orders',
        targetTable: 'orders',
        columns: [
          {
            column: 'shipped',
            targetColumn: 'shipped',
            sourceType: 'datetime',
            targetType: 'timestamp(0) without time zone',
            losses: [{ loss: 'zero-date', detail: 'MySQL zero dates', action: 'error' }],
          },
          {
            column: 'note',
            targetColumn: 'note',
            sourceType: 'text',
            targetType: 'text',
            losses: [{ loss: 'nul-in-text', detail: 'NUL characters', action: 'null' }],
          },
        ],
      },
    ],
  };

  it('makes each loss left at error one line with a --coerce fix of an allowed action', () => {
    const problems = lossProblems(plan);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ level: 'warning', subject: 'orders.shipped' });
    expect(problems[0]!.message).toBe(
      'orders.shipped: zero-date (datetime → timestamp(0) without time zone), MySQL zero dates: the copy stops at the first such value',
    );
    expect(problems[0]!.fix).toBe('--coerce orders.shipped:zero-date=null (or substitute)');
  });

  it('is an error for a loss that refuses every value (no target type)', () => {
    const geometry: CopyPlan = {
      ...plan,
      tables: [
        {
          table: 'place',
          targetTable: 'place',
          columns: [
            {
              column: 'shape',
              targetColumn: 'shape',
              sourceType: 'geometry',
              targetType: 'text',
              losses: [{ loss: 'no-target-type', detail: 'geometry', action: 'error' }],
            },
          ],
        },
      ],
    };
    const [problem] = lossProblems(geometry);
    expect(problem?.level).toBe('error');
    expect(problem?.fix).toBe('--coerce place.shape:no-target-type=null (or widen)');
  });
});

describe('existingTableProblems', () => {
  const existing = [
    { name: 'full', hasRows: true },
    { name: 'empty', hasRows: false },
  ];

  it('refuses tables with rows under fail, names the policies that go ahead', () => {
    const problems = existingTableProblems(existing, ['full', 'empty', 'new'], {});
    expect(problems.map((problem) => problem.subject)).toEqual(['full']);
    expect(problems[0]!.fix).toContain('ifExists: drop');
    expect(problems[0]!.fix).toContain('truncate');
    expect(problems[0]!.fix).toContain('append');
  });

  it('says nothing under drop, truncate or append', () => {
    for (const ifExists of ['drop', 'truncate', 'append'] as const) {
      expect(existingTableProblems(existing, ['full'], { ifExists })).toEqual([]);
    }
  });

  it('refuses any existing table for a schema-only copy, and missing tables for a data-only copy', () => {
    expect(existingTableProblems(existing, [], { schemaOnly: true }).map((p) => p.subject)).toEqual([
      'full',
      'empty',
    ]);
    const dataOnly = existingTableProblems(existing, ['full', 'new'], { dataOnly: true, ifExists: 'append' });
    expect(dataOnly.map((problem) => problem.subject)).toEqual(['new']);
  });
});
