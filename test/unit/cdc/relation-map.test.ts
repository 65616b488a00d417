import { describe, expect, it } from 'vitest';
import type { ChangeRelation } from '../../../src/cdc/change.js';
import { UNCHANGED } from '../../../src/cdc/change.js';
import { RelationMap } from '../../../src/cdc/relation-map.js';
import { SyncError } from '../../../src/errors.js';
import type { Column, Table } from '../../../src/schema/table.js';

const column = (name: string): Column => ({
  name,
  type: { kind: 'text' } as Column['type'],
  nativeType: 'text',
  nullable: true,
});
const table = (name: string, columns: string[], key: string[]): Table => ({
  name,
  columns: columns.map(column),
  primaryKey: key,
  indexes: [],
  foreignKeys: [],
});

// The plan copies id and email of users (not notes), as members with email renamed to mail.
const map = new RelationMap([
  { source: table('users', ['id', 'email'], ['id']), target: table('members', ['id', 'mail'], ['id']) },
]);
const users: ChangeRelation = { name: 'users', columns: ['id', 'notes', 'email'].map(column), key: ['id'] };

describe('RelationMap', () => {
  it('rewrites a change into the target table, its names and only its columns', () => {
    const insert = map.map({ kind: 'insert', relation: users, row: [1n, 'n', 'a@x'] });
    expect(insert).toMatchObject({ kind: 'insert', row: [1n, 'a@x'] });
    expect(insert && 'relation' in insert ? insert.relation.name : undefined).toBe('members');
    const update = map.map({ kind: 'update', relation: users, key: [1n], row: [2n, UNCHANGED, 'b@x'] });
    expect(update).toMatchObject({ kind: 'update', key: [1n], row: [2n, 'b@x'] });
    expect(map.map({ kind: 'delete', relation: users, key: [2n] })).toMatchObject({
      kind: 'delete',
      key: [2n],
    });
  });

  it('drops changes of tables the plan does not sync, and keeps the synced ones of a truncate', () => {
    const other: ChangeRelation = { name: 'logs', columns: [column('id')], key: ['id'] };
    expect(map.map({ kind: 'insert', relation: other, row: [1n] })).toBeUndefined();
    const truncate = map.map({ kind: 'truncate', relations: [other, users] });
    expect(truncate?.kind === 'truncate' ? truncate.relations.map((r) => r.name) : []).toEqual(['members']);
    expect(map.map({ kind: 'truncate', relations: [other] })).toBeUndefined();
  });

  it('refuses a relation that lost a column the target holds, naming it', () => {
    const shrunk: ChangeRelation = { name: 'users', columns: [column('id')], key: ['id'] };
    expect(() => map.map({ kind: 'insert', relation: shrunk, row: [1n] })).toThrow(SyncError);
    expect(() => map.map({ kind: 'insert', relation: shrunk, row: [1n] })).toThrow(/column email/);
  });
});
