/**
 * The apply sessions of one stream: opened when first needed, up to a limit, and lent to one
 * transaction at a time.
 */
import type { ApplySession, ChangeApplier } from './applier.js';

/** Lends apply sessions; `take` waits while all are busy. */
export class SessionPool {
  private readonly idle: ApplySession[] = [];
  private readonly all: ApplySession[] = [];
  private readonly waiting: Array<(session: ApplySession) => void> = [];
  private opening = 0;

  constructor(
    private readonly applier: ChangeApplier,
    /** Sessions at most (never more than the applier allows). */
    readonly size: number,
  ) {}

  /** A free session, opening one when fewer than `size` exist. */
  async take(): Promise<ApplySession> {
    const free = this.idle.pop();
    if (free) return free;
    if (this.all.length + this.opening < this.size) {
      this.opening++;
      try {
        const session = await this.applier.openSession();
        this.all.push(session);
        return session;
      } finally {
        this.opening--;
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Gives a session back after its transaction committed or rolled back. */
  give(session: ApplySession): void {
    const next = this.waiting.shift();
    if (next) next(session);
    else this.idle.push(session);
  }

  /** Replaces a session whose connection failed: it is closed and a new one is opened on demand. */
  async discard(session: ApplySession): Promise<void> {
    const index = this.all.indexOf(session);
    if (index >= 0) this.all.splice(index, 1);
    await session.close().catch(() => undefined);
    const next = this.waiting.shift();
    if (next) void this.take().then(next, () => this.waiting.unshift(next));
  }

  /** Closes every session. */
  async close(): Promise<void> {
    await Promise.all(this.all.map((session) => session.close().catch(() => undefined)));
    this.all.length = 0;
    this.idle.length = 0;
  }
}
