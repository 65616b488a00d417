import { describe, expect, it } from 'vitest';
import type { ChangeRelation, RowChange } from '../../../src/cdc/change.js';
import { UNCHANGED } from '../../../src/cdc/change.js';
import { WriteSets } from '../../../src/cdc/write-set.js';
import type { Column, Table } from '../../../src/schema/table.js';

const column = (name: string): Column => ({
  name,
  type: { kind: 'integer', bits: 64 } as Column['type'],
  nativeType: 'bigint',
  nullable: true,
});

const accounts: Table = {
  name: 'accounts',
  columns: [column('id'), column('email'), column('balance')],
  primaryKey: ['id'],
  indexes: [{ name: 'accounts_email', columns: [{ name: 'email' }], unique: true }],
  foreignKeys: [],
};
const transfers: Table = {
  name: 'transfers',
  columns: [column('id'), column('account')],
  primaryKey: ['id'],
  indexes: [],
  foreignKeys: [
    {
      name: 'transfers_account',
      columns: ['account'],
      referencedTable: 'accounts',
      referencedColumns: ['id'],
      onDelete: 'NO ACTION',
      onUpdate: 'NO ACTION',
    },
  ],
};
const relation = (table: Table): ChangeRelation => ({
  name: table.name,
  columns: table.columns,
  key: table.primaryKey,
});
const accountsRel = relation(accounts);
const transfersRel = relation(transfers);
const sets = new WriteSets([accounts, transfers]);
const meet = (a: RowChange[], b: RowChange[]) => {
  const first = sets.of(a);
  return [...sets.of(b)].some((item) => first.has(item));
};

describe('WriteSets', () => {
  it('separates changes of different rows and joins changes of the same row', () => {
    const a: RowChange[] = [{ kind: 'update', relation: accountsRel, key: [1n], row: [1n, 'a@x', 5n] }];
    const b: RowChange[] = [{ kind: 'update', relation: accountsRel, key: [2n], row: [2n, 'b@x', 5n] }];
    const c: RowChange[] = [{ kind: 'delete', relation: accountsRel, key: [1n] }];
    expect(meet(a, b)).toBe(false);
    expect(meet(a, c)).toBe(true);
  });

  it('joins a key change with changes of the old and of the new key', () => {
    const move: RowChange[] = [{ kind: 'update', relation: accountsRel, key: [1n], row: [9n, 'a@x', 5n] }];
    expect(meet(move, [{ kind: 'insert', relation: accountsRel, row: [1n, 'z@x', 0n] }])).toBe(true);
    expect(meet(move, [{ kind: 'delete', relation: accountsRel, key: [9n] }])).toBe(true);
  });

  it('joins rows that meet on a unique key, ignoring case and trailing spaces, but not on NULL', () => {
    const a: RowChange[] = [{ kind: 'insert', relation: accountsRel, row: [1n, 'Ann@X', 0n] }];
    const b: RowChange[] = [{ kind: 'insert', relation: accountsRel, row: [2n, 'ann@x  ', 0n] }];
    expect(meet(a, b)).toBe(true);
    const n1: RowChange[] = [{ kind: 'insert', relation: accountsRel, row: [3n, null, 0n] }];
    const n2: RowChange[] = [{ kind: 'insert', relation: accountsRel, row: [4n, null, 0n] }];
    expect(meet(n1, n2)).toBe(false);
  });

  it('joins a child row with its foreign-key parent', () => {
    const parent: RowChange[] = [{ kind: 'insert', relation: accountsRel, row: [7n, 'p@x', 0n] }];
    const child: RowChange[] = [{ kind: 'insert', relation: transfersRel, row: [100n, 7n] }];
    const other: RowChange[] = [{ kind: 'insert', relation: transfersRel, row: [101n, 8n] }];
    expect(meet(parent, child)).toBe(true);
    expect(meet(parent, other)).toBe(false);
  });

  it('skips unchanged values (the old identity covers them) and flags truncates', () => {
    const a: RowChange[] = [{ kind: 'update', relation: accountsRel, key: [1n], row: [1n, UNCHANGED, 3n] }];
    expect(sets.of(a).size).toBe(1);
    expect(WriteSets.touchesWholeTables([{ kind: 'truncate', relations: [accountsRel] }])).toBe(true);
    expect(WriteSets.touchesWholeTables(a)).toBe(false);
  });
});
