/**
 * From the source's relations to the target's: the stream describes source tables with every
 * column; the target holds the tables as the plan shaped them (some tables, some columns, other
 * names). Changes of tables the plan does not sync are dropped here; the others are rewritten with
 * target names and only the copied columns.
 */
import { SyncError } from '../errors.js';
import type { Column, Table } from '../schema/table.js';
import type { ChangeRelation, ChangeValue, RowChange } from './change.js';

/** A synced table: the source table as the plan shaped it, and the target table it lands in (same column order). */
export interface SyncedTable {
  source: Table;
  target: Table;
  /**
   * Source columns added during sync (appended to both tables): a relation from before they were
   * added lacks them, and its changes leave them out (an insert gets the target's default, an
   * update leaves them as they are).
   */
  added?: readonly string[];
}

interface MappedRelation {
  relation: ChangeRelation;
  /** For each target column, its position in the source relation's rows. */
  rowPositions: number[];
  /** For each target key column, its position in the source relation's keys. */
  keyPositions: number[];
}

/** Rewrites source changes into target changes. */
export class RelationMap {
  private readonly tables = new Map<string, SyncedTable>();
  private mapped = new WeakMap<ChangeRelation, MappedRelation | null>();

  constructor(tables: readonly SyncedTable[]) {
    for (const table of tables) this.tables.set(table.source.name, table);
  }

  /** Whether the source table is synced. */
  has(sourceTable: string): boolean {
    return this.tables.has(sourceTable);
  }

  /** Adds a table to sync (a table that appeared on the source during sync), or replaces one that gained columns. */
  add(table: SyncedTable): void {
    this.tables.set(table.source.name, table);
    this.mapped = new WeakMap();
  }

  /** The synced table of a source table name. */
  get(sourceTable: string): SyncedTable | undefined {
    return this.tables.get(sourceTable);
  }

  /** The change in target terms, or undefined when its table is not synced. */
  map(change: RowChange): RowChange | undefined {
    if (change.kind === 'truncate') {
      const relations = change.relations.flatMap((relation) => {
        const mapped = this.relation(relation);
        return mapped ? [mapped.relation] : [];
      });
      return relations.length > 0 ? { kind: 'truncate', relations } : undefined;
    }
    const mapped = this.relation(change.relation);
    if (!mapped) return undefined;
    const { relation, rowPositions, keyPositions } = mapped;
    if (change.kind === 'insert') return { kind: 'insert', relation, row: pick(change.row, rowPositions) };
    if (change.kind === 'delete') return { kind: 'delete', relation, key: pick(change.key, keyPositions) };
    return {
      kind: 'update',
      relation,
      key: pick(change.key, keyPositions),
      row: pick<ChangeValue>(change.row, rowPositions),
    };
  }

  private relation(source: ChangeRelation): MappedRelation | undefined {
    const known = this.mapped.get(source);
    if (known !== undefined) return known ?? undefined;
    const table = this.tables.get(source.name);
    if (!table) {
      this.mapped.set(source, null);
      return undefined;
    }
    const positionOf = new Map(source.columns.map((column, index) => [column.name, index]));
    const targetNameOf = new Map(
      table.source.columns.map((column, index) => [column.name, table.target.columns[index]!.name]),
    );
    const added = new Set(table.added ?? []);
    const rowPositions: number[] = [];
    const columns: Column[] = [];
    table.source.columns.forEach((column, index) => {
      const position = positionOf.get(column.name);
      if (position === undefined && added.has(column.name)) return;
      if (position === undefined) {
        throw new SyncError(
          'SYNC_COLUMN_GONE',
          `The change stream describes table ${source.name} without column ${column.name}, which the target holds: the column was dropped or renamed on the source during sync. Ferry follows only added nullable columns; copy the table again (ferry run --restart).`,
        );
      }
      rowPositions.push(position);
      columns.push(table.target.columns[index]!);
    });
    const keyPositions: number[] = [];
    const key: string[] = [];
    for (const [index, name] of source.key.entries()) {
      const targetName = targetNameOf.get(name);
      if (targetName === undefined) continue;
      keyPositions.push(index);
      key.push(targetName);
    }
    const relation: ChangeRelation = { name: table.target.name, columns, key };
    const result = { relation, rowPositions, keyPositions };
    this.mapped.set(source, result);
    return result;
  }
}

function pick<T>(values: readonly T[], positions: readonly number[]): T[] {
  return positions.map((position) => values[position] as T);
}
