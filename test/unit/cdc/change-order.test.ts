import { describe, expect, it } from 'vitest';
import type { ChangeRelation, RowChange } from '../../../src/cdc/change.js';
import { UNCHANGED } from '../../../src/cdc/change.js';
import { clusterChanges } from '../../../src/cdc/change-order.js';
import { WriteSets } from '../../../src/cdc/write-set.js';
import type { Column, Table } from '../../../src/schema/table.js';

const column = (name: string): Column => ({
  name,
  type: { kind: 'integer', bits: 64 } as Column['type'],
  nativeType: 'bigint',
  nullable: true,
});
const table = (name: string, unique?: string): Table => ({
  name,
  columns: [column('id'), column('code'), column('n')],
  primaryKey: ['id'],
  indexes: unique ? [{ name: unique, columns: [{ name: 'code' }], unique: true }] : [],
  foreignKeys: [],
});
const items = table('items');
const accounts = table('accounts');
const codes = table('codes', 'codes_code');
const rel = (t: Table): ChangeRelation => ({ name: t.name, columns: t.columns, key: t.primaryKey });
const [itemsRel, accountsRel, codesRel] = [rel(items), rel(accounts), rel(codes)];
const sets = new WriteSets([items, accounts, codes]);

const ins = (r: ChangeRelation, id: bigint, n = 0n): RowChange => ({
  kind: 'insert',
  relation: r,
  row: [id, id, n],
});
const upd = (r: ChangeRelation, id: bigint, n: bigint): RowChange => ({
  kind: 'update',
  relation: r,
  key: [id],
  row: [id, UNCHANGED, n],
});
const del = (r: ChangeRelation, id: bigint): RowChange => ({ kind: 'delete', relation: r, key: [id] });

describe('clusterChanges', () => {
  it('brings changes of one kind on one table together without moving a change before one of its row', () => {
    const changes = [
      ins(itemsRel, 1n),
      upd(accountsRel, 7n, 1n),
      ins(itemsRel, 2n),
      del(itemsRel, 1n),
      upd(accountsRel, 8n, 1n),
      ins(itemsRel, 3n),
      del(itemsRel, 2n),
      upd(accountsRel, 7n, 2n),
    ];
    expect(clusterChanges(changes, sets)).toEqual([
      ins(itemsRel, 1n),
      ins(itemsRel, 2n),
      ins(itemsRel, 3n),
      // The same row twice in one cluster keeps its order (the steps cut the statement there).
      upd(accountsRel, 7n, 1n),
      upd(accountsRel, 8n, 1n),
      upd(accountsRel, 7n, 2n),
      // A delete of a row comes after its insert.
      del(itemsRel, 1n),
      del(itemsRel, 2n),
    ]);
    // The input stays as it was.
    expect(changes[1]).toEqual(upd(accountsRel, 7n, 1n));
  });

  it('keeps the order of a table with another unique key, and never moves a change across a truncate', () => {
    const changes = [
      ins(itemsRel, 1n),
      ins(codesRel, 1n),
      del(codesRel, 1n),
      ins(codesRel, 2n),
      ins(itemsRel, 3n),
      { kind: 'truncate', relations: [accountsRel] } as RowChange,
      ins(itemsRel, 2n),
    ];
    expect(clusterChanges(changes, sets)).toEqual([
      ins(itemsRel, 1n),
      ins(itemsRel, 3n),
      ins(codesRel, 1n),
      del(codesRel, 1n),
      ins(codesRel, 2n),
      changes[5],
      ins(itemsRel, 2n),
    ]);
  });

  it('keeps a key change apart, after every change of its old and new keys', () => {
    const rekey: RowChange = { kind: 'update', relation: itemsRel, key: [1n], row: [5n, UNCHANGED, 0n] };
    const changes = [ins(itemsRel, 1n), rekey, ins(itemsRel, 6n), upd(itemsRel, 5n, 9n)];
    expect(clusterChanges(changes, sets)).toEqual([
      ins(itemsRel, 1n),
      ins(itemsRel, 6n),
      rekey,
      upd(itemsRel, 5n, 9n),
    ]);
  });
});
