/**
 * Every way a value can fail to fit its target type, each with the choices a user can make about
 * it (`--coerce <loss>=<action>`). One table: error messages, `--help`, `--dry-run` and
 * docs/types.md all read it, so a policy is documented where it is defined.
 */

/** What a policy may do with a value that does not fit: stop (default), NULL, a substitute, a wider type. */
export type CoercionAction = 'error' | 'null' | 'substitute' | 'widen';

/** One kind of loss: what it is, and what each non-error action does. */
export interface LossKindInfo {
  /** What the value is, for messages: "a zero date (0000-00-00 or a zero month or day)". */
  what: string;
  /** The actions allowed besides `error`, each with what it does. */
  actions: Partial<Record<Exclude<CoercionAction, 'error'>, string>>;
}

/** The loss kinds Ferry knows. Connectors detect them; the engine counts what policies changed. */
export const LOSS_KINDS = {
  'zero-date': {
    what: 'a zero date (0000-00-00, or a zero month or day such as 2020-00-15)',
    actions: {
      null: 'stores NULL',
      substitute:
        'raises each zero part to its first valid value: 0000-00-00 → 0001-01-01, 2020-00-15 → 2020-01-15',
    },
  },
  'infinite-date': {
    what: 'an infinite or out-of-calendar date (PostgreSQL infinity/-infinity or a BC date)',
    actions: {
      null: 'stores NULL',
      substitute: 'clamps to the target type’s first or last value (for example 9999-12-31 23:59:59.999999)',
    },
  },
  'time-range': {
    what: 'a time of day outside 00:00:00–24:00:00 (MySQL TIME can be negative or above 24 hours)',
    actions: { null: 'stores NULL', widen: 'creates the column as an interval / text type that holds it' },
  },
  'nul-in-text': {
    what: 'text containing the NUL character (U+0000)',
    actions: {
      null: 'stores NULL',
      substitute: 'removes the NUL characters',
      widen: 'creates the column as binary (bytea) holding the UTF-8 bytes',
    },
  },
  'invalid-text': {
    what: 'text that is not valid Unicode (invalid UTF-8 bytes or a lone surrogate)',
    actions: { null: 'stores NULL', substitute: 'replaces each invalid sequence with U+FFFD' },
  },
  'too-long': {
    what: 'a text or binary value longer than the target column allows',
    actions: {
      null: 'stores NULL',
      substitute: 'cuts it to the column’s length',
      widen: 'creates the column without a length limit',
    },
  },
  'out-of-range': {
    what: 'a number or instant outside the target type’s range (for example 2^64−1 into a signed 64-bit integer, or 2100-01-01 into a MySQL TIMESTAMP)',
    actions: {
      null: 'stores NULL',
      substitute: 'clamps to the target type’s minimum or maximum',
      widen: 'creates the column as a wider type (NUMERIC/DECIMAL, or text in SQLite)',
    },
  },
  precision: {
    what: 'a number or time with more digits than the target type keeps (decimal scale, fractional seconds, single-precision float)',
    actions: {
      null: 'stores NULL',
      substitute: 'rounds to the target’s precision',
      widen: 'creates the column with enough precision',
    },
  },
  'special-float': {
    what: 'a float NaN, ±Infinity or -0 that the target cannot store',
    actions: {
      null: 'stores NULL',
      substitute: '-0 → 0; ±Infinity → the target type’s largest finite value of that sign; NaN → NULL',
    },
  },
  'storage-class': {
    what: 'a SQLite value its declared type cannot describe (another storage class, such as text in an INTEGER column, or a value outside the type, such as 300 in a TINYINT)',
    actions: { null: 'stores NULL' },
  },
  'no-target-type': {
    what: 'a type the target engine has no counterpart for (geometry, arrays, ranges, inet, money, xml, …)',
    actions: {
      null: 'stores NULL',
      widen: 'creates the column as text holding the source’s text form (geometry as WKT)',
    },
  },
} as const satisfies Record<string, LossKindInfo>;

/** The name of a loss kind, as used with `--coerce`. */
export type LossKind = keyof typeof LOSS_KINDS;

/** All loss kinds, in documentation order. */
export const LOSS_KIND_NAMES = Object.keys(LOSS_KINDS) as LossKind[];

/** Whether `action` is allowed for `loss`. */
export function allowsAction(loss: LossKind, action: CoercionAction): boolean {
  return action === 'error' || action in LOSS_KINDS[loss].actions;
}
