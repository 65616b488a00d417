import { describe, expect, it } from 'vitest';
import {
  type ApplyStep,
  applySteps,
  DEFAULT_STEP_LIMITS,
  isWholeRowIdentity,
  keyIdentity,
} from '../../../src/cdc/apply-steps.js';
import { type ChangeRelation, type RowChange, UNCHANGED } from '../../../src/cdc/change.js';
import { addCounts, countChanges } from '../../../src/cdc/change-counts.js';
import type { Column } from '../../../src/schema/table.js';

const int = (name: string): Column => ({
  name,
  type: { kind: 'integer', bits: 32, unsigned: false },
  nativeType: 'integer',
  nullable: name !== 'id',
});
const items: ChangeRelation = { name: 'items', columns: [int('id'), int('a'), int('b')], key: ['id'] };
const other: ChangeRelation = { name: 'other', columns: [int('id'), int('a')], key: ['id'] };
const bag: ChangeRelation = { name: 'bag', columns: [int('a'), int('b')], key: ['a', 'b'] };

const ins = (relation: ChangeRelation, ...row: bigint[]): RowChange => ({ kind: 'insert', relation, row });
const upd = (
  relation: ChangeRelation,
  key: bigint[],
  ...row: Array<bigint | typeof UNCHANGED>
): RowChange => ({
  kind: 'update',
  relation,
  key,
  row,
});
const del = (relation: ChangeRelation, ...key: bigint[]): RowChange => ({ kind: 'delete', relation, key });

/** Each step as `op relation rows`, for short expectations. */
function shape(steps: ApplyStep[]): string[] {
  return steps.map((step) => {
    if (step.op === 'truncate') return `truncate ${step.relations.map((r) => r.name).join(',')}`;
    const rows = step.op === 'rekey' ? 1 : step.op === 'delete' ? step.keys.length : step.rows.length;
    return `${step.op} ${step.relation.name} ${rows}`;
  });
}

describe('applySteps', () => {
  it.each<[string, RowChange[], string[]]>([
    [
      'consecutive inserts of one relation: one step',
      [ins(items, 1n, 1n, 1n), ins(items, 2n, 2n, 2n)],
      ['upsert items 2'],
    ],
    [
      'a repeated key flushes first (the second insert must win, after the first)',
      [ins(items, 1n, 1n, 1n), ins(items, 2n, 0n, 0n), ins(items, 1n, 9n, 9n)],
      ['upsert items 2', 'upsert items 1'],
    ],
    [
      'another relation or kind closes the step, order kept',
      [ins(items, 1n, 0n, 0n), ins(other, 1n, 0n), ins(items, 2n, 0n, 0n), del(items, 1n), del(items, 2n)],
      ['upsert items 1', 'upsert other 1', 'upsert items 1', 'delete items 2'],
    ],
    [
      'updates group by the columns they set',
      [upd(items, [1n], 1n, 5n, 5n), upd(items, [2n], 2n, 6n, 6n), upd(items, [3n], 3n, UNCHANGED, 7n)],
      ['update items 2', 'update items 1'],
    ],
    [
      'a key change is a step of its own',
      [upd(items, [1n], 1n, 0n, 0n), upd(items, [2n], 3n, 0n, 0n), upd(items, [4n], 4n, 0n, 0n)],
      ['update items 1', 'rekey items 1', 'update items 1'],
    ],
    ['an UNCHANGED key column keeps the key', [upd(items, [1n], UNCHANGED, 2n, 2n)], ['update items 1']],
    [
      'whole-row identities update and delete one row per step, inserts group',
      [ins(bag, 1n, 1n), ins(bag, 2n, 2n), del(bag, 1n, 1n), del(bag, 1n, 1n), upd(bag, [2n, 2n], 3n, 3n)],
      ['upsert bag 2', 'delete bag 1', 'delete bag 1', 'update bag 1'],
    ],
    [
      'a truncate stands alone between the steps around it',
      [ins(items, 1n, 0n, 0n), { kind: 'truncate', relations: [items, other] }, ins(items, 1n, 0n, 0n)],
      ['upsert items 1', 'truncate items,other', 'upsert items 1'],
    ],
  ])('%s', (_, changes, expected) => {
    expect(shape(applySteps(changes))).toEqual(expected);
  });

  it('turns complete same-key updates into upserts when the target asks, but not partial ones', () => {
    const limits = { ...DEFAULT_STEP_LIMITS, updatesAsUpserts: true };
    const steps = applySteps(
      [
        ins(items, 1n, 0n, 0n),
        upd(items, [2n], 2n, 1n, 1n),
        upd(items, [3n], 3n, UNCHANGED, 1n),
        upd(items, [1n], 1n, 9n, 9n),
      ],
      limits,
    );
    expect(shape(steps)).toEqual(['upsert items 2', 'update items 1', 'upsert items 1']);
    expect(steps[2]).toMatchObject({ op: 'upsert', rows: [[1n, 9n, 9n]] });
  });

  it('keeps each step within the row, parameter and byte limits', () => {
    const changes = Array.from({ length: 10 }, (_, i) => ins(items, BigInt(i), 0n, 0n));
    expect(shape(applySteps(changes, { ...DEFAULT_STEP_LIMITS, maxRows: 4 }))).toEqual([
      'upsert items 4',
      'upsert items 4',
      'upsert items 2',
    ]);
    // 3 values per row: 7 values allow 2 rows.
    expect(applySteps(changes, { ...DEFAULT_STEP_LIMITS, maxParams: 7 })).toHaveLength(5);
    // 8 estimated bytes per value, 24 per row.
    expect(applySteps(changes, { ...DEFAULT_STEP_LIMITS, maxBytes: 72 })).toHaveLength(4);
  });

  it('carries update keys and rows side by side, with the columns that came', () => {
    const [step] = applySteps([upd(items, [1n], 1n, UNCHANGED, 5n), upd(items, [2n], 2n, UNCHANGED, 6n)]);
    expect(step).toEqual({
      op: 'update',
      relation: items,
      present: [true, false, true],
      keys: [[1n], [2n]],
      rows: [
        [1n, UNCHANGED, 5n],
        [2n, UNCHANGED, 6n],
      ],
    });
  });
});

describe('keyIdentity', () => {
  it('tells values of different types and spellings apart', () => {
    const texts = [[1n], ['1'], [1], [true], [Buffer.from('1')], [null], ['a;b'], ['a', 'b'], [-0], [0]].map(
      (k) => keyIdentity(k),
    );
    expect(new Set(texts).size).toBe(texts.length);
    expect(keyIdentity([Buffer.from('ab')])).toBe(keyIdentity([Buffer.from('ab')]));
  });

  it('knows a whole-row identity', () => {
    expect(isWholeRowIdentity(bag)).toBe(true);
    expect(isWholeRowIdentity(items)).toBe(false);
  });
});

describe('countChanges', () => {
  it('counts inserts, updates and deletes per table, truncates not at all, and adds up', () => {
    const counts = countChanges([
      ins(items, 1n, 0n, 0n),
      ins(items, 2n, 0n, 0n),
      upd(items, [1n], 1n, 1n, 1n),
      del(other, 1n),
      { kind: 'truncate', relations: [items] },
    ]);
    expect(counts).toEqual({
      items: { inserts: 2, updates: 1, deletes: 0 },
      other: { inserts: 0, updates: 0, deletes: 1 },
    });
    expect(addCounts(counts, { other: { inserts: 1, updates: 0, deletes: 2 } }).other).toEqual({
      inserts: 1,
      updates: 0,
      deletes: 3,
    });
  });
});
