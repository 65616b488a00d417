/**
 * Schema changes on the source during sync. What Ferry follows: a column the plan does not copy
 * (left out by the table's column rules) and a table the plan does not sync; everything else stops
 * the stream with a SyncError naming the change, the table, and how to continue. The supported
 * list per engine is in docs/sync.md.
 */
import type { Connector } from '../connectors/connector.js';
import { emit } from '../engine/events.js';
import { SyncError } from '../errors.js';
import type { Table } from '../schema/table.js';
import type { ChangeRelation, StreamItem } from './change.js';
import type { RelationMap, SyncedTable } from './relation-map.js';
import type { SyncReporter } from './sync-events.js';

/** What the follower knows of the plan: the synced tables and which source names its rules pick. */
export interface SchemaFollowerOptions {
  relations: RelationMap;
  tables: readonly SyncedTable[];
  /** Whether the plan's rules pick a source table of this name (a table created during sync). */
  wants(table: string): boolean;
  /** Whether the plan keeps a column of this name of a synced table (false when its column rules leave it out). */
  keepsColumn(table: string, column: string): boolean;
  reporters: readonly SyncReporter[];
}

/** Decides, change by change, whether the stream can go on. */
export class SchemaFollower {
  constructor(private readonly options: SchemaFollowerOptions) {}

  /** The target tables as created, for write sets. */
  targetTables(): Table[] {
    return this.options.tables.map((table) => table.target);
  }

  /** Follows a `schema` item or throws a SyncError that says what to do. */
  async follow(item: Extract<StreamItem, { type: 'schema' }>, _target: Connector): Promise<void> {
    const { after } = item;
    const synced = this.options.relations.get(after.name);
    if (!synced) {
      if (!this.options.wants(after.name)) return;
      this.stop(
        after.name,
        'a new table',
        `Table ${after.name} appeared on the source during sync and the plan's rules pick it, but a running sync does not add tables yet: run the plan again with --restart to copy it, or exclude it in the plan.`,
      );
    }
    const known = new Map(synced.source.columns.map((column) => [column.name, column]));
    const now = new Map(after.columns.map((column) => [column.name, column]));
    const removed = synced.source.columns.filter((column) => !now.has(column.name));
    if (removed.length > 0) {
      this.stop(
        after.name,
        `column ${removed.map((c) => c.name).join(', ')} dropped or renamed`,
        `Column ${removed.map((c) => c.name).join(', ')} of table ${after.name} was dropped or renamed on the source during sync${statementOf(item)}. Ferry cannot follow it: make the same change on the target table and run again, or copy the table again (ferry run --restart).`,
      );
    }
    for (const column of after.columns) {
      const before = known.get(column.name);
      if (before) {
        if (
          before.type.kind !== column.type.kind ||
          JSON.stringify(before.type) !== JSON.stringify(column.type)
        ) {
          this.stop(
            after.name,
            `column ${column.name} changed type`,
            `Column ${column.name} of table ${after.name} changed type on the source during sync (${before.nativeType} → ${column.nativeType})${statementOf(item)}. Ferry cannot follow it: alter the target column the same way and run again, or copy the table again (ferry run --restart).`,
          );
        }
        continue;
      }
      if (!this.options.keepsColumn(after.name, column.name)) continue;
      this.stop(
        after.name,
        `column ${column.name} added`,
        `Column ${column.name} was added to table ${after.name} on the source during sync${statementOf(item)}. A running sync does not add columns to the target yet: add it to the target table yourself (same type, nullable) and leave it out of the sync with columns.exclude in the plan, or copy the table again (ferry run --restart).`,
      );
    }
    emit(this.options.reporters, 'onSchemaChange', {
      table: after.name,
      change: describeFollowed(item.before, after),
      followed: true,
    });
  }

  private stop(table: string, change: string, message: string): never {
    emit(this.options.reporters, 'onSchemaChange', { table, change, followed: false });
    throw new SyncError('SYNC_SCHEMA_CHANGE', message);
  }
}

function statementOf(item: Extract<StreamItem, { type: 'schema' }>): string {
  return item.statement ? ` (${item.statement.slice(0, 200)})` : '';
}

function describeFollowed(before: ChangeRelation | undefined, after: ChangeRelation): string {
  if (!before) return `table ${after.name} described`;
  const had = new Set(before.columns.map((column) => column.name));
  const added = after.columns.filter((column) => !had.has(column.name)).map((column) => column.name);
  return added.length > 0
    ? `column ${added.join(', ')} added (not copied by the plan)`
    : 'definition unchanged for the copied columns';
}
