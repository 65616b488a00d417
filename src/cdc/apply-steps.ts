/**
 * How an applier turns a transaction's changes into statements, whatever the target: consecutive
 * changes of one kind on one relation become one step (one multi-row statement), in log order. A
 * step never holds the same key twice, so the statements of one step may run in any row order and
 * a multi-row upsert never meets its own row. Engine SQL stays in the connectors (apply.ts).
 */
import type { CanonicalValue } from '../values/canonical.js';
import { estimateBytes } from '../values/canonical.js';
import { type ChangeRelation, type ChangeValue, type RowChange, UNCHANGED } from './change.js';

/** One statement's worth of changes on one relation (truncate: on several). */
export type ApplyStep =
  /** Insert-or-replace these complete rows by key (inserts, and same-key updates where `updatesAsUpserts`). */
  | { op: 'upsert'; relation: ChangeRelation; rows: CanonicalValue[][] }
  /**
   * Same-key updates that set the same columns (`present`: which of `relation.columns` came; the
   * others were UNCHANGED). `keys[i]` is the identity of `rows[i]`.
   */
  | {
      op: 'update';
      relation: ChangeRelation;
      present: boolean[];
      keys: CanonicalValue[][];
      rows: ChangeValue[][];
    }
  /** One update that changes the row's key: the old key goes, the new row comes. */
  | { op: 'rekey'; relation: ChangeRelation; key: CanonicalValue[]; row: ChangeValue[] }
  /** Deletes by key (a whole-row identity: one step per row, touching one matching row). */
  | { op: 'delete'; relation: ChangeRelation; keys: CanonicalValue[][] }
  | { op: 'truncate'; relations: ChangeRelation[] };

/** Size limits of one step, and whether same-key complete updates may travel as upserts. */
export interface StepLimits {
  /** Rows per step, at most. */
  maxRows: number;
  /** Bound values per step (rows × columns), at most: the driver's or server's parameter limit. */
  maxParams: number;
  /** Estimated bytes of the values of one step (estimateBytes), at most: the statement's size. */
  maxBytes: number;
  /**
   * A same-key update whose row is complete (no UNCHANGED) is an upsert of that row: the target's
   * insert-or-update does both what the update does and the insert when the row is missing.
   */
  updatesAsUpserts: boolean;
}

/** Limits that suit a networked server: 1 000 rows, 30 000 values or 4 MiB per statement. */
export const DEFAULT_STEP_LIMITS: StepLimits = {
  maxRows: 1000,
  maxParams: 30_000,
  maxBytes: 4 * 1024 * 1024,
  updatesAsUpserts: false,
};

/**
 * Whether the relation identifies a row by all its values (no primary or unique key): an update or
 * delete then touches one matching row of possibly several equal ones, so it is never grouped.
 */
export function isWholeRowIdentity(relation: ChangeRelation): boolean {
  return relation.key.length === relation.columns.length;
}

/** Positions of `relation.key` among `relation.columns`; throws when the stream names a column it lacks. */
export function keyPositions(relation: ChangeRelation): number[] {
  return relation.key.map((name) => {
    const at = relation.columns.findIndex((column) => column.name === name);
    if (at < 0) throw new Error(`Relation "${relation.name}" has no key column "${name}".`);
    return at;
  });
}

/** A text that is equal for two key tuples exactly when their canonical values are (types told apart). */
export function keyIdentity(values: readonly ChangeValue[]): string {
  let text = '';
  for (const value of values) {
    if (value === null) text += 'n;';
    else if (value === UNCHANGED) text += 'u;';
    else if (typeof value === 'bigint') text += `i${value};`;
    else if (typeof value === 'number') text += `f${Object.is(value, -0) ? '-0' : String(value)};`;
    else if (typeof value === 'boolean') text += value ? 't;' : 'F;';
    else if (Buffer.isBuffer(value)) text += `x${value.toString('hex')};`;
    else text += `s${value.length}:${value};`;
  }
  return text;
}

/** The new row's key, where the row sends it (an UNCHANGED key column keeps the old value). */
export function newKeyOf(
  key: readonly CanonicalValue[],
  row: readonly ChangeValue[],
  at: number[],
): ChangeValue[] {
  return at.map((position, i) => {
    const value = row[position];
    return value === UNCHANGED || value === undefined ? key[i]! : value;
  });
}

function isComplete(row: readonly ChangeValue[]): row is CanonicalValue[] {
  return !row.includes(UNCHANGED);
}

function rowBytes(row: readonly ChangeValue[]): number {
  let bytes = 0;
  for (const value of row) bytes += value === UNCHANGED ? 1 : estimateBytes(value);
  return bytes;
}

/** The step being filled, with what decides whether the next change may join it. */
interface OpenStep {
  step: ApplyStep;
  keys: Set<string>;
  rows: number;
  params: number;
  bytes: number;
  /** For updates: which columns came, as text. */
  mask?: string;
}

/**
 * Cuts changes into steps, in order: each step holds consecutive changes of one kind on one
 * relation (the same object), with no key twice and within `limits`. Whole-row identities update
 * and delete one row per step; a key-changing update is a step of its own.
 */
export function applySteps(
  changes: readonly RowChange[],
  limits: StepLimits = DEFAULT_STEP_LIMITS,
): ApplyStep[] {
  const steps: ApplyStep[] = [];
  let open: OpenStep | undefined;
  const positions = new Map<ChangeRelation, number[]>();
  const keyAt = (relation: ChangeRelation) => {
    let at = positions.get(relation);
    if (!at) {
      at = keyPositions(relation);
      positions.set(relation, at);
    }
    return at;
  };
  const close = () => {
    if (open) steps.push(open.step);
    open = undefined;
  };
  /** Adds a row to the open step when it fits there, else opens a new one with `make`. */
  const add = (
    relation: ChangeRelation,
    op: ApplyStep['op'],
    identity: string,
    width: number,
    bytes: number,
    mask: string | undefined,
    make: () => ApplyStep,
    push: (step: ApplyStep) => void,
  ) => {
    const fits =
      open !== undefined &&
      open.step.op === op &&
      open.step.op !== 'truncate' &&
      open.step.relation === relation &&
      open.mask === mask &&
      !open.keys.has(identity) &&
      open.rows + 1 <= limits.maxRows &&
      open.params + width <= limits.maxParams &&
      open.bytes + bytes <= limits.maxBytes;
    if (!fits) {
      close();
      open = { step: make(), keys: new Set(), rows: 0, params: 0, bytes: 0, mask };
    }
    const current = open!;
    current.keys.add(identity);
    current.rows++;
    current.params += width;
    current.bytes += bytes;
    push(current.step);
  };

  for (const change of changes) {
    if (change.kind === 'truncate') {
      close();
      steps.push({ op: 'truncate', relations: change.relations });
      continue;
    }
    const relation = change.relation;
    const width = relation.columns.length;
    const at = keyAt(relation);
    const single = isWholeRowIdentity(relation);
    if (change.kind === 'insert') {
      const { row } = change;
      add(
        relation,
        'upsert',
        keyIdentity(at.map((p) => row[p] ?? null)),
        width,
        rowBytes(row),
        undefined,
        () => ({ op: 'upsert', relation, rows: [] }),
        (step) => (step as Extract<ApplyStep, { op: 'upsert' }>).rows.push(row),
      );
      continue;
    }
    if (change.kind === 'delete') {
      const { key } = change;
      if (single) {
        close();
        steps.push({ op: 'delete', relation, keys: [key] });
        continue;
      }
      add(
        relation,
        'delete',
        keyIdentity(key),
        key.length,
        rowBytes(key),
        undefined,
        () => ({ op: 'delete', relation, keys: [] }),
        (step) => (step as Extract<ApplyStep, { op: 'delete' }>).keys.push(key),
      );
      continue;
    }
    const { key, row } = change;
    const identity = keyIdentity(key);
    const sameKey = single || keyIdentity(newKeyOf(key, row, at)) === identity;
    if (!sameKey) {
      close();
      steps.push({ op: 'rekey', relation, key, row });
      continue;
    }
    if (single) {
      close();
      steps.push({
        op: 'update',
        relation,
        present: row.map((v) => v !== UNCHANGED),
        keys: [key],
        rows: [row],
      });
      continue;
    }
    if (limits.updatesAsUpserts && isComplete(row)) {
      add(
        relation,
        'upsert',
        identity,
        width,
        rowBytes(row),
        undefined,
        () => ({ op: 'upsert', relation, rows: [] }),
        (step) => (step as Extract<ApplyStep, { op: 'upsert' }>).rows.push(row),
      );
      continue;
    }
    const present = row.map((v) => v !== UNCHANGED);
    add(
      relation,
      'update',
      identity,
      width + key.length,
      rowBytes(row) + rowBytes(key),
      present.map((p) => (p ? '1' : '0')).join(''),
      () => ({ op: 'update', relation, present, keys: [], rows: [] }),
      (step) => {
        const update = step as Extract<ApplyStep, { op: 'update' }>;
        update.keys.push(key);
        update.rows.push(row);
      },
    );
  }
  close();
  return steps;
}
