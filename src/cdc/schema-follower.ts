/**
 * Schema changes on the source during sync. What Ferry follows: an added column that is nullable
 * or has a default (added to the target table, then carried by every later change), a column the
 * plan does not copy, a table the plan does not sync, and a new table the plan's rules pick
 * (new-tables.ts). Everything else stops the stream with a SyncError naming the change, the table,
 * and how to continue. The supported list per engine is in docs/sync.md.
 */
import type { Connector } from '../connectors/connector.js';
import { emit } from '../engine/events.js';
import { SyncError } from '../errors.js';
import type { Column, Table } from '../schema/table.js';
import type { Coercions } from '../values/coercions.js';
import type { ChangeRelation, StreamItem } from './change.js';
import type { ChangeStream } from './change-stream.js';
import { type DescribedTable, NewTables } from './new-tables.js';
import type { RelationMap, SyncedTable } from './relation-map.js';
import type { SyncReporter } from './sync-events.js';

/** What the follower knows of the plan: the synced tables and which source names its rules pick. */
export interface SchemaFollowerOptions {
  source: Connector;
  target: Connector;
  relations: RelationMap;
  tables: readonly SyncedTable[];
  /** The source tables as introspected at the start (every column), for the stream to decode. */
  streamTables: readonly Table[];
  /** Whether the plan's rules pick a source table of this name (a table created during sync). */
  wants(table: string): boolean;
  /** Whether the plan keeps a column of this name of a synced table (false when its column rules leave it out). */
  keepsColumn(table: string, column: string): boolean;
  /** The table as the source has it now and as the plan shapes and names it; undefined when it is gone. */
  describe(table: string): Promise<DescribedTable | undefined>;
  coercions: Coercions;
  reporters: readonly SyncReporter[];
}

/** Where a schema item came in the stream. */
export interface SchemaItemContext {
  /** A transaction cut into parts is open on the target (the item came between two of its parts). */
  transactionOpen: boolean;
}

/** The kind of one column difference between two definitions of a table, for decisions and messages. */
export type ColumnChange =
  | { kind: 'dropped'; columns: string[] }
  | { kind: 'type'; column: string; before: string; after: string }
  | { kind: 'added'; column: Column; followable: boolean };

/**
 * The column differences between the synced source table and a new definition, in that order:
 * columns gone, columns whose type changed, columns added that the plan copies (`followable` when
 * the target gives the rows it holds the value the source gave them: NULL, or a literal default).
 */
export function columnChanges(
  synced: readonly Column[],
  after: readonly Column[],
  keeps: (column: string) => boolean,
): ColumnChange[] {
  const known = new Map(synced.map((column) => [column.name, column]));
  const now = new Set(after.map((column) => column.name));
  const changes: ColumnChange[] = [];
  const dropped = synced.filter((column) => !now.has(column.name)).map((column) => column.name);
  if (dropped.length > 0) changes.push({ kind: 'dropped', columns: dropped });
  for (const column of after) {
    const before = known.get(column.name);
    if (before) {
      if (JSON.stringify(before.type) !== JSON.stringify(column.type)) {
        changes.push({
          kind: 'type',
          column: column.name,
          before: before.nativeType,
          after: column.nativeType,
        });
      }
      continue;
    }
    if (!keeps(column.name) || column.generated) continue;
    // The rows already there get the default (or NULL): the target must give them the same value,
    // which an expression (now(), a sequence, an auto-increment) would compute anew.
    const value = column.autoIncrement ? undefined : column.default;
    const followable =
      !column.autoIncrement && (value === undefined ? column.nullable : value.kind === 'literal');
    changes.push({ kind: 'added', column, followable });
  }
  return changes;
}

/** Decides, change by change, whether the stream can go on, and makes the target follow. */
export class SchemaFollower {
  private readonly tables: SyncedTable[];
  private readonly streamTables: Table[];
  private readonly newTables: NewTables;

  constructor(private readonly options: SchemaFollowerOptions) {
    this.tables = [...options.tables];
    this.streamTables = [...options.streamTables];
    this.newTables = new NewTables({
      source: options.source,
      target: options.target,
      relations: options.relations,
      tables: this.tables,
      streamTables: this.streamTables,
      wants: options.wants,
      describe: options.describe,
      coercions: options.coercions,
      reporters: options.reporters,
    });
  }

  /** The target tables as created (and extended during sync), for write sets. */
  targetTables(): Table[] {
    return this.tables.map((table) => table.target);
  }

  /** The source tables a stream opened now must decode: those of the start, and tables added since. */
  sourceTables(): Table[] {
    return [...this.streamTables];
  }

  /** Whether new tables wait to be added (`addTables`). */
  get tablesWaiting(): boolean {
    return this.newTables.waiting;
  }

  /** Notes a source table that appeared (the plan may pick it): added by the next `addTables`. */
  appeared(name: string): void {
    this.newTables.appeared(name);
  }

  /** Looks in the source's catalog for new tables the plan picks; they wait for `addTables`. */
  async lookForTables(): Promise<void> {
    await this.newTables.look();
  }

  /** Adds the waiting tables (see NewTables.add); only while no target transaction is open. */
  addTables(stream: ChangeStream): Promise<SyncedTable[]> {
    return this.newTables.add(stream);
  }

  /** Follows a `schema` item or throws a SyncError that says what to do. */
  async follow(item: Extract<StreamItem, { type: 'schema' }>, context: SchemaItemContext): Promise<void> {
    const { after } = item;
    const synced = this.options.relations.get(after.name);
    if (!synced) {
      // A table that appeared (or one the plan does not sync): added before the next change if wanted.
      if (after.columns.length > 0) this.newTables.appeared(after.name);
      return;
    }
    if (after.columns.length === 0) {
      this.stop(
        after.name,
        'table dropped or renamed',
        `Table ${after.name} was dropped or renamed on the source during sync${statementOf(item)}. Ferry cannot follow it: make the same change on the target (table ${synced.target.name}), exclude the table in the plan, and run again, or copy again (ferry run --restart).`,
      );
    }
    const changes = columnChanges(synced.source.columns, after.columns, (column) =>
      this.options.keepsColumn(after.name, column),
    );
    const added: Column[] = [];
    for (const change of changes) {
      if (change.kind === 'dropped') {
        const names = change.columns.join(', ');
        this.stop(
          after.name,
          `column ${names} dropped or renamed`,
          `Column ${names} of table ${after.name} was dropped or renamed on the source during sync${statementOf(item)}. Ferry cannot follow it: make the same change on the target table ${synced.target.name} and run again, or copy the table again (ferry run --restart).`,
        );
      }
      if (change.kind === 'type') {
        this.stop(
          after.name,
          `column ${change.column} changed type`,
          `Column ${change.column} of table ${after.name} changed type on the source during sync (${change.before} → ${change.after})${statementOf(item)}. Ferry cannot follow it: alter the target column the same way and run again, or copy the table again (ferry run --restart).`,
        );
      }
      if (change.kind === 'added' && !change.followable) {
        const computed = change.column.autoIncrement || change.column.default?.kind === 'expression';
        const what = computed
          ? 'with a computed default (an expression, a sequence or auto-increment), whose values for the rows already there the target cannot repeat'
          : 'as NOT NULL without a default, so the target cannot add it for the rows it holds';
        this.stop(
          after.name,
          `column ${change.column.name} added ${computed ? 'with a computed default' : 'as NOT NULL without a default'}`,
          `Column ${change.column.name} was added to table ${after.name} on the source during sync ${what}${statementOf(item)}. Add it to the target table ${synced.target.name} yourself and run again, or copy the table again (ferry run --restart); or leave it out with columns.exclude in the plan.`,
        );
      }
      if (change.kind === 'added') added.push(change.column);
    }
    if (added.length > 0) {
      if (context.transactionOpen) {
        this.stop(
          after.name,
          `column ${added.map((c) => c.name).join(', ')} added inside a large transaction`,
          `Column ${added.map((c) => c.name).join(', ')} was added to table ${after.name} inside a source transaction that Ferry applies in parts, and the target cannot be altered while that transaction is open. Run again (ferry run resumes the sync): the stream then meets the change at a transaction's start; if it stops here again, add the column to the target table ${synced.target.name} yourself (nullable) and run again.`,
        );
      }
      await this.addColumns(synced, added);
    }
    emit(this.options.reporters, 'onSchemaChange', {
      table: after.name,
      change: describeFollowed(item.before, after, added),
      followed: true,
    });
  }

  /** Adds the columns to the target table, then maps later changes with them. */
  private async addColumns(synced: SyncedTable, added: Column[]): Promise<void> {
    const { target, source } = this.options;
    const described = await this.options.describe(synced.source.name);
    const fresh = described?.synced;
    const pairs: Array<{ source: Column; target: Column }> = [];
    for (const column of added) {
      const at = fresh?.source.columns.findIndex((candidate) => candidate.name === column.name) ?? -1;
      // Gone again since (a later change will say so): nothing to add.
      if (!fresh || at < 0) continue;
      pairs.push({ source: fresh.source.columns[at]!, target: fresh.target.columns[at]! });
    }
    if (pairs.length === 0) return;
    if (!target.addColumns) {
      this.stop(
        synced.source.name,
        `column ${pairs.map((pair) => pair.source.name).join(', ')} added`,
        `Column ${pairs.map((pair) => pair.source.name).join(', ')} was added to table ${synced.source.name} on the source during sync, and ${target.display} cannot add columns during a sync. Add it to the target table ${synced.target.name} yourself and run again.`,
      );
    }
    const notes = await target.addColumns(
      synced.target.name,
      pairs.map((pair) => pair.target),
      { sourceDialect: source.dialect, coercions: this.options.coercions },
    );
    const extended: SyncedTable = {
      source: { ...synced.source, columns: [...synced.source.columns, ...pairs.map((pair) => pair.source)] },
      target: { ...synced.target, columns: [...synced.target.columns, ...pairs.map((pair) => pair.target)] },
      added: [...(synced.added ?? []), ...pairs.map((pair) => pair.source.name)],
    };
    this.options.relations.add(extended);
    const at = this.tables.findIndex((table) => table.source.name === synced.source.name);
    if (at >= 0) this.tables[at] = extended;
    for (const note of notes) {
      emit(this.options.reporters, 'onSyncWarning', {
        message: `${note.table}.${note.object ?? ''}: ${note.message}`,
      });
    }
  }

  private stop(table: string, change: string, message: string): never {
    emit(this.options.reporters, 'onSchemaChange', { table, change, followed: false });
    throw new SyncError('SYNC_SCHEMA_CHANGE', message);
  }
}

function statementOf(item: Extract<StreamItem, { type: 'schema' }>): string {
  return item.statement ? ` (${item.statement.slice(0, 200)})` : '';
}

function describeFollowed(
  before: ChangeRelation | undefined,
  after: ChangeRelation,
  added: Column[],
): string {
  if (added.length > 0) return `column ${added.map((column) => column.name).join(', ')} added on the target`;
  if (!before) return `table ${after.name} described`;
  const had = new Set(before.columns.map((column) => column.name));
  const others = after.columns.filter((column) => !had.has(column.name)).map((column) => column.name);
  return others.length > 0
    ? `column ${others.join(', ')} added (not copied by the plan, or added on the target already)`
    : 'definition unchanged for the copied columns';
}
