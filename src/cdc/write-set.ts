/**
 * Write sets (the scheme of MySQL's parallel replication): the rows a transaction touches, named by
 * every key that identifies them on the target (primary key, unique keys) and by the parent rows
 * its foreign keys point at. Two transactions whose write sets do not meet can apply at once; the
 * engine keeps source order between those whose sets do.
 */
import type { Table } from '../schema/table.js';
import type { CanonicalValue } from '../values/canonical.js';
import { type ChangeRelation, type ChangeValue, type RowChange, UNCHANGED } from './change.js';

/** The unique keys and foreign keys of a target table, by column position in its relation. */
interface RelationKeys {
  /** Each unique key (the primary key first) as `index name` and column positions. */
  unique: { name: string; positions: number[] }[];
  /** Each foreign key as the parent's key name (as the parent's RelationKeys names it) and column positions. */
  parents: { table: string; key: string; positions: number[] }[];
}

/**
 * Describes the keys of target tables for write sets. Unknown tables (a table added during sync)
 * are described by their relation's key alone.
 */
export class WriteSets {
  private readonly byRelation = new WeakMap<ChangeRelation, RelationKeys>();
  private readonly tables: Map<string, Table>;

  /** `tables`: the target tables as created (names as the relations name them). */
  constructor(tables: readonly Table[]) {
    this.tables = new Map(tables.map((table) => [table.name, table]));
  }

  /** Describes a target table added during sync by its keys too. */
  add(table: Table): void {
    this.tables.set(table.name, table);
  }

  /**
   * The write set of a transaction's changes: one string per key value touched. Text is compared
   * without case and trailing spaces, so that keys a target's collation holds equal always meet
   * (a larger set only costs parallelism, never correctness). A TRUNCATE touches whole tables, so
   * the scheduler applies it alone (`touchesWholeTables`); it adds nothing here.
   */
  of(changes: readonly RowChange[]): Set<string> {
    const set = new Set<string>();
    for (const change of changes) {
      if (change.kind === 'truncate') continue;
      const keys = this.keysOf(change.relation);
      if (change.kind === 'insert') this.addRow(set, change.relation, keys, change.row);
      if (change.kind === 'update') {
        this.addIdentity(set, change.relation, change.key);
        this.addRow(set, change.relation, keys, change.row);
      }
      if (change.kind === 'delete') this.addIdentity(set, change.relation, change.key);
    }
    return set;
  }

  /**
   * The items of one change, for ordering changes within a target transaction (change-order.ts).
   * A table whose rows have a unique key besides their identity, or no key at all, adds an item
   * for the whole table: the old values of a deleted or updated row are not in the stream, so two
   * of its changes could meet on that key unseen, and must keep their order.
   */
  itemsOf(change: Exclude<RowChange, { kind: 'truncate' }>): Set<string> {
    const set = this.of([change]);
    const relation = change.relation;
    if (this.keysOf(relation).unique.length !== 1 || relation.key.length === relation.columns.length) {
      set.add(`\u0002${relation.name}`);
    }
    return set;
  }

  /** Whether the changes touch whole tables (TRUNCATE): such a transaction waits for all before it and holds back all after it. */
  static touchesWholeTables(changes: readonly RowChange[]): boolean {
    return changes.some((change) => change.kind === 'truncate');
  }

  private addIdentity(set: Set<string>, relation: ChangeRelation, key: readonly CanonicalValue[]): void {
    const table = this.tables.get(relation.name);
    const name = primaryKeyName(table, relation);
    set.add(item(relation.name, name, key));
  }

  private addRow(
    set: Set<string>,
    relation: ChangeRelation,
    keys: RelationKeys,
    row: readonly ChangeValue[],
  ): void {
    for (const unique of keys.unique) {
      const values = unique.positions.map((position) => row[position]);
      // An unchanged value is the old one: the old identity, already in the set, covers it.
      if (values.some((value) => value === UNCHANGED || value === undefined)) continue;
      // Rows with a NULL in a unique key never collide on it.
      if (unique.name !== PRIMARY && values.some((value) => value === null)) continue;
      set.add(item(relation.name, unique.name, values as CanonicalValue[]));
    }
    for (const parent of keys.parents) {
      const values = parent.positions.map((position) => row[position]);
      if (values.some((value) => value === null || value === UNCHANGED || value === undefined)) continue;
      set.add(item(parent.table, parent.key, values as CanonicalValue[]));
    }
  }

  private keysOf(relation: ChangeRelation): RelationKeys {
    const known = this.byRelation.get(relation);
    if (known) return known;
    const positionOf = new Map(relation.columns.map((column, index) => [column.name, index]));
    const positions = (names: readonly string[]) => {
      const found = names.map((name) => positionOf.get(name));
      return found.every((position) => position !== undefined) ? (found as number[]) : undefined;
    };
    const table = this.tables.get(relation.name);
    const unique: RelationKeys['unique'] = [];
    const identity = positions(relation.key);
    if (identity) unique.push({ name: primaryKeyName(table, relation), positions: identity });
    for (const index of table?.indexes ?? []) {
      if (!index.unique) continue;
      const at = positions(index.columns.map((column) => column.name));
      if (at) unique.push({ name: index.name, positions: at });
    }
    const parents: RelationKeys['parents'] = [];
    for (const fk of table?.foreignKeys ?? []) {
      const at = positions(fk.columns);
      const parent = this.tables.get(fk.referencedTable);
      if (!at) continue;
      parents.push({
        table: fk.referencedTable,
        key: keyNameFor(parent, fk.referencedColumns),
        positions: at,
      });
    }
    const keys = { unique, parents };
    this.byRelation.set(relation, keys);
    return keys;
  }
}

const PRIMARY = '';
/** The relation's identity key is named as the table's primary key when it is one, so child rows find it. */
function primaryKeyName(table: Table | undefined, relation: ChangeRelation): string {
  if (!table || sameColumns(table.primaryKey, relation.key)) return PRIMARY;
  return keyNameFor(table, relation.key);
}

/** The name under which a parent's key over `columns` is recorded: the primary key, or the unique index on them. */
function keyNameFor(table: Table | undefined, columns: readonly string[]): string {
  if (!table || sameColumns(table.primaryKey, columns)) return PRIMARY;
  const index = table.indexes.find(
    (candidate) =>
      candidate.unique &&
      sameColumns(
        candidate.columns.map((column) => column.name),
        columns,
      ),
  );
  return index?.name ?? `(${columns.join(',')})`;
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, index) => name === b[index]);
}

function item(table: string, key: string, values: readonly CanonicalValue[]): string {
  return `${table}\u0000${key}\u0000${values.map(valueText).join('\u0001')}`;
}

function valueText(value: CanonicalValue): string {
  if (value === null) return 'n';
  if (typeof value === 'bigint') return `i${value}`;
  if (typeof value === 'number') return `f${Object.is(value, -0) ? 0 : value}`;
  if (typeof value === 'boolean') return value ? 'i1' : 'i0';
  if (Buffer.isBuffer(value)) return `b${value.toString('hex')}`;
  return `s${value.toLowerCase().replace(/ +$/, '')}`;
}
