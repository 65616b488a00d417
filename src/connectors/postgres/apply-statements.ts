/**
 * The statements of the PostgreSQL applier, built from a relation's plan (apply-plan.ts) with every
 * value bound as a parameter in the text the writer's encoders give (the form COPY loads), so a
 * value lands exactly as `write` would land it. Parameters get their types from the column they
 * are assigned to or compared with; where nothing gives one (`VALUES` of an UPDATE … FROM) the
 * first row casts to the column's own type and the other rows follow it.
 */
import type { ChangeValue } from '../../cdc/change.js';
import type { CanonicalValue, Row } from '../../values/canonical.js';
import { type PostgresApplyPlan, rowOfKey } from './apply-plan.js';

/** A statement and its parameters. */
export interface PostgresStatement {
  text: string;
  values: Array<string | null>;
}

/** Collects parameters and hands out their `$n`. */
class Params {
  readonly values: Array<string | null> = [];

  add(value: string | null): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The parameter text of the value at `at` of `row` (null = NULL), checked and coerced as `write` does. */
function encode(plan: PostgresApplyPlan, at: number, value: CanonicalValue, row: readonly ChangeValue[]) {
  return plan.columns[at]!.encoder.encode(value, row as Row);
}

/** How an insert meets an existing row of its key. */
export type InsertMode = 'replace' | 'ignore' | 'plain';

/** `INSERT … VALUES (…), (…)`; `replace`: ON CONFLICT (key) DO UPDATE, `ignore`: DO NOTHING. */
export function insertRows(
  plan: PostgresApplyPlan,
  rows: readonly CanonicalValue[][],
  mode: InsertMode,
): PostgresStatement {
  const params = new Params();
  const names = plan.written.map((at) => plan.columns[at]!.quoted).join(', ');
  const tuples = rows.map(
    (row) => `(${plan.written.map((at) => params.add(encode(plan, at, row[at] ?? null, row))).join(', ')})`,
  );
  // OVERRIDING SYSTEM VALUE: a GENERATED ALWAYS identity takes the source's value, as COPY does.
  let text = `INSERT INTO ${plan.qualified} (${names}) OVERRIDING SYSTEM VALUE VALUES ${tuples.join(', ')}`;
  if (mode !== 'plain') {
    const conflict = plan.key.map((at) => plan.columns[at]!.quoted).join(', ');
    const rest = plan.written.filter((at) => !plan.key.includes(at));
    text +=
      mode === 'ignore' || rest.length === 0
        ? ` ON CONFLICT (${conflict}) DO NOTHING`
        : ` ON CONFLICT (${conflict}) DO UPDATE SET ${rest
            .map((at) => `${plan.columns[at]!.quoted} = EXCLUDED.${plan.columns[at]!.quoted}`)
            .join(', ')}`;
  }
  return { text, values: params.values };
}

/** `DELETE … WHERE key IN (…)`: the rows of these keys (a missing one passes). */
export function deleteKeys(plan: PostgresApplyPlan, keys: readonly CanonicalValue[][]): PostgresStatement {
  const params = new Params();
  const single = plan.key.length === 1;
  const names = plan.key.map((at) => plan.columns[at]!.quoted).join(', ');
  const tuples = keys.map((key) => {
    const row = rowOfKey(plan, key);
    const list = plan.key.map((at, i) => params.add(encode(plan, at, key[i] ?? null, row))).join(', ');
    return single ? list : `(${list})`;
  });
  const target = single ? names : `(${names})`;
  return {
    text: `DELETE FROM ${plan.qualified} WHERE ${target} IN (${tuples.join(', ')})`,
    values: params.values,
  };
}

/**
 * Same-key updates of the columns in `present` (key columns are not set: they do not change),
 * joined to their rows by key; RETURNING gives the ordinal of each row that matched, so the
 * caller can insert the complete rows that did not.
 */
export function updateRows(
  plan: PostgresApplyPlan,
  present: readonly boolean[],
  keys: readonly CanonicalValue[][],
  rows: readonly ChangeValue[][],
): PostgresStatement | undefined {
  const set = plan.written.filter((at) => present[at] && !plan.key.includes(at));
  if (set.length === 0) return undefined;
  const params = new Params();
  const typed = (placeholder: string, cast: string, first: boolean) =>
    first ? `${placeholder}::${cast}` : placeholder;
  const tuples = rows.map((row, n) => {
    const first = n === 0;
    const key = keys[n]!;
    const fields = [
      typed(params.add(String(n)), 'int4', first),
      ...plan.key.map((at, i) =>
        typed(params.add(encode(plan, at, key[i] ?? null, row)), plan.columns[at]!.cast, first),
      ),
      ...set.map((at) =>
        typed(params.add(encode(plan, at, row[at] as CanonicalValue, row)), plan.columns[at]!.cast, first),
      ),
    ];
    return `(${fields.join(', ')})`;
  });
  const aliases = ['ferry_n', ...plan.key.map((_, i) => `ferry_k${i}`), ...set.map((_, i) => `ferry_s${i}`)];
  const assignments = set.map((at, i) => `${plan.columns[at]!.quoted} = ferry_v.ferry_s${i}`).join(', ');
  const match = plan.key
    .map((at, i) => `ferry_t.${plan.columns[at]!.quoted} = ferry_v.ferry_k${i}`)
    .join(' AND ');
  return {
    text:
      `UPDATE ${plan.qualified} AS ferry_t SET ${assignments} FROM (VALUES ${tuples.join(', ')}) ` +
      `AS ferry_v(${aliases.join(', ')}) WHERE ${match} RETURNING ferry_v.ferry_n`,
    values: params.values,
  };
}

/** `UPDATE … SET <present columns, key included> WHERE key = old`: a key change with UNCHANGED values. */
export function updateKeyInPlace(
  plan: PostgresApplyPlan,
  key: readonly CanonicalValue[],
  row: readonly ChangeValue[],
): PostgresStatement {
  const params = new Params();
  const set = plan.written
    .filter((at) => row[at] !== undefined && typeof row[at] !== 'symbol')
    .map(
      (at) => `${plan.columns[at]!.quoted} = ${params.add(encode(plan, at, row[at] as CanonicalValue, row))}`,
    );
  const old = rowOfKey(plan, key);
  const match = plan.key
    .map((at, i) => `${plan.columns[at]!.quoted} = ${params.add(encode(plan, at, key[i] ?? null, old))}`)
    .join(' AND ');
  return { text: `UPDATE ${plan.qualified} SET ${set.join(', ')} WHERE ${match}`, values: params.values };
}

/** `ctid = (one row whose every key column is not distinct from the key)`: one row of several equal ones. */
function oneMatchingRow(plan: PostgresApplyPlan, key: readonly CanonicalValue[], params: Params): string {
  const old = rowOfKey(plan, key);
  const tests = plan.key.map((at, i) => {
    const column = plan.columns[at]!;
    const value = params.add(encode(plan, at, key[i] ?? null, old));
    return column.textCompare
      ? `${column.quoted}::text IS NOT DISTINCT FROM ${value}::text`
      : `${column.quoted} IS NOT DISTINCT FROM ${value}::${column.cast}`;
  });
  return `ctid = (SELECT ctid FROM ${plan.qualified} WHERE ${tests.join(' AND ')} LIMIT 1)`;
}

/** Deletes one row equal to `key` in every column (a whole-row identity). */
export function deleteOneRow(plan: PostgresApplyPlan, key: readonly CanonicalValue[]): PostgresStatement {
  const params = new Params();
  const where = oneMatchingRow(plan, key, params);
  return { text: `DELETE FROM ${plan.qualified} WHERE ${where}`, values: params.values };
}

/** Updates one row equal to `key` in every column to the values that came (a whole-row identity). */
export function updateOneRow(
  plan: PostgresApplyPlan,
  key: readonly CanonicalValue[],
  row: readonly ChangeValue[],
): PostgresStatement | undefined {
  const params = new Params();
  const set = plan.written
    .filter((at) => row[at] !== undefined && typeof row[at] !== 'symbol')
    .map(
      (at) => `${plan.columns[at]!.quoted} = ${params.add(encode(plan, at, row[at] as CanonicalValue, row))}`,
    );
  if (set.length === 0) return undefined;
  const where = oneMatchingRow(plan, key, params);
  return { text: `UPDATE ${plan.qualified} SET ${set.join(', ')} WHERE ${where}`, values: params.values };
}
