/**
 * The tables a MariaDB/MySQL change stream follows: each one's ChangeRelation (columns as the
 * reader gives them, the identifying key) and, per table map, the column readers that turn a row
 * image into the relation's row, or the finding that the table map no longer matches the table.
 */
import type { ChangeRelation } from '../../cdc/change.js';
import { type Column, chunkKeyOf, copiedColumns, type Table } from '../../schema/table.js';
import type { BinlogCursor } from './binlog-cursor.js';
import type { ColumnReader } from './binlog-rows.js';
import type { TableMap } from './binlog-table-map.js';
import { type CharsetOf, fieldBytes, valueDecoder } from './binlog-values.js';

/** The identity of a table's rows: its primary key, else a unique key of NOT NULL columns, else every column. */
export function relationKey(table: Table, columns: Column[]): string[] {
  const names = new Set(columns.map((column) => column.name));
  const key = chunkKeyOf(table);
  if (key && key.length > 0 && key.every((name) => names.has(name))) return key;
  return columns.map((column) => column.name);
}

/** The ChangeRelation of an introspected table (a table that is gone has no columns). */
export function relationOf(name: string, table: Table | undefined): ChangeRelation {
  if (!table) return { name, columns: [], key: [] };
  const columns = copiedColumns(table);
  return { name, columns, key: relationKey(table, columns) };
}

/** How to turn a table map's row images into a relation's rows. */
export interface ImageLayout {
  /** One reader per binlog column (in table map order). */
  readers: ColumnReader[];
  /** For each relation column, its binlog column index. */
  source: number[];
  /** For each key column, its binlog column index. */
  keySource: number[];
}

/** A followed table: its introspected definition and relation, and the layout of its last table map. */
export class FollowedTable {
  readonly relation: ChangeRelation;
  private layoutFor: { map: TableMap; layout: ImageLayout | undefined } | undefined;

  constructor(
    readonly name: string,
    readonly table: Table | undefined,
  ) {
    this.relation = relationOf(name, table);
  }

  /** The layout for a table map, or undefined when the map's columns are not the table's (it changed). */
  layout(map: TableMap, charsetOf: CharsetOf): ImageLayout | undefined {
    if (this.layoutFor?.map === map) return this.layoutFor.layout;
    const layout = this.table ? buildLayout(this.table, this.relation, map, charsetOf) : undefined;
    this.layoutFor = { map, layout };
    return layout;
  }
}

function skipper(map: TableMap, index: number): ColumnReader {
  const binlog = map.columns[index]!;
  return (cursor: BinlogCursor) => {
    fieldBytes(binlog, cursor);
    return null;
  };
}

function buildLayout(
  table: Table,
  relation: ChangeRelation,
  map: TableMap,
  charsetOf: CharsetOf,
): ImageLayout | undefined {
  const named = map.columns.every((column) => column.name !== undefined);
  // Unnamed columns can only be matched by position; named ones by name (virtual columns may be left out).
  if (!named && map.columns.length !== table.columns.length) return undefined;
  const byName = new Map(table.columns.map((column) => [column.name.toLowerCase(), column]));
  const readers: ColumnReader[] = [];
  const indexOf = new Map<string, number>();
  for (let index = 0; index < map.columns.length; index++) {
    const binlog = map.columns[index]!;
    const column = named ? byName.get(binlog.name!.toLowerCase()) : table.columns[index];
    if (!column) return undefined;
    indexOf.set(column.name, index);
    if (column.generated) {
      readers.push(skipper(map, index));
      continue;
    }
    const decoder = valueDecoder(binlog, column, charsetOf);
    if (!decoder) return undefined;
    readers.push(decoder);
  }
  const source = relation.columns.map((column) => indexOf.get(column.name) ?? -1);
  const keySource = relation.key.map((name) => indexOf.get(name) ?? -1);
  if (source.includes(-1) || keySource.includes(-1)) return undefined;
  return { readers, source, keySource };
}
