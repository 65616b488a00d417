/**
 * The statements of the MariaDB/MySQL applier, built from a relation's plan (apply-plan.ts) with
 * every value bound as the text the writer's encoders give LOAD DATA, through the same SET
 * expressions (`UNHEX(?)`, `CONV(?, 2, 10)`), so a value lands exactly as `write` lands it.
 */
import type { ChangeValue } from '../../cdc/change.js';
import type { CanonicalValue } from '../../values/canonical.js';
import { type MysqlApplyPlan, mysqlParam, rowOfKey } from './apply-plan.js';

/** A statement and its parameters. */
export interface MysqlStatement {
  sql: string;
  params: Array<string | null>;
}

/** How an insert meets an existing row of its key. */
export type MysqlInsertMode = 'replace' | 'keep' | 'plain';

/**
 * `INSERT … VALUES (…), (…)`; `replace`: ON DUPLICATE KEY UPDATE every other column (an update in
 * place, so no ON DELETE CASCADE fires as it would under REPLACE); `keep`: the existing row stays.
 */
export function insertRows(
  plan: MysqlApplyPlan,
  rows: readonly CanonicalValue[][],
  mode: MysqlInsertMode,
): MysqlStatement {
  const params: Array<string | null> = [];
  const columns = plan.written.map((at) => plan.columns[at]!);
  const tuples = rows.map((row) => {
    const fields = plan.written.map((at, i) => {
      params.push(mysqlParam(plan, at, row[at] ?? null, row));
      return columns[i]!.value;
    });
    return `(${fields.join(', ')})`;
  });
  let sql = `INSERT INTO ${plan.quoted} (${columns.map((c) => c.quoted).join(', ')}) VALUES ${tuples.join(', ')}`;
  if (mode !== 'plain') {
    const rest = plan.written.filter((at) => !plan.key.includes(at)).map((at) => plan.columns[at]!.quoted);
    const first = plan.columns[plan.key[0]!]!.quoted;
    const sets =
      mode === 'keep' || rest.length === 0 ? [`${first} = ${first}`] : rest.map((q) => `${q} = VALUES(${q})`);
    sql += ` ON DUPLICATE KEY UPDATE ${sets.join(', ')}`;
  }
  return { sql, params };
}

/** The `WHERE` of the rows of these keys: `k IN (…)`, or `(a = ? AND b = ?) OR …`. */
function keysWhere(
  plan: MysqlApplyPlan,
  keys: ReadonlyArray<readonly CanonicalValue[]>,
  params: Array<string | null>,
): string {
  const single = plan.key.length === 1;
  const tuples = keys.map((key) => {
    const row = rowOfKey(plan, key);
    const tests = plan.key.flatMap((at, i) => {
      // A generated key column follows from the others: the target computes it.
      const column = plan.columns[at];
      if (!column) return [];
      params.push(mysqlParam(plan, at, key[i] ?? null, row));
      return [single ? column.compare : `${column.quoted} = ${column.compare}`];
    });
    return single ? tests[0]! : `(${tests.join(' AND ')})`;
  });
  return single ? `${plan.columns[plan.key[0]!]!.quoted} IN (${tuples.join(', ')})` : tuples.join(' OR ');
}

/** `DELETE … WHERE key IN (…)`: the rows of these keys (a missing one passes). */
export function deleteKeys(plan: MysqlApplyPlan, keys: readonly CanonicalValue[][]): MysqlStatement {
  const params: Array<string | null> = [];
  const where = keysWhere(plan, keys, params);
  return { sql: `DELETE FROM ${plan.quoted} WHERE ${where}`, params };
}

/** The `SET` of the written columns that came (`UNCHANGED` ones left out); undefined when none did. */
function setClause(
  plan: MysqlApplyPlan,
  row: readonly ChangeValue[],
  params: Array<string | null>,
  skipKey: boolean,
) {
  const sets: string[] = [];
  for (const at of plan.written) {
    const value = row[at];
    if (value === undefined || typeof value === 'symbol' || (skipKey && plan.key.includes(at))) continue;
    params.push(mysqlParam(plan, at, value, row));
    sets.push(`${plan.columns[at]!.quoted} = ${plan.columns[at]!.value}`);
  }
  return sets.length > 0 ? sets.join(', ') : undefined;
}

/** `UPDATE … SET <columns that came> WHERE key = old` (with `moveKey`, the key columns too). */
export function updateByKey(
  plan: MysqlApplyPlan,
  key: readonly CanonicalValue[],
  row: readonly ChangeValue[],
  moveKey: boolean,
): MysqlStatement | undefined {
  const params: Array<string | null> = [];
  const set = setClause(plan, row, params, !moveKey);
  if (set === undefined) return undefined;
  const where = keysWhere(plan, [key], params);
  return { sql: `UPDATE ${plan.quoted} SET ${set} WHERE ${where}`, params };
}

/** One row equal to `key` in every column, NULL matching NULL (`<=>`), text by its bytes. */
function oneRowWhere(
  plan: MysqlApplyPlan,
  key: readonly CanonicalValue[],
  params: Array<string | null>,
): string {
  const row = rowOfKey(plan, key);
  return plan.key
    .flatMap((at, i) => {
      const column = plan.columns[at];
      if (!column) return [];
      params.push(mysqlParam(plan, at, key[i] ?? null, row));
      return [column.same()];
    })
    .join(' AND ');
}

/** Deletes one row equal to `key` (a whole-row identity). */
export function deleteOneRow(plan: MysqlApplyPlan, key: readonly CanonicalValue[]): MysqlStatement {
  const params: Array<string | null> = [];
  const where = oneRowWhere(plan, key, params);
  return { sql: `DELETE FROM ${plan.quoted} WHERE ${where} LIMIT 1`, params };
}

/** Updates one row equal to `key` to the values that came (a whole-row identity). */
export function updateOneRow(
  plan: MysqlApplyPlan,
  key: readonly CanonicalValue[],
  row: readonly ChangeValue[],
): MysqlStatement | undefined {
  const params: Array<string | null> = [];
  const set = setClause(plan, row, params, false);
  if (set === undefined) return undefined;
  const where = oneRowWhere(plan, key, params);
  return { sql: `UPDATE ${plan.quoted} SET ${set} WHERE ${where} LIMIT 1`, params };
}
