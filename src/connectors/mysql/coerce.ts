/**
 * Applies the run's coercion policy to a value that does not fit its target column: `error` (the
 * default) stops the table, `null` and `substitute` change the value, `widen` lets a type with no
 * counterpart through as its text. What a policy changed is counted and reported after COMMIT.
 */
import type { CanonicalValue } from '../../values/canonical.js';
import type { Coercions } from '../../values/coercions.js';
import type { CoercionAction, LossKind } from '../../values/loss-kinds.js';
import type { Misfit } from './fit.js';

/** A value whose policy is `error` (or whose policy cannot apply); the writer turns it into lossError. */
export class MysqlLoss extends Error {
  constructor(readonly loss: LossKind) {
    super(`loss ${loss}`);
  }
}

/** The text form a type without counterpart is stored as when widened to text. */
function textForm(value: CanonicalValue, loss: LossKind): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  throw new MysqlLoss(loss);
}

/** The policy of one target column, with the count of what it changed in this write. */
export class MysqlColumnPolicy {
  private readonly counts = new Map<string, { loss: LossKind; action: CoercionAction; values: number }>();

  constructor(
    private readonly table: string,
    private readonly column: string,
    private readonly nullable: boolean,
    private readonly coercions: Coercions | undefined,
  ) {}

  /** The value to write instead of one that does not fit; throws MysqlLoss when the policy is `error`. */
  resolve(value: CanonicalValue, misfit: Misfit): CanonicalValue {
    const action = this.coercions?.action(misfit.loss, this.table, this.column) ?? 'error';
    let result: CanonicalValue;
    if (action === 'null') result = null;
    else if (action === 'substitute' && misfit.substitute !== undefined) result = misfit.substitute;
    // Widening created a wider column, so only a type without counterpart still lands here: as text.
    else if (action === 'widen' && misfit.loss === 'no-target-type') result = textForm(value, misfit.loss);
    else throw new MysqlLoss(misfit.loss);
    if (result === null && !this.nullable) throw new MysqlLoss(misfit.loss);
    this.count(misfit.loss, action);
    return result;
  }

  private count(loss: LossKind, action: CoercionAction): void {
    const key = `${loss}\u0000${action}`;
    const entry = this.counts.get(key);
    if (entry) entry.values++;
    else this.counts.set(key, { loss, action, values: 1 });
  }

  /** Reports the counts to the run's tally (after the write committed). */
  flush(): void {
    for (const { loss, action, values } of this.counts.values()) {
      this.coercions?.applied(loss, this.table, this.column, action, values);
    }
    this.counts.clear();
  }
}
