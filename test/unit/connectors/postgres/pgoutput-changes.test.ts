import { describe, expect, it } from 'vitest';
import { UNCHANGED } from '../../../../src/cdc/change.js';
import { PgoutputChanges } from '../../../../src/connectors/postgres/pgoutput-changes.js';
import type { PgoutputMessage } from '../../../../src/connectors/postgres/pgoutput-decoder.js';
import { UNCHANGED_TOAST } from '../../../../src/connectors/postgres/pgoutput-decoder.js';
import type { Table } from '../../../../src/schema/table.js';

const ITEMS: Table = {
  name: 'items',
  columns: [
    {
      name: 'id',
      type: { kind: 'integer', bits: 32, unsigned: false },
      nativeType: 'integer',
      nullable: false,
    },
    { name: 'body', type: { kind: 'text' }, nativeType: 'text', nullable: true },
  ],
  primaryKey: ['id'],
  indexes: [],
  foreignKeys: [],
};

const RELATION: Extract<PgoutputMessage, { tag: 'relation' }> = {
  tag: 'relation',
  oid: 1,
  namespace: 'public',
  name: 'items',
  replicaIdentity: 'd',
  columns: [
    { name: 'id', key: true, typeOid: 23, typmod: -1 },
    { name: 'body', key: false, typeOid: 25, typmod: -1 },
  ],
};

function assembler(options: { from?: bigint; maxPartBytes?: number; introspect?: () => Table } = {}) {
  return new PgoutputChanges({
    schema: 'public',
    tables: [ITEMS],
    from: options.from ?? 0n,
    maxPartBytes: options.maxPartBytes ?? 1 << 20,
    introspect: async () => options.introspect?.(),
  });
}

async function feed(changes: PgoutputChanges, messages: PgoutputMessage[]) {
  const items = [];
  for (const message of messages) items.push(...(await changes.push(message)));
  return items;
}

const begin = (finalLsn: bigint): PgoutputMessage => ({ tag: 'begin', finalLsn, time: 0n, xid: 9 });
const commit = (endLsn: bigint): PgoutputMessage => ({
  tag: 'commit',
  commitLsn: endLsn - 1n,
  endLsn,
  time: 0n,
});
const insert = (id: number, body: string | null): PgoutputMessage => ({
  tag: 'insert',
  relation: 1,
  row: [String(id), body],
});

describe('pgoutput changes', () => {
  it('gives a small transaction as one part with its commit position', async () => {
    const items = await feed(assembler(), [begin(0x100n), RELATION, insert(1, 'a'), commit(0x130n)]);
    expect(items).toHaveLength(1);
    const [item] = items;
    expect(item).toMatchObject({
      type: 'transaction',
      part: {
        id: '9',
        first: true,
        changes: [{ kind: 'insert', row: [1n, 'a'] }],
        commit: { position: { key: '00000000/00000130', fields: { lsn: '0/130' } } },
      },
    });
  });

  it('cuts a big transaction into bounded parts, the last one committing', async () => {
    const changes = assembler({ maxPartBytes: 1000 });
    const messages: PgoutputMessage[] = [begin(0x100n), RELATION];
    for (let i = 0; i < 100; i++) messages.push(insert(i, 'x'.repeat(90)));
    messages.push(commit(0x9000n));
    const items = await feed(changes, messages);
    const parts = items.map((item) => (item.type === 'transaction' ? item.part : undefined));
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.map((part) => part?.first)).toEqual(parts.map((_, i) => i === 0));
    expect(parts.filter((part) => part?.commit)).toHaveLength(1);
    expect(parts.at(-1)?.commit).toBeDefined();
    for (const part of parts) expect(part!.bytes).toBeLessThan(1200);
    expect(parts.flatMap((part) => part!.changes)).toHaveLength(100);
  });

  it('skips transactions that commit before the start position, and gives later ones', async () => {
    const changes = assembler({ from: 0x200n });
    const skipped = await feed(changes, [begin(0x150n), RELATION, insert(1, 'a'), commit(0x200n)]);
    expect(skipped).toEqual([]);
    const kept = await feed(changes, [begin(0x200n), insert(2, 'b'), commit(0x230n)]);
    expect(kept).toHaveLength(1);
  });

  it('takes the key from the old key tuple, the old row or the new row; unchanged TOAST as UNCHANGED', async () => {
    const items = await feed(assembler(), [
      begin(0x100n),
      RELATION,
      { tag: 'update', relation: 1, old: { kind: 'key', values: ['1', null] }, row: ['2', 'b'] },
      { tag: 'update', relation: 1, row: ['3', UNCHANGED_TOAST] },
      { tag: 'delete', relation: 1, old: { kind: 'row', values: ['4', 'd'] } },
      commit(0x130n),
    ]);
    expect(items[0]?.type === 'transaction' && items[0].part.changes).toMatchObject([
      { kind: 'update', key: [1n], row: [2n, 'b'] },
      { kind: 'update', key: [3n], row: [3n, UNCHANGED] },
      { kind: 'delete', key: [4n] },
    ]);
  });

  it('gives progress at a keepalive only outside a transaction, never backwards', async () => {
    const changes = assembler({ from: 0x100n });
    expect(changes.keepalive(0x50n, 0n)).toEqual([]);
    expect(changes.keepalive(0x180n, 0n)).toMatchObject([
      { type: 'progress', position: { fields: { lsn: '0/180' } } },
    ]);
    await changes.push(begin(0x200n));
    expect(changes.keepalive(0x300n, 0n)).toEqual([]);
  });

  it('ignores other tables, and follows one once it is accepted', async () => {
    const changes = assembler();
    const other: PgoutputMessage = { ...RELATION, oid: 2, name: 'other' };
    const ignored = await feed(changes, [
      begin(0x100n),
      other,
      { tag: 'insert', relation: 2, row: ['1', 'z'] },
      commit(0x130n),
    ]);
    expect(ignored).toMatchObject([{ type: 'progress' }]);
    changes.accept([{ ...ITEMS, name: 'other' }]);
    const followed = await feed(changes, [
      begin(0x200n),
      { tag: 'insert', relation: 2, row: ['1', 'z'] },
      commit(0x230n),
    ]);
    expect(followed).toMatchObject([
      { type: 'transaction', part: { changes: [{ relation: { name: 'other' } }] } },
    ]);
  });

  it('announces a changed definition before the changes that use it', async () => {
    const wider: Table = {
      ...ITEMS,
      columns: [
        ...ITEMS.columns,
        { name: 'note', type: { kind: 'text' }, nativeType: 'text', nullable: true },
      ],
    };
    const changes = assembler({ introspect: () => wider });
    await feed(changes, [begin(0x100n), RELATION, insert(1, 'a'), commit(0x130n)]);
    const relation: PgoutputMessage = {
      ...RELATION,
      columns: [...RELATION.columns, { name: 'note', key: false, typeOid: 25, typmod: -1 }],
    };
    const items = await feed(changes, [
      begin(0x200n),
      relation,
      { tag: 'insert', relation: 1, row: ['2', 'b', 'n'] },
      commit(0x230n),
    ]);
    expect(items.map((item) => item.type)).toEqual(['schema', 'transaction']);
    const schema = items[0]!;
    expect(schema.type === 'schema' && schema.before?.columns.map((c) => c.name)).toEqual(['id', 'body']);
    expect(schema.type === 'schema' && schema.after.columns.map((c) => c.name)).toEqual([
      'id',
      'body',
      'note',
    ]);
  });
});
