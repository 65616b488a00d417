/**
 * One table as verify sees it on both sides: the source table, the target table it was copied to
 * (named by the copy's own rule), the columns paired by position, the key both sides split on,
 * the checksum mode, and which columns the databases hash and which Ferry hashes after reading.
 */
import type { Connector } from '../connectors/connector.js';
import { PreconditionError } from '../errors.js';
import { type Column, chunkKeyOf, copiedColumns, type Table } from '../schema/table.js';
import { type ChecksumMode, sameCanonicalForm } from '../values/canonical-text.js';

/** A source column and the target column holding its values. */
export interface ColumnPair {
  source: Column;
  target: Column;
  /**
   * Hashed in SQL on both sides; else read and hashed in Ferry, both sides rendered as the
   * source's type (a target column of another kind holds the values in another form).
   */
  inSql: boolean;
}

/** Everything verify needs to compare one table. */
export interface TablePair {
  /** The source table as the plan's rules shape it; its `rowFilter` limits the source side's rows. */
  source: Table;
  /** The target table as its database describes it. */
  target: Table;
  /** The source table adapted and named for the target, as a copy writes it (repair writes with it). */
  written: Table;
  columns: ColumnPair[];
  mode: ChecksumMode;
  /** The chunk key on each side; absent when the table has no usable key. */
  key?: { source: string[]; target: string[] };
}

const sameNative = (a: Column, b: Column) =>
  a.nativeType.trim().toLowerCase() === b.nativeType.trim().toLowerCase();

/** A table restricted to some columns, in the given order, for reads of just those. */
export function projection(table: Table, columns: readonly Column[]): Table {
  return { ...table, columns: [...columns] };
}

/** Pairs the source table with its target (written = the copy's target-named version of it). */
export function pairTable(
  source: Connector,
  target: Connector,
  sourceTable: Table,
  written: Table,
  targetTable: Table,
): TablePair {
  const sourceColumns = copiedColumns(sourceTable);
  // `written` has one column per source column in the same order (a copy renames, never reorders;
  // a generated column may be a plain one there), so a renamed column pairs by its position.
  const targets = sourceColumns.map((column) => {
    const name = written.columns[sourceTable.columns.indexOf(column)]?.name ?? column.name;
    const found = targetTable.columns.find((candidate) => candidate.name === name);
    if (!found) {
      throw new PreconditionError(
        'VERIFY_COLUMN_MISSING',
        `Target table "${targetTable.name}" has no column "${name}" for source column "${sourceTable.name}.${column.name}": copy the table again, or leave it out with --exclude.`,
      );
    }
    return found;
  });
  const native =
    source.dialect === target.dialect &&
    sourceColumns.every((column, at) => sameNative(column, targets[at]!));
  const mode: ChecksumMode = native ? 'native' : 'canonical';
  const columns = sourceColumns.map((column, at) => ({
    source: column,
    target: targets[at]!,
    inSql:
      sameCanonicalForm(column.type, targets[at]!.type) &&
      source.canRenderChecksum(column, mode) &&
      target.canRenderChecksum(targets[at]!, mode),
  }));
  const sourceKey = chunkKeyOf(sourceTable);
  const key = sourceKey
    ? {
        source: sourceKey,
        target: sourceKey.map(
          (name) => columns.find((pair) => pair.source.name === name)?.target.name ?? name,
        ),
      }
    : undefined;
  return { source: sourceTable, target: targetTable, written, columns, mode, ...(key ? { key } : {}) };
}

/** The key's columns on one side, in key order. */
export function keyColumns(pair: TablePair, side: 'source' | 'target'): Column[] {
  const table = pair[side];
  return (pair.key?.[side] ?? []).map((name) => {
    const column = table.columns.find((candidate) => candidate.name === name);
    if (!column) {
      throw new PreconditionError('VERIFY_KEY_MISSING', `Table "${table.name}" has no key column "${name}".`);
    }
    return column;
  });
}
