import { describe, expect, it } from 'vitest';
import type { ChangeRelation } from '../../../src/cdc/change.js';
import { newTableNames } from '../../../src/cdc/new-tables.js';
import { RelationMap, type SyncedTable } from '../../../src/cdc/relation-map.js';
import { columnChanges, SchemaFollower } from '../../../src/cdc/schema-follower.js';
import type { Connector } from '../../../src/connectors/connector.js';
import type { Column, Table } from '../../../src/schema/table.js';
import { Coercions } from '../../../src/values/coercions.js';

const int = (name: string, extra: Partial<Column> = {}): Column => ({
  name,
  type: { kind: 'integer', bits: 32 } as Column['type'],
  nativeType: 'integer',
  nullable: false,
  ...extra,
});
const text = (name: string, extra: Partial<Column> = {}): Column => ({
  name,
  type: { kind: 'string', length: 20 } as unknown as Column['type'],
  nativeType: 'varchar(20)',
  nullable: true,
  ...extra,
});
const table = (name: string, columns: Column[]): Table => ({
  name,
  columns,
  primaryKey: ['id'],
  indexes: [],
  foreignKeys: [],
});
const relation = (name: string, columns: Column[]): ChangeRelation => ({ name, columns, key: ['id'] });

describe('columnChanges', () => {
  const synced = [int('id'), text('note')];
  const keepAll = () => true;
  it.each([
    ['nothing changed', [int('id'), text('note')], []],
    [
      'a nullable column added',
      [int('id'), text('note'), text('note2')],
      [{ kind: 'added', followable: true }],
    ],
    [
      'a column added in the middle',
      [int('id'), text('x'), text('note')],
      [{ kind: 'added', followable: true }],
    ],
    [
      'a NOT NULL column with a default',
      [int('id'), text('note'), int('n', { default: { kind: 'literal', value: '0' } })],
      [{ kind: 'added', followable: true }],
    ],
    [
      'a NOT NULL column without default',
      [int('id'), text('note'), int('n')],
      [{ kind: 'added', followable: false }],
    ],
    [
      'a nullable column with an expression default',
      [
        int('id'),
        text('note'),
        text('at', { default: { kind: 'expression', sql: 'now()', dialect: 'postgres' } }),
      ],
      [{ kind: 'added', followable: false }],
    ],
    [
      'an auto-increment column',
      [int('id'), text('note'), int('n', { autoIncrement: {} })],
      [{ kind: 'added', followable: false }],
    ],
    ['a column dropped', [int('id')], [{ kind: 'dropped', columns: ['note'] }]],
    ['a column renamed', [int('id'), text('memo')], [{ kind: 'dropped' }, { kind: 'added' }]],
    [
      'a type change',
      [
        int('id'),
        text('note', {
          type: { kind: 'string', length: 40 } as unknown as Column['type'],
          nativeType: 'varchar(40)',
        }),
      ],
      [{ kind: 'type', column: 'note', before: 'varchar(20)', after: 'varchar(40)' }],
    ],
  ])('%s', (_label, after, expected) => {
    const changes = columnChanges(synced, after, keepAll);
    expect(changes).toHaveLength(expected.length);
    for (const [i, want] of expected.entries()) expect(changes[i]).toMatchObject(want);
  });

  it('ignores an added column the plan does not copy, and generated columns', () => {
    const after = [
      int('id'),
      text('note'),
      text('secret'),
      text('computed', { generated: { expression: 'x', stored: true, dialect: 'postgres' } }),
    ];
    expect(columnChanges(synced, after, (name) => name !== 'secret')).toEqual([]);
  });
});

describe('newTableNames', () => {
  it('keeps the tables that are not synced and that the plan picks', () => {
    const synced = new Set(['items']);
    const wanted = (name: string) => !name.startsWith('tmp_');
    expect(newTableNames(['items', 'extra', 'tmp_x', 'more'], (n) => synced.has(n), wanted)).toEqual([
      'extra',
      'more',
    ]);
  });
});

describe('RelationMap with columns added during sync', () => {
  const source = table('items', [int('id'), text('note'), text('note2')]);
  const target = table('Items', [int('id'), text('memo'), text('note2')]);
  const synced: SyncedTable = { source, target, added: ['note2'] };

  it('maps a relation from before the column was added without it', () => {
    const map = new RelationMap([synced]);
    const old = relation('items', [int('id'), text('note')]);
    const insert = map.map({ kind: 'insert', relation: old, row: [1, 'a'] });
    expect(insert).toMatchObject({ kind: 'insert', row: [1, 'a'] });
    if (insert?.kind !== 'insert') throw new Error('not an insert');
    expect(insert.relation.name).toBe('Items');
    expect(insert.relation.columns.map((c) => c.name)).toEqual(['id', 'memo']);
  });

  it('maps a relation with the column, by name, whatever its position', () => {
    const map = new RelationMap([synced]);
    const now = relation('items', [int('id'), text('note2'), text('note')]);
    const update = map.map({ kind: 'update', relation: now, key: [1], row: [1, 'second', 'first'] });
    if (update?.kind !== 'update') throw new Error('not an update');
    expect(update.relation.columns.map((c) => c.name)).toEqual(['id', 'memo', 'note2']);
    expect(update.row).toEqual([1, 'first', 'second']);
  });

  it('still refuses a relation that lacks a column the target held from the start', () => {
    const map = new RelationMap([synced]);
    const gone = relation('items', [int('id'), text('note2')]);
    expect(() => map.map({ kind: 'delete', relation: gone, key: [1] })).toThrow(/without column note/);
  });

  it('forgets its mappings when a table is replaced', () => {
    const map = new RelationMap([
      {
        source: table('items', [int('id'), text('note')]),
        target: table('items', [int('id'), text('note')]),
      },
    ]);
    const now = relation('items', [int('id'), text('note'), text('note2')]);
    const before = map.map({ kind: 'insert', relation: now, row: [1, 'a', 'b'] });
    if (before?.kind !== 'insert') throw new Error('not an insert');
    expect(before.row).toEqual([1, 'a']);
    map.add({ ...synced, target: source });
    const after = map.map({ kind: 'insert', relation: now, row: [1, 'a', 'b'] });
    if (after?.kind !== 'insert') throw new Error('not an insert');
    expect(after.row).toEqual([1, 'a', 'b']);
  });
});

describe('SchemaFollower', () => {
  const start = table('items', [int('id'), text('note')]);
  const setUp = (options: { addColumns?: boolean } = {}) => {
    const calls: Array<{ table: string; columns: string[] }> = [];
    const target = {
      dialect: 'mysql',
      display: 'target',
      ...(options.addColumns === false
        ? {}
        : {
            addColumns: async (name: string, columns: Column[]) => {
              calls.push({ table: name, columns: columns.map((c) => c.name) });
              return [];
            },
          }),
    } as unknown as Connector;
    const source = { dialect: 'postgres', display: 'source' } as unknown as Connector;
    const tables: SyncedTable[] = [{ source: start, target: { ...start, name: 'Items' } }];
    const relations = new RelationMap(tables);
    const now = table('items', [int('id'), text('note'), text('note2')]);
    const follower = new SchemaFollower({
      source,
      target,
      relations,
      tables,
      streamTables: [start],
      wants: (name) => name !== 'unwanted',
      keepsColumn: () => true,
      describe: async (name) =>
        name === 'items'
          ? { stream: now, synced: { source: now, target: { ...now, name: 'Items' } } }
          : undefined,
      coercions: new Coercions([]),
      reporters: [],
    });
    return { follower, relations, calls };
  };
  const item = (columns: Column[]) => ({
    type: 'schema' as const,
    before: relation('items', start.columns),
    after: relation('items', columns),
  });

  it('adds a nullable column to the target and maps later changes with it', async () => {
    const { follower, relations, calls } = setUp();
    const after = item([int('id'), text('note'), text('note2')]);
    await follower.follow(after, { transactionOpen: false });
    expect(calls).toEqual([{ table: 'Items', columns: ['note2'] }]);
    const insert = relations.map({ kind: 'insert', relation: after.after, row: [7, 'a', 'b'] });
    expect(insert).toMatchObject({ row: [7, 'a', 'b'] });
    expect(follower.targetTables()[0]!.columns.map((c) => c.name)).toEqual(['id', 'note', 'note2']);
    // Seen again (a new pass from before): nothing more to add.
    await follower.follow(after, { transactionOpen: false });
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['a dropped column', [int('id')], false, /Column note of table items was dropped or renamed/],
    [
      'a NOT NULL column without default',
      [int('id'), text('note'), int('n')],
      false,
      /as NOT NULL without a default/,
    ],
    [
      'a column with a computed default',
      [
        int('id'),
        text('note'),
        text('at', { default: { kind: 'expression', sql: 'now()', dialect: 'postgres' } }),
      ],
      false,
      /with a computed default/,
    ],
    [
      'a column added inside an open transaction',
      [int('id'), text('note'), text('note2')],
      true,
      /inside a source transaction/,
    ],
    ['a dropped table', [], false, /Table items was dropped or renamed/],
  ])('stops for %s', async (_label, columns, transactionOpen, message) => {
    const { follower, calls } = setUp();
    await expect(follower.follow(item(columns), { transactionOpen })).rejects.toMatchObject({
      code: 'SYNC_SCHEMA_CHANGE',
      message: expect.stringMatching(message),
    });
    expect(calls).toEqual([]);
  });

  it('stops when the target cannot add columns', async () => {
    const { follower } = setUp({ addColumns: false });
    await expect(
      follower.follow(item([int('id'), text('note'), text('note2')]), { transactionOpen: false }),
    ).rejects.toThrow(/cannot add columns during a sync/);
  });

  it('keeps a new table the plan picks for adding, and ignores others', async () => {
    const { follower } = setUp();
    await follower.follow(
      { type: 'schema', after: relation('unwanted', [int('id')]) },
      { transactionOpen: false },
    );
    expect(follower.tablesWaiting).toBe(false);
    await follower.follow(
      { type: 'schema', after: relation('extra', [int('id')]) },
      { transactionOpen: false },
    );
    expect(follower.tablesWaiting).toBe(true);
  });
});
