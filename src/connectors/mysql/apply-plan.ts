/**
 * What the MariaDB/MySQL applier knows of one change relation on the target: each written column's
 * encoder and policy (the writer's, writer.ts loadColumnsFor: the same checks and coercions as
 * `write`), the placeholder a value is bound in (`UNHEX(?)` for bytes, as LOAD DATA's SET does),
 * how a key value is compared without passing through a double, and whether a unique index on the
 * key lets `ON DUPLICATE KEY UPDATE` replace a row by key.
 */
import { keyPositions } from '../../cdc/apply-steps.js';
import type { ChangeRelation, ChangeValue } from '../../cdc/change.js';
import { isSameColumnSet, relationTable } from '../../cdc/sync-records.js';
import { ValueError } from '../../errors.js';
import type { LogicalType } from '../../schema/logical-type.js';
import type { Table } from '../../schema/table.js';
import type { CanonicalValue } from '../../values/canonical.js';
import { type Coercions, lossError } from '../../values/coercions.js';
import { type MysqlUniqueKeyRow, UNIQUE_KEY_COLUMNS } from './apply-sql.js';
import { MysqlValueProblem } from './codecs.js';
import { MysqlLoss } from './coerce.js';
import { columnFacts } from './introspect.js';
import type { MysqlConnection, MysqlSession } from './session.js';
import { type MysqlColumnRow, quoteIdentifier } from './sql.js';
import { logicalTypeOf } from './types.js';
import { loadColumnsFor, type MysqlLoadColumn } from './writer.js';

/** One written column of a relation as the statements use it. */
export interface MysqlApplyColumn {
  quoted: string;
  load: MysqlLoadColumn;
  /** The placeholder of a value written into the column: `?`, `UNHEX(?)`, … */
  value: string;
  /** `col <=> x` with x bound: comparisons that keep integers, decimals and floats exact, text by bytes. */
  same(placeholder?: string): string;
  /** The placeholder of a key value compared with `=` (the column's index stays usable). */
  compare: string;
}

/** A relation ready for statements. */
export interface MysqlApplyPlan {
  table: Table;
  quoted: string;
  /** Per relation column; undefined for a generated column (the target computes it). */
  columns: Array<MysqlApplyColumn | undefined>;
  written: number[];
  key: number[];
  /** A unique index has exactly the key's columns. */
  unique: boolean;
  /** MariaDB or MySQL, for messages. */
  product: string;
}

/** The placeholder a bound key value is compared through, by the target column's type. */
function comparePlaceholder(type: LogicalType, value: string): string {
  switch (type.kind) {
    case 'integer':
      return type.unsigned ? 'CAST(? AS UNSIGNED)' : 'CAST(? AS SIGNED)';
    case 'boolean':
      return 'CAST(? AS SIGNED)';
    case 'decimal':
      return `CAST(? AS DECIMAL(${type.precision ?? 65},${type.scale ?? 0}))`;
    case 'float':
      // A FLOAT column widened to DOUBLE equals the value cast to FLOAT, not the double of its text.
      return type.bits === 32 ? 'CAST(? AS FLOAT)' : 'CAST(? AS DOUBLE)';
    default:
      return value;
  }
}

/** Kinds compared by their bytes in a whole-row match: a collation would take 'a' for 'A'. */
// MariaDB's UUID type compares as itself (its BINARY form is not the text's bytes).
const TEXT_LIKE = new Set(['text', 'json', 'enum', 'set']);

/** Reads the target's catalog for the relation's table and builds its plan. */
export async function mysqlApplyPlan(
  session: MysqlSession,
  connection: MysqlConnection,
  relation: ChangeRelation,
  target: MysqlColumnRow[],
  coercions: Coercions | undefined,
): Promise<MysqlApplyPlan> {
  const table = relationTable(relation);
  const loads = new Map(loadColumnsFor(table, target, coercions).map((load) => [load.name, load]));
  const rows = new Map(target.map((row) => [row.column_name.toLowerCase(), row]));
  const columns = relation.columns.map((column): MysqlApplyColumn | undefined => {
    const load = loads.get(column.name);
    const row = rows.get(column.name.toLowerCase());
    if (!load || !row) return undefined;
    const type = logicalTypeOf(columnFacts(row, false));
    const quoted = quoteIdentifier(column.name);
    const value = load.setExpression?.replace(load.variable!, '?') ?? '?';
    const compare = comparePlaceholder(type, value);
    const utf8 = row.collation_name === null || /^utf8/i.test(row.collation_name);
    const textual = TEXT_LIKE.has(type.kind);
    return {
      quoted,
      load,
      value,
      compare,
      same: (placeholder = compare) =>
        textual
          ? `${utf8 ? `BINARY ${quoted}` : `BINARY CONVERT(${quoted} USING utf8mb4)`} <=> BINARY ${placeholder}`
          : `${quoted} <=> ${placeholder}`,
    };
  });
  const unique = await session.run<MysqlUniqueKeyRow>(
    connection,
    `Reading the unique keys of table "${relation.name}"`,
    UNIQUE_KEY_COLUMNS,
    [relation.name],
  );
  const indexes = new Map<string, string[]>();
  const prefixed = new Set<string>();
  for (const part of unique) {
    indexes.set(part.index_name, [...(indexes.get(part.index_name) ?? []), part.column_name]);
    if (part.sub_part !== null) prefixed.add(part.index_name);
  }
  return {
    table,
    quoted: quoteIdentifier(relation.name),
    columns,
    written: relation.columns.flatMap((_, at) => (columns[at] ? [at] : [])),
    key: keyPositions(relation),
    unique: [...indexes].some(
      ([name, names]) => !prefixed.has(name) && isSameColumnSet(names, relation.key, true),
    ),
    product: session.server.flavor === 'mysql' ? 'MySQL' : 'MariaDB',
  };
}

/** `id=5` / `a=1, b=x` for messages: the key values of a row (the only values Ferry names). */
function keyText(plan: MysqlApplyPlan, row: readonly ChangeValue[]): string {
  return plan.key
    .map((at) => {
      const value = row[at];
      const text = Buffer.isBuffer(value) ? `0x${value.toString('hex')}` : String(value);
      return `${plan.table.columns[at]!.name}=${text}`;
    })
    .join(', ');
}

/** The bound text of the value at `at` of `row`, checked and coerced as `write` does; throws ValueError. */
export function mysqlParam(
  plan: MysqlApplyPlan,
  at: number,
  value: CanonicalValue,
  row: readonly ChangeValue[],
): string | null {
  if (value === null) return null;
  const column = plan.columns[at]!;
  try {
    return column.load.encode(value);
  } catch (problem) {
    const name = plan.table.columns[at]!.name;
    if (problem instanceof MysqlLoss) {
      throw lossError({
        loss: problem.loss,
        table: plan.table.name,
        column: name,
        key: keyText(plan, row),
        target: `${plan.product} ${column.load.targetType}`,
      });
    }
    if (!(problem instanceof MysqlValueProblem)) throw problem;
    throw new ValueError(
      'VALUE_NOT_REPRESENTABLE',
      `Table "${plan.table.name}", column "${name}" (key ${keyText(plan, row)}): ${problem.message}. The transaction was rolled back; change the target column or the source value.`,
      { table: plan.table.name, column: name, cause: problem },
    );
  }
}

/** A row of the relation holding only the key values, for messages about a key. */
export function rowOfKey(plan: MysqlApplyPlan, key: readonly CanonicalValue[]): CanonicalValue[] {
  const row: CanonicalValue[] = new Array(plan.table.columns.length).fill(null);
  plan.key.forEach((at, i) => {
    row[at] = key[i] ?? null;
  });
  return row;
}
