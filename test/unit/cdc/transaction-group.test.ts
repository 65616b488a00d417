import { describe, expect, it } from 'vitest';
import type { ApplySession, ChangeApplier, ChangeCounts } from '../../../src/cdc/applier.js';
import type { ChangeRelation, RowChange, StreamPosition } from '../../../src/cdc/change.js';
import { countChanges } from '../../../src/cdc/change-counts.js';
import { SessionPool } from '../../../src/cdc/session-pool.js';
import { applyGroup, type GroupedTransaction, TransactionGroup } from '../../../src/cdc/transaction-group.js';

const relation: ChangeRelation = {
  name: 'items',
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'label', type: 'text' },
  ],
  key: ['id'],
} as unknown as ChangeRelation;

function insert(id: number): RowChange {
  return { kind: 'insert', relation, row: [BigInt(id), `row ${id}`] };
}

function transaction(n: number, changes: RowChange[]): GroupedTransaction {
  const position: StreamPosition = { key: String(n).padStart(4, '0'), fields: { n: String(n) } };
  return { changes, position, ticket: { position, done: false }, counts: countChanges(changes) };
}

/** What a target did, per target transaction: the changes applied and the positions committed. */
interface Commit {
  changes: RowChange[];
  positions: string[];
  counts: ChangeCounts;
}

/** An in-memory target whose sessions fail as `fail` says, to drive the group's decisions. */
function memoryTarget(fail: (changes: RowChange[], attempt: number) => Error | undefined) {
  const commits: Commit[] = [];
  let applies = 0;
  const applier = {
    maxSessions: 2,
    openSession: async (): Promise<ApplySession> => {
      let open: RowChange[] | undefined;
      return {
        begin: async () => {
          open = [];
        },
        apply: async (changes) => {
          applies++;
          const error = fail(changes, applies);
          if (error) throw error;
          open!.push(...changes);
        },
        commit: async (positions, counts) => {
          commits.push({ changes: open!, positions: positions.map((p) => p.key), counts });
          open = undefined;
        },
        rollback: async () => {
          open = undefined;
        },
        close: async () => undefined,
      };
    },
  } as unknown as ChangeApplier;
  return { pool: new SessionPool(applier, 2), commits };
}

class Transient extends Error {}

describe('TransactionGroup', () => {
  it('joins the write sets of its transactions, and is full at the first limit reached', () => {
    const group = new TransactionGroup();
    group.add(transaction(1, [insert(1)]), new Set(['a', 'b']), 100);
    group.add(transaction(2, [insert(2), insert(3)]), new Set(['b', 'c']), 100);
    expect(group.writeSet).toEqual(new Set(['a', 'b', 'c']));
    expect(group.isFull({ transactions: 3, changes: 10, bytes: 1000, waitMs: 0 })).toBe(false);
    expect(group.isFull({ transactions: 2, changes: 10, bytes: 1000, waitMs: 0 })).toBe(true);
    expect(group.isFull({ transactions: 3, changes: 3, bytes: 1000, waitMs: 0 })).toBe(true);
    expect(group.isFull({ transactions: 3, changes: 10, bytes: 200, waitMs: 0 })).toBe(true);
    group.add(transaction(3, [insert(4)]), 'all', 10);
    expect(group.writeSet).toBe('all');
    group.add(transaction(4, [insert(5)]), new Set(['d']), 10);
    expect(group.writeSet).toBe('all');
  });
});

describe('applyGroup', () => {
  const group = () => {
    const built = new TransactionGroup();
    built.add(transaction(1, [insert(1)]), new Set(['1']), 10);
    built.add(transaction(2, [insert(2), insert(3)]), new Set(['2', '3']), 10);
    built.add(transaction(3, [insert(4)]), new Set(['4']), 10);
    return built;
  };

  it('applies the transactions in one target transaction, in order, recording every position', async () => {
    const { pool, commits } = memoryTarget(() => undefined);
    const done: string[] = [];
    await applyGroup(group(), {
      pool,
      isTransient: () => false,
      committed: (transactions) => done.push(...transactions.map((t) => t.position.key)),
    });
    expect(commits).toEqual([
      {
        changes: [insert(1), insert(2), insert(3), insert(4)],
        positions: ['0001', '0002', '0003'],
        counts: { items: { inserts: 4, updates: 0, deletes: 0 } },
      },
    ]);
    expect(done).toEqual(['0001', '0002', '0003']);
  });

  it('tries a transient failure again, then applies the transactions one by one after another failure', async () => {
    // First apply: a deadlock (tried again); second: a unique clash of the merged statements.
    const { pool, commits } = memoryTarget((changes, attempt) => {
      if (attempt === 1) return new Transient('deadlock');
      if (attempt === 2 && changes.length > 1) return new Error('duplicate key');
      return undefined;
    });
    const done: string[] = [];
    await applyGroup(group(), {
      pool,
      isTransient: (error) => error instanceof Transient,
      committed: (transactions) => done.push(...transactions.map((t) => t.position.key)),
    });
    expect(commits.map((commit) => commit.positions)).toEqual([['0001'], ['0002'], ['0003']]);
    expect(done).toEqual(['0001', '0002', '0003']);
  });

  it('reports a fault of one transaction as that transaction’s, after the ones before it committed', async () => {
    const { pool, commits } = memoryTarget((changes) =>
      changes.some((change) => change.kind === 'insert' && change.row[0] === 4n)
        ? new Error('value too long for items.label')
        : undefined,
    );
    const done: string[] = [];
    await expect(
      applyGroup(group(), {
        pool,
        isTransient: () => false,
        committed: (transactions) => done.push(...transactions.map((t) => t.position.key)),
      }),
    ).rejects.toThrow('value too long for items.label');
    expect(commits.map((commit) => commit.positions)).toEqual([['0001'], ['0002']]);
    expect(done).toEqual(['0001', '0002']);
  });
});
