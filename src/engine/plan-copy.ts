/**
 * `planCopy` (`ferry copy --dry-run`): what a copy would create, column by column — source type →
 * target type, lossless or what it cannot carry and the policy that applies — without writing.
 */
import { createConnector } from '../connectors/registry.js';
import { copiedColumns } from '../schema/table.js';
import type { TypeLoss } from '../schema/type-system.js';
import { Coercions } from '../values/coercions.js';
import type { CoercionAction } from '../values/loss-kinds.js';
import type { CopyOptions } from './copy-options.js';
import { resolveTables } from './select-tables.js';
import type { Rename } from './target-names.js';

/** One column's mapping. `losses` is empty when every value arrives exactly. */
export interface ColumnPlan {
  column: string;
  targetColumn: string;
  sourceType: string;
  targetType: string;
  losses: Array<TypeLoss & { action: CoercionAction }>;
}

/** One table's mapping. */
export interface TablePlan {
  table: string;
  targetTable: string;
  /** The plan's condition on the source's rows: only those that match are copied. */
  where?: string;
  columns: ColumnPlan[];
}

/** What `copyDatabase` would do with the same options. */
export interface CopyPlan {
  source: string;
  target: string;
  tables: TablePlan[];
  renames: Rename[];
}

/** Reads the source's schema and maps it onto the target's types. Connects to the source only. */
export async function planCopy(options: CopyOptions): Promise<CopyPlan> {
  const source = await createConnector(options.source, 'source');
  const target = await createConnector(options.target, 'target');
  const coercions = new Coercions(options.coerce ?? []);
  try {
    await source.connect();
    const { prepared, targetTables, renames } = await resolveTables(source, target, options);
    const tables = prepared.tables.map((table, t): TablePlan => {
      const targetTable = targetTables[t]!;
      const keyColumns = new Set([
        ...table.primaryKey,
        ...table.indexes.flatMap((index) => index.columns.map((c) => c.name)),
      ]);
      const targetColumns = copiedColumns(targetTable);
      return {
        table: table.name,
        targetTable: targetTable.name,
        ...(table.rowFilter !== undefined ? { where: table.rowFilter } : {}),
        columns: copiedColumns(table).map((column, c): ColumnPlan => {
          const targetColumn = targetColumns[c]?.name ?? column.name;
          if (source.dialect === target.dialect) {
            return {
              column: column.name,
              targetColumn,
              sourceType: column.nativeType,
              targetType: column.nativeType,
              losses: [],
            };
          }
          const mapping = target.types.mapFrom(column.type, {
            sourceDialect: source.dialect,
            table: table.name,
            column: column.name,
            inKey: keyColumns.has(column.name),
            coercions,
          });
          return {
            column: column.name,
            targetColumn,
            sourceType: column.nativeType,
            targetType: mapping.native,
            losses: mapping.losses.map((loss) => ({
              ...loss,
              action: coercions.action(loss.loss, table.name, column.name),
            })),
          };
        }),
      };
    });
    return { source: source.display, target: target.display, tables, renames };
  } finally {
    await source.close();
  }
}
