/**
 * Parallel apply without breaking source order where it matters: a transaction starts once every
 * earlier transaction whose write set meets its own has committed (write-set.ts), and a transaction
 * that touches whole tables waits for all before it and holds back all after it. At most `limit`
 * transactions are queued or running, which bounds memory and pushes back on the stream.
 */

/** Runs tasks in dependency order; the first failure stops everything after it. */
export class TransactionScheduler {
  private readonly holders = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  private barrier: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  /** The first error a task threw, once one has. */
  get failed(): { error: unknown } | undefined {
    return this.failure;
  }

  /** Tasks queued or running. */
  get size(): number {
    return this.running.size;
  }

  /**
   * Queues `task` after the earlier tasks it depends on: those holding an item of `writeSet`, or
   * all of them when `writeSet` is `all`. Returns once there is room for another task (the caller
   * reads on only then). Throws the first task failure.
   */
  async schedule(writeSet: ReadonlySet<string> | 'all', task: () => Promise<void>): Promise<void> {
    this.throwIfFailed();
    while (this.running.size >= this.limit) {
      await Promise.race(this.running);
      this.throwIfFailed();
    }
    const after = new Set<Promise<void>>();
    if (writeSet === 'all') for (const earlier of this.running) after.add(earlier);
    else {
      for (const item of writeSet) {
        const holder = this.holders.get(item);
        if (holder) after.add(holder);
      }
      if (this.barrier) after.add(this.barrier);
    }
    const tracked = (async () => {
      if (after.size > 0) await Promise.all(after);
      // A task whose predecessor failed must not run: its changes could depend on the lost ones.
      if (this.failure) return;
      await task();
    })().catch((error: unknown) => {
      this.failure ??= { error };
    });
    this.running.add(tracked);
    if (writeSet === 'all') this.barrier = tracked;
    else for (const item of writeSet) this.holders.set(item, tracked);
    void tracked.then(() => {
      this.running.delete(tracked);
      if (this.barrier === tracked) this.barrier = undefined;
      if (writeSet !== 'all') {
        for (const item of writeSet) if (this.holders.get(item) === tracked) this.holders.delete(item);
      }
    });
  }

  /** Resolves when any queued task settles (at once when none is queued). */
  async oneSettled(): Promise<void> {
    if (this.running.size > 0) await Promise.race(this.running);
  }

  /** Waits for every queued task; throws the first failure. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
    this.throwIfFailed();
  }

  /** Waits for every queued task, ignoring failures (when stopping after one). */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
