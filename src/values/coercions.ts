/**
 * The run's coercion policies (`--coerce zero-date=null`, `--coerce orders.shipped:zero-date=substitute`)
 * and the count of what they changed, per column. Connectors ask `action()` when a value does not
 * fit, throw `lossError()` for `error`, and call `applied()` for anything else.
 */
import { UsageError, ValueError } from '../errors.js';
import {
  allowsAction,
  type CoercionAction,
  LOSS_KIND_NAMES,
  LOSS_KINDS,
  type LossKind,
} from './loss-kinds.js';

/** One policy: an action for a loss kind, for every column or for one `table.column`. */
export interface CoercionRule {
  loss: LossKind;
  action: CoercionAction;
  table?: string;
  column?: string;
}

/** How many values a policy changed in one column. */
export interface CoercionCount {
  table: string;
  column: string;
  loss: LossKind;
  action: CoercionAction;
  values: number;
}

/** Parses `loss=action` or `table.column:loss=action`; throws a UsageError naming the choices. */
export function parseCoercionRule(text: string): CoercionRule {
  const match = /^(?:([^.:=]+)\.([^:=]+):)?([a-z-]+)=([a-z]+)$/.exec(text.trim());
  if (!match) {
    throw new UsageError(
      'BAD_COERCE',
      `--coerce "${text}" is not of the form <loss>=<action> or <table>.<column>:<loss>=<action> (for example zero-date=null).`,
    );
  }
  const [, table, column, lossText = '', actionText = ''] = match;
  if (!(LOSS_KIND_NAMES as string[]).includes(lossText)) {
    throw new UsageError(
      'BAD_COERCE',
      `--coerce: unknown loss "${lossText}". Known: ${LOSS_KIND_NAMES.join(', ')}.`,
    );
  }
  const loss = lossText as LossKind;
  const action = actionText as CoercionAction;
  if (!['error', 'null', 'substitute', 'widen'].includes(action) || !allowsAction(loss, action)) {
    const allowed = ['error', ...Object.keys(LOSS_KINDS[loss].actions)].join(', ');
    throw new UsageError(
      'BAD_COERCE',
      `--coerce ${loss}: unknown or unsupported action "${actionText}". Allowed: ${allowed}.`,
    );
  }
  return { loss, action, ...(table ? { table, column } : {}) };
}

/** The policies of one run, and the tally of values they changed. */
export class Coercions {
  private readonly rules: CoercionRule[];
  private readonly tally = new Map<string, CoercionCount>();

  constructor(rules: readonly CoercionRule[] = []) {
    this.rules = [...rules];
  }

  /** The action for a loss in a column: a `table.column` rule wins over a general one; default `error`. */
  action(loss: LossKind, table: string, column: string): CoercionAction {
    let general: CoercionAction | undefined;
    for (const rule of this.rules) {
      if (rule.loss !== loss) continue;
      if (rule.table === undefined) general = rule.action;
      else if (rule.table === table && rule.column === column) return rule.action;
    }
    return general ?? 'error';
  }

  /** Counts `values` values that a policy changed (call once per value, or once per batch with a count). */
  applied(loss: LossKind, table: string, column: string, action: CoercionAction, values = 1): void {
    const key = `${table}\u0000${column}\u0000${loss}\u0000${action}`;
    const entry = this.tally.get(key);
    if (entry) entry.values += values;
    else this.tally.set(key, { table, column, loss, action, values });
  }

  /** The same policies with counts of their own: one chunk's attempt, `absorb`ed once it commits. */
  fresh(): Coercions {
    return new Coercions(this.rules);
  }

  /** Adds the counts of `other` (a committed attempt's) to these. */
  absorb(other: Coercions): void {
    for (const entry of other.counts()) {
      this.applied(entry.loss, entry.table, entry.column, entry.action, entry.values);
    }
  }

  /** Forgets the counts of a table whose write was rolled back: nothing of it was changed. */
  discard(table: string): void {
    for (const [key, entry] of this.tally) if (entry.table === table) this.tally.delete(key);
  }

  /** What the policies changed so far, per column. */
  counts(): CoercionCount[] {
    return [...this.tally.values()];
  }
}

/** Where a value that does not fit was found, and what it is. */
export interface LossSite {
  loss: LossKind;
  table: string;
  column: string;
  /** The row's primary key as `id=3` or `a=1, b=x`, when known. Never other values. */
  key?: string;
  /** The target type, e.g. `PostgreSQL date`. */
  target: string;
}

/** The error for a value that does not fit and whose policy is `error`: names where, what, and the way out. */
export function lossError(site: LossSite): ValueError {
  const info = LOSS_KINDS[site.loss];
  const choices = Object.keys(info.actions).join('|');
  const where = `table ${site.table}, column ${site.column}${site.key ? `, key ${site.key}` : ''}`;
  return new ValueError(
    `LOSSY_${site.loss.toUpperCase().replace(/-/g, '_')}`,
    `${where}: ${info.what} cannot be stored in ${site.target} without changing it; the table was stopped. ` +
      `To let such values through, choose a policy: --coerce ${site.loss}=${choices} ` +
      `(or only for this column: --coerce ${site.table}.${site.column}:${site.loss}=…).`,
    { table: site.table, column: site.column },
  );
}
