/**
 * The coercion tally of an applier: values a policy changed count only once their transaction
 * commits (as a chunk's count only once it commits), whichever moment an engine's encoder counts.
 */
import { type CoercionCount, Coercions } from '../values/coercions.js';
import type { CoercionAction, LossKind } from '../values/loss-kinds.js';

/** Policies of `base`; counts held per transaction, added to `base` by `commit`, dropped by `rollback`. */
export class TransactionCoercions extends Coercions {
  private pending: Coercions;

  constructor(private readonly base: Coercions) {
    super();
    this.pending = base.fresh();
  }

  override action(loss: LossKind, table: string, column: string): CoercionAction {
    return this.base.action(loss, table, column);
  }

  override applied(loss: LossKind, table: string, column: string, action: CoercionAction, values = 1): void {
    this.pending.applied(loss, table, column, action, values);
  }

  override fresh(): Coercions {
    return this.base.fresh();
  }

  /** The committed counts (those of `base`). */
  override counts(): CoercionCount[] {
    return this.base.counts();
  }

  /** The open transaction committed: its counts join `base`. */
  commit(): void {
    this.base.absorb(this.pending);
    this.pending = this.base.fresh();
  }

  /** The open transaction was abandoned: nothing it counted happened. */
  rollback(): void {
    this.pending = this.base.fresh();
  }
}
