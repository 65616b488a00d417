/**
 * DESIGN.md's name rule: a name the target cannot take is renamed by one documented rule, and
 * every rename is reported. A name the plan asks for (table-rules.ts) goes through the same rule. Too long → a prefix plus `_` and 8 hex digits of the name's SHA-1;
 * an index or foreign key name already taken in a schema-wide namespace → `<table>_<name>`, then
 * `_2`, `_3`…; columns that collide under case folding → `_2`, `_3`…
 */
import { createHash } from 'node:crypto';
import type { ConnectorCapabilities } from '../connectors/connector.js';
import type { Table } from '../schema/table.js';
import type { RequestedNames } from './table-rules.js';

/** One name the target could not take as it was, and what it became. */
export interface Rename {
  kind: 'table' | 'column' | 'index' | 'foreign key';
  table: string;
  from: string;
  to: string;
  reason: string;
}

/** Shortens a name to `maxBytes` UTF-8 bytes, keeping it unique by a hash of the full name. */
export function fitLength(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const hash = createHash('sha1').update(name).digest('hex').slice(0, 8);
  let prefix = '';
  for (const char of name) {
    if (Buffer.byteLength(prefix + char) > maxBytes - 9) break;
    prefix += char;
  }
  return `${prefix}_${hash}`;
}

/** A set of names compared case-insensitively, as the strictest engine does. */
class Namespace {
  private readonly taken = new Set<string>();
  has(name: string): boolean {
    return this.taken.has(name.toLowerCase());
  }
  add(name: string): void {
    this.taken.add(name.toLowerCase());
  }
  /** The first of `candidates`, then `<last>_2`, `_3`… that is free, fitted to `maxBytes`. */
  claim(candidates: string[], maxBytes: number): string {
    for (const candidate of candidates) {
      const fitted = fitLength(candidate, maxBytes);
      if (!this.has(fitted)) return this.take(fitted);
    }
    const base = candidates[candidates.length - 1] ?? 'name';
    for (let n = 2; ; n++) {
      const fitted = fitLength(`${base}_${n}`, maxBytes);
      if (!this.has(fitted)) return this.take(fitted);
    }
  }
  private take(name: string): string {
    this.add(name);
    return name;
  }
}

/** Why a name changed: the plan asked for it, the target could not take it, or both. */
function why(asked: boolean, fitted: boolean, rule: string): string {
  if (!asked) return rule;
  return fitted ? 'renamed by the plan' : `renamed by the plan, then: ${rule}`;
}

/**
 * Returns the tables as the target will name them, with every rename that was needed. `requested`
 * (by source table name) holds the names a plan asks for; they are fitted like any other name.
 */
export function planTargetNames(
  tables: Table[],
  capabilities: ConnectorCapabilities,
  requested: ReadonlyMap<string, RequestedNames> = new Map(),
): { tables: Table[]; renames: Rename[] } {
  const max = capabilities.maxIdentifierLength;
  const renames: Rename[] = [];
  const note = (rename: Rename) => {
    if (rename.from !== rename.to) renames.push(rename);
  };

  const tableNames = new Map<string, string>();
  const tableSpace = new Namespace();
  for (const table of tables) {
    const wanted = requested.get(table.name)?.table ?? table.name;
    const to = tableSpace.claim([wanted], max);
    tableNames.set(table.name, to);
    const reason = why(wanted !== table.name, to === wanted, `longer than ${max} bytes`);
    note({ kind: 'table', table: table.name, from: table.name, to, reason });
  }

  const columnNames = new Map<string, Map<string, string>>();
  for (const table of tables) {
    const space = new Namespace();
    const map = new Map<string, string>();
    const asked = requested.get(table.name)?.columns;
    for (const column of table.columns) {
      const wanted = asked?.get(column.name) ?? column.name;
      const to = capabilities.caseInsensitiveColumnNames
        ? space.claim([wanted], max)
        : fitLength(wanted, max);
      map.set(column.name, to);
      note({
        kind: 'column',
        table: table.name,
        from: column.name,
        to,
        reason: why(
          wanted !== column.name,
          to === wanted,
          'too long, or equal to another column name when case is ignored',
        ),
      });
    }
    columnNames.set(table.name, map);
  }

  // Index names share the schema namespace with tables (PostgreSQL relations, SQLite objects).
  const schemaIndexSpace = new Namespace();
  for (const name of tableNames.values()) schemaIndexSpace.add(name);
  const schemaFkSpace = new Namespace();

  const renamed = tables.map((table): Table => {
    const targetTable = tableNames.get(table.name) ?? table.name;
    const columns = columnNames.get(table.name) ?? new Map<string, string>();
    const col = (name: string) => columns.get(name) ?? name;
    const indexSpace = capabilities.indexNamesUniquePer === 'schema' ? schemaIndexSpace : new Namespace();
    const fkSpace = capabilities.foreignKeyNamesUniquePer === 'schema' ? schemaFkSpace : new Namespace();
    if (table.primaryKeyName && capabilities.indexNamesUniquePer === 'schema') {
      indexSpace.add(table.primaryKeyName);
    }
    const reason = (what: string, per: 'schema' | 'table') =>
      per === 'schema' ? `${what} names are unique per schema in the target` : `${what} name too long`;
    return {
      ...table,
      name: targetTable,
      columns: table.columns.map((column) => ({ ...column, name: col(column.name) })),
      primaryKey: table.primaryKey.map(col),
      indexes: table.indexes.map((index) => {
        const to = indexSpace.claim([index.name, `${targetTable}_${index.name}`], max);
        note({
          kind: 'index',
          table: table.name,
          from: index.name,
          to,
          reason: reason('index', capabilities.indexNamesUniquePer),
        });
        return { ...index, name: to, columns: index.columns.map((c) => ({ ...c, name: col(c.name) })) };
      }),
      foreignKeys: table.foreignKeys.map((fk) => {
        const to = fkSpace.claim([fk.name, `${targetTable}_${fk.name}`], max);
        note({
          kind: 'foreign key',
          table: table.name,
          from: fk.name,
          to,
          reason: reason('foreign key', capabilities.foreignKeyNamesUniquePer),
        });
        const referenced = columnNames.get(fk.referencedTable);
        return {
          ...fk,
          name: to,
          columns: fk.columns.map(col),
          referencedTable: tableNames.get(fk.referencedTable) ?? fk.referencedTable,
          referencedColumns: fk.referencedColumns.map((name) => referenced?.get(name) ?? name),
        };
      }),
    };
  });
  return { tables: renamed, renames };
}
