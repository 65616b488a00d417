/**
 * What the PostgreSQL applier knows of one change relation on the target, read once per session
 * from the catalog: each column's encoder (the writer's, column-encoder.ts: the same checks and
 * coercions as `write`), the type a bound value is cast to, and whether a unique index on the
 * relation's key lets `INSERT … ON CONFLICT` replace a row by key.
 */
import type pg from 'pg';
import { keyPositions } from '../../cdc/apply-steps.js';
import type { ChangeRelation } from '../../cdc/change.js';
import { isSameColumnSet, relationTable } from '../../cdc/sync-records.js';
import type { Table } from '../../schema/table.js';
import type { CanonicalValue } from '../../values/canonical.js';
import type { Coercions } from '../../values/coercions.js';
import { APPLY_COLUMNS, type ApplyColumnRow, NO_EQUALITY_TYPES, UNIQUE_KEYS } from './apply-sql.js';
import { PostgresColumnEncoder } from './column-encoder.js';
import { qualify, quoteIdent } from './identifiers.js';
import { assumed, keyDescriber, targetColumns } from './writer.js';

/** One column of a relation as the statements use it. */
export interface PostgresApplyColumn {
  quoted: string;
  encoder: PostgresColumnEncoder;
  /** The column's own type, for `$n::type` where nothing else gives a parameter its type. */
  cast: string;
  /** No `=` operator (json, xml, geometric types): a whole-row identity compares the text. */
  textCompare: boolean;
}

/** A relation ready for statements. */
export interface PostgresApplyPlan {
  table: Table;
  /** The quoted, schema-qualified target table. */
  qualified: string;
  columns: PostgresApplyColumn[];
  /** Positions of the columns written (generated columns are the target's to compute). */
  written: number[];
  /** Positions of the key columns. */
  key: number[];
  /** A unique index has exactly the key's columns: ON CONFLICT (key) can replace a row. */
  conflict: boolean;
}

/** Reads the catalog of the relation's table on `client` and builds its plan. */
export async function postgresApplyPlan(
  client: pg.ClientBase,
  schema: string,
  relation: ChangeRelation,
  coercions: Coercions,
): Promise<PostgresApplyPlan> {
  const table = relationTable(relation);
  const qualified = qualify(schema, relation.name);
  const targets = await targetColumns(client, schema, relation.name);
  const casts = new Map(
    (await client.query<ApplyColumnRow>(APPLY_COLUMNS, [qualified])).rows.map((row) => [row.name, row]),
  );
  const unique = (await client.query<{ columns: string[] }>(UNIQUE_KEYS, [qualified])).rows;
  const keyOf = keyDescriber(table, relation.columns);
  const columns = relation.columns.map((column): PostgresApplyColumn => {
    const target = targets.get(column.name) ?? assumed(column);
    const cast = casts.get(column.name);
    return {
      quoted: quoteIdent(column.name),
      encoder: new PostgresColumnEncoder(table, column, target, coercions, keyOf),
      cast: cast?.cast_type ?? target.native,
      textCompare: NO_EQUALITY_TYPES.has(cast?.base_type ?? ''),
    };
  });
  return {
    table,
    qualified,
    columns,
    written: relation.columns.flatMap((column, at) => (column.generated ? [] : [at])),
    key: keyPositions(relation),
    conflict: unique.some((index) => isSameColumnSet(index.columns, relation.key)),
  };
}

/** A row of the relation as long as its columns, holding only the key values (for messages about a key). */
export function rowOfKey(plan: PostgresApplyPlan, key: readonly CanonicalValue[]): CanonicalValue[] {
  const row: CanonicalValue[] = new Array(plan.columns.length).fill(null);
  plan.key.forEach((at, i) => {
    row[at] = key[i] ?? null;
  });
  return row;
}
