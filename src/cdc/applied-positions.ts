/**
 * Which source positions are applied, when sessions commit out of order: the watermark is the last
 * position before which everything given to apply has committed. The engine stores it on the
 * target and acknowledges it to the source; positions past it that committed are known by the
 * target's applied records, so a restart skips exactly those.
 */
import type { AppliedState } from './applier.js';
import type { StreamPosition } from './change.js';

/** One transaction (or stream progress) handed out in stream order. */
export interface PositionTicket {
  readonly position: StreamPosition;
  done: boolean;
}

/** Tracks what was handed out in stream order and what has committed. */
export class AppliedPositions {
  private readonly queue: PositionTicket[] = [];
  private head = 0;
  private mark: StreamPosition | undefined;
  private readonly appliedAfter: Set<string>;

  /** Starts from what the target holds (`ChangeApplier.prepare`). */
  constructor(state: AppliedState) {
    this.mark = state.watermark;
    this.appliedAfter = new Set(state.appliedAfter);
  }

  /** Whether the target already holds the transaction that ends at `position` (a restart must skip it). */
  isApplied(position: StreamPosition): boolean {
    if (this.mark && position.key <= this.mark.key) return true;
    return this.appliedAfter.has(position.key);
  }

  /** A position reached in stream order; `done` at once for progress with nothing to apply. */
  handOut(position: StreamPosition, done = false): PositionTicket {
    const ticket = { position, done };
    this.queue.push(ticket);
    return ticket;
  }

  /** Everything handed out up to and including the newest ticket that has every earlier one done. */
  watermark(): StreamPosition | undefined {
    while (this.head < this.queue.length && this.queue[this.head]!.done) {
      const position = this.queue[this.head]!.position;
      if (!this.mark || position.key > this.mark.key) this.mark = position;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return this.mark;
  }

  /** Tickets handed out and not yet committed. */
  get outstanding(): number {
    let count = 0;
    for (let index = this.head; index < this.queue.length; index++) if (!this.queue[index]!.done) count++;
    return count;
  }
}
