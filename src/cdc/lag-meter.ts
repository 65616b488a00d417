/**
 * Lag and rate of a change stream: how long ago the source committed the oldest change not yet
 * applied, and how many row changes are applied per second.
 */

/** Keeps the commit times of transactions received and not yet applied, and a rate window. */
export class LagMeter {
  private readonly pending = new Map<object, { time: number; changes: number }>();
  /** Changes applied per second of the clock, for the last `windowSeconds`. */
  private readonly window: Array<{ second: number; changes: number }> = [];
  private appliedChanges = 0;
  private appliedTransactions = 0;

  constructor(private readonly windowSeconds = 5) {}

  /** A transaction was received; `commitTime` is the source's ISO 8601 commit time. */
  received(ticket: object, commitTime: string, changes: number): void {
    const time = Date.parse(commitTime);
    this.pending.set(ticket, { time: Number.isNaN(time) ? Date.now() : time, changes });
  }

  /** The transaction committed on the target. */
  applied(ticket: object): void {
    const entry = this.pending.get(ticket);
    this.pending.delete(ticket);
    const changes = entry?.changes ?? 0;
    this.appliedChanges += changes;
    this.appliedTransactions++;
    const second = Math.floor(Date.now() / 1000);
    const last = this.window[this.window.length - 1];
    if (last?.second === second) last.changes += changes;
    else this.window.push({ second, changes });
  }

  /** The transaction will not be applied here (the stream restarts): it is no longer pending. */
  dropped(ticket: object): void {
    this.pending.delete(ticket);
  }

  /** Forgets everything pending (a new stream resends it). */
  clearPending(): void {
    this.pending.clear();
  }

  /** Seconds since the source committed the oldest change not yet applied; 0 when none is pending. */
  lagSeconds(now = Date.now()): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const entry of this.pending.values()) oldest = Math.min(oldest, entry.time);
    return oldest === Number.POSITIVE_INFINITY ? 0 : Math.max(0, (now - oldest) / 1000);
  }

  /** Row changes received and not yet applied. */
  get pendingChanges(): number {
    let sum = 0;
    for (const entry of this.pending.values()) sum += entry.changes;
    return sum;
  }

  /** Row changes applied per second over the window. */
  rate(now = Date.now()): number {
    const since = Math.floor(now / 1000) - this.windowSeconds;
    while (this.window.length > 0 && this.window[0]!.second < since) this.window.shift();
    const sum = this.window.reduce((total, entry) => total + entry.changes, 0);
    return sum / this.windowSeconds;
  }

  get totals(): { transactions: number; changes: number } {
    return { transactions: this.appliedTransactions, changes: this.appliedChanges };
  }
}
