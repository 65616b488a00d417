/**
 * Consecutive whole source transactions applied in one target transaction: one commit (one log
 * flush, one round trip for the records) for many small transactions, and their changes merged
 * into fewer multi-row statements. Each source transaction stays atomic, since the group commits
 * or rolls back as a whole, and keeps its position in the target's records, so a restart skips
 * exactly what committed. The engine closes a group when it is full or when the stream has
 * nothing more to read at once, so a quiet stream still applies each transaction without waiting.
 */
import type { PositionTicket } from './applied-positions.js';
import type { ApplySession, ChangeCounts } from './applier.js';
import type { RowChange, StreamPosition } from './change.js';
import { addCounts } from './change-counts.js';
import type { SessionPool } from './session-pool.js';

/** One source transaction waiting in a group. */
export interface GroupedTransaction {
  changes: RowChange[];
  position: StreamPosition;
  ticket: PositionTicket;
  counts: ChangeCounts;
}

/** When a group is full: the first limit reached closes it. */
export interface GroupLimits {
  transactions: number;
  changes: number;
  /** Estimated bytes of the changes in memory (`TransactionPart.bytes`). */
  bytes: number;
  /**
   * Milliseconds a group that is not full may wait for more transactions when the stream has
   * nothing at once: a busy source's transactions then share a commit instead of each paying one.
   */
  waitMs: number;
}

/**
 * Enough to make commits rare, small enough that groups applied at once seldom touch the same
 * rows: the scheduler orders a group after every earlier one its write set meets, and a large
 * group meets nearly every other (measured on the sync benchmark: 2,000 changes a group drained
 * 100,000 changes at 6,900/s, 100–250 at 9,500/s, 50 at 8,000/s).
 */
export const DEFAULT_GROUP_LIMITS: GroupLimits = {
  transactions: 100,
  changes: 200,
  bytes: 4 << 20,
  waitMs: 20,
};

/** Source transactions gathered for one target transaction, with the union of their write sets. */
export class TransactionGroup {
  readonly transactions: GroupedTransaction[] = [];
  /** When the group was opened (`performance.now()`). */
  readonly openedAt = performance.now();
  private touched: Set<string> | 'all' = new Set();
  private changeCount = 0;
  private byteCount = 0;

  /** Adds a transaction after the others; `writeSet` as WriteSets gives it, `all` for a TRUNCATE. */
  add(transaction: GroupedTransaction, writeSet: ReadonlySet<string> | 'all', bytes: number): void {
    this.transactions.push(transaction);
    this.changeCount += transaction.changes.length;
    this.byteCount += bytes;
    if (writeSet === 'all') this.touched = 'all';
    else if (this.touched !== 'all') for (const item of writeSet) this.touched.add(item);
  }

  /** What the scheduler orders the group by: every item any of its transactions touches. */
  get writeSet(): ReadonlySet<string> | 'all' {
    return this.touched;
  }

  isFull(limits: GroupLimits): boolean {
    return (
      this.transactions.length >= limits.transactions ||
      this.changeCount >= limits.changes ||
      this.byteCount >= limits.bytes
    );
  }
}

/** What applying a group needs from the pass. */
export interface GroupApplyContext {
  pool: SessionPool;
  /** Whether a failure may pass when tried again (the target's deadlock, lock timeout, lost connection). */
  isTransient(error: unknown): boolean;
  /** Called for transactions once their target transaction committed. */
  committed(transactions: readonly GroupedTransaction[]): void;
  /** The group's changes in the order to apply them (change-order.ts); the source's order when absent. */
  order?(changes: readonly RowChange[]): RowChange[];
}

/**
 * Applies the group in one target transaction, its changes in `context.order`. A deadlock or lock
 * timeout before the commit is tried again. Any other failure before the commit applies the
 * transactions again one by one, each in the source's order: merged statements can meet a unique
 * key in an order the source never had (a value moving from one row to another), and a real fault
 * is then reported for the one transaction that has it. A failure during the commit may have
 * committed, so it is thrown: only a new pass, which reads the target's records, can tell.
 */
export async function applyGroup(group: TransactionGroup, context: GroupApplyContext): Promise<void> {
  const { transactions } = group;
  try {
    await applyTogether(transactions, context, true);
  } catch (error) {
    if (!(error instanceof BeforeCommit)) throw error;
    for (const transaction of transactions) {
      await applyTogether([transaction], context, false).catch(rethrow);
    }
  }
}

/** A failure before the commit started: nothing of the target transaction stays. */
class BeforeCommit {
  constructor(readonly error: unknown) {}
}

/** Throws the failure a BeforeCommit carries, or the error itself. */
function rethrow(error: unknown): never {
  throw error instanceof BeforeCommit ? error.error : error;
}

async function applyTogether(
  transactions: readonly GroupedTransaction[],
  context: GroupApplyContext,
  reorder: boolean,
): Promise<void> {
  const inOrder =
    transactions.length === 1 ? transactions[0]!.changes : transactions.flatMap((t) => t.changes);
  const changes = reorder && context.order ? context.order(inOrder) : inOrder;
  const counts: ChangeCounts = {};
  for (const transaction of transactions) addCounts(counts, transaction.counts);
  const positions = transactions.map((transaction) => transaction.position);
  for (let attempt = 1; ; attempt++) {
    const session = await context.pool.take();
    let committing = false;
    try {
      await session.begin();
      await session.apply(changes);
      committing = true;
      await session.commit(positions, counts);
      context.pool.give(session);
      break;
    } catch (error) {
      await release(session, context.pool);
      if (committing) throw error;
      if (attempt >= 3 || !context.isTransient(error)) throw new BeforeCommit(error);
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
  context.committed(transactions);
}

/** Rolls back and replaces a session whose transaction failed (its connection may be gone). */
async function release(session: ApplySession, pool: SessionPool): Promise<void> {
  await session.rollback().catch(() => undefined);
  await pool.discard(session);
}
