/**
 * What the SQLite applier knows of one change relation in the file, and its statements: one
 * prepared single-row statement per shape, run once per row (SQLite is in-process: a multi-row
 * statement saves no round trip, and one prepared statement per shape saves the parsing). Values
 * are bound exactly as `write` binds them (writer.ts encodeSqliteField: affinity checks, policies,
 * TEXT handed over as bytes cast back to TEXT).
 */
import { keyPositions as relationKeyPositions } from '../../cdc/apply-steps.js';
import type { ChangeRelation, ChangeValue } from '../../cdc/change.js';
import { isSameColumnSet, relationTable } from '../../cdc/sync-records.js';
import type { Table } from '../../schema/table.js';
import type { CanonicalValue } from '../../values/canonical.js';
import type { Coercions } from '../../values/coercions.js';
import { PRIMARY_KEY_COLUMNS, UNIQUE_INDEX_COLUMNS } from './apply-sql.js';
import type { SqliteParam } from './codecs.js';
import { keyPositions } from './row-key.js';
import type { SqliteDatabase } from './session.js';
import { quoteSqliteIdent } from './sql.js';
import { isSqliteTextBytes, sqliteRowidName } from './text-bytes.js';
import { encodeSqliteField, type WriteSlot, writeSlots } from './writer.js';

type Statement = ReturnType<SqliteDatabase['prepare']>;

/** A relation ready for statements. */
export interface SqliteApplyPlan {
  table: Table;
  quoted: string;
  names: string[];
  slots: WriteSlot[];
  written: number[];
  key: number[];
  /** Positions of the key among the columns, for messages (row-key.ts). */
  messageKey: number[];
  /** A unique index (or the primary key) has exactly the key's columns: ON CONFLICT (key) can replace a row. */
  unique: boolean;
  /** The name the rowid is selected under; undefined for WITHOUT ROWID tables. */
  rowid: string | undefined;
}

/** Reads the file's catalog for the relation's table and builds its plan. */
export function sqliteApplyPlan(db: SqliteDatabase, relation: ChangeRelation): SqliteApplyPlan {
  const table = relationTable(relation);
  const primary = (db.prepare(PRIMARY_KEY_COLUMNS).all(relation.name) as Array<{ name: string }>).map(
    (r) => r.name,
  );
  const indexes = new Map<string, Array<string | null>>();
  for (const row of db.prepare(UNIQUE_INDEX_COLUMNS).all(relation.name) as Array<{
    index_name: string;
    column_name: string | null;
  }>) {
    indexes.set(row.index_name, [...(indexes.get(row.index_name) ?? []), row.column_name]);
  }
  const candidates = [
    primary,
    ...[...indexes.values()].filter((names) => !names.includes(null)),
  ] as string[][];
  return {
    table,
    quoted: quoteSqliteIdent(relation.name),
    names: relation.columns.map((column) => quoteSqliteIdent(column.name)),
    slots: writeSlots(db, relation.name, relation.columns),
    written: relation.columns.flatMap((column, at) => (column.generated ? [] : [at])),
    key: relationKeyPositions(relation),
    messageKey: keyPositions(relation.columns, relation.key),
    unique: candidates.some((names) => names.length > 0 && isSameColumnSet(names, relation.key, true)),
    rowid: sqliteRowidName(db, table),
  };
}

/** How an insert meets an existing row of its key. */
export type SqliteInsertMode = 'replace' | 'keep' | 'plain';

/** Prepared statements of one session, by SQL text; and the binding of values. */
export class SqliteStatements {
  private readonly cache = new Map<string, Statement>();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly coercions: Coercions | undefined,
  ) {}

  /** Inserts one complete row; `replace` updates the row of its key instead, `keep` leaves it. */
  insert(plan: SqliteApplyPlan, row: CanonicalValue[], mode: SqliteInsertMode): number {
    const params = plan.written.map((at) => this.param(plan, at, row[at] ?? null, row));
    const names = plan.written.map((at) => plan.names[at]!).join(', ');
    let sql = `INSERT INTO ${plan.quoted} (${names}) VALUES (${params.map(placeholder).join(', ')})`;
    if (mode !== 'plain') {
      const conflict = plan.key.map((at) => plan.names[at]!).join(', ');
      const rest = plan.written.filter((at) => !plan.key.includes(at));
      sql +=
        mode === 'keep' || rest.length === 0
          ? ` ON CONFLICT (${conflict}) DO NOTHING`
          : ` ON CONFLICT (${conflict}) DO UPDATE SET ${rest.map((at) => `${plan.names[at]} = excluded.${plan.names[at]}`).join(', ')}`;
    }
    return this.run(sql, params);
  }

  /** Deletes the row of `key` (none: passes). */
  deleteKey(plan: SqliteApplyPlan, key: readonly CanonicalValue[]): number {
    const params: SqliteParam[] = [];
    const where = this.keyWhere(plan, key, params);
    return this.run(`DELETE FROM ${plan.quoted} WHERE ${where}`, params);
  }

  /** Sets the columns that came (UNCHANGED left out; key columns only with `moveKey`) on the row of `key`. */
  update(
    plan: SqliteApplyPlan,
    key: readonly CanonicalValue[],
    row: readonly ChangeValue[],
    moveKey: boolean,
  ): number {
    const params: SqliteParam[] = [];
    const set = this.setClause(plan, row, params, !moveKey);
    if (set === undefined) return 1;
    const where = this.keyWhere(plan, key, params);
    return this.run(`UPDATE ${plan.quoted} SET ${set} WHERE ${where}`, params);
  }

  /** Deletes one row equal to `key` in every column (a whole-row identity). */
  deleteOne(plan: SqliteApplyPlan, key: readonly CanonicalValue[]): number {
    const params: SqliteParam[] = [];
    const where = this.oneRow(plan, key, params);
    return this.run(`DELETE FROM ${plan.quoted} WHERE ${where}`, params);
  }

  /** Updates one row equal to `key` in every column to the values that came (a whole-row identity). */
  updateOne(plan: SqliteApplyPlan, key: readonly CanonicalValue[], row: readonly ChangeValue[]): number {
    const params: SqliteParam[] = [];
    const set = this.setClause(plan, row, params, false);
    if (set === undefined) return 1;
    const where = this.oneRow(plan, key, params);
    return this.run(`UPDATE ${plan.quoted} SET ${set} WHERE ${where}`, params);
  }

  /** Empties a table. */
  truncate(name: string): void {
    this.run(`DELETE FROM ${quoteSqliteIdent(name)}`, []);
  }

  private setClause(
    plan: SqliteApplyPlan,
    row: readonly ChangeValue[],
    params: SqliteParam[],
    skipKey: boolean,
  ) {
    const sets: string[] = [];
    for (const at of plan.written) {
      const value = row[at];
      if (value === undefined || typeof value === 'symbol' || (skipKey && plan.key.includes(at))) continue;
      const param = this.param(plan, at, value, row);
      params.push(param);
      sets.push(`${plan.names[at]} = ${placeholder(param)}`);
    }
    return sets.length > 0 ? sets.join(', ') : undefined;
  }

  private keyWhere(plan: SqliteApplyPlan, key: readonly CanonicalValue[], params: SqliteParam[]): string {
    const row = rowOfKey(plan, key);
    return plan.key
      .map((at, i) => {
        const param = this.param(plan, at, key[i] ?? null, row);
        params.push(param);
        return `${plan.names[at]} = ${placeholder(param)}`;
      })
      .join(' AND ');
  }

  /** One row whose every column IS the key's value, text by its bytes whatever the declared collation. */
  private oneRow(plan: SqliteApplyPlan, key: readonly CanonicalValue[], params: SqliteParam[]): string {
    const row = rowOfKey(plan, key);
    const tests = plan.key
      .map((at, i) => {
        const param = this.param(plan, at, key[i] ?? null, row);
        params.push(param);
        return `${plan.names[at]} IS ${placeholder(param)} COLLATE BINARY`;
      })
      .join(' AND ');
    // Without a rowid the table has a primary key, so at most one row matches anyway.
    return plan.rowid
      ? `${plan.rowid} = (SELECT ${plan.rowid} FROM ${plan.quoted} WHERE ${tests} LIMIT 1)`
      : tests;
  }

  private param(
    plan: SqliteApplyPlan,
    at: number,
    value: CanonicalValue,
    row: readonly ChangeValue[],
  ): SqliteParam {
    const values = row as CanonicalValue[];
    if (values[at] !== value) {
      const copy = [...values];
      copy[at] = value;
      return encodeSqliteField(
        plan.table,
        plan.table.columns,
        plan.slots,
        at,
        copy,
        plan.messageKey,
        0,
        this.coercions,
      );
    }
    return encodeSqliteField(
      plan.table,
      plan.table.columns,
      plan.slots,
      at,
      values,
      plan.messageKey,
      0,
      this.coercions,
    );
  }

  private run(sql: string, params: SqliteParam[]): number {
    let statement = this.cache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement.run(params).changes;
  }
}

/** `?`, or `CAST(? AS TEXT)` for TEXT handed over as its bytes (text-bytes.ts). */
function placeholder(param: SqliteParam): string {
  return isSqliteTextBytes(param) ? 'CAST(? AS TEXT)' : '?';
}

/** A row of the relation holding only the key values, for messages about a key. */
function rowOfKey(plan: SqliteApplyPlan, key: readonly CanonicalValue[]): CanonicalValue[] {
  const row: CanonicalValue[] = new Array(plan.table.columns.length).fill(null);
  plan.key.forEach((at, i) => {
    row[at] = key[i] ?? null;
  });
  return row;
}
