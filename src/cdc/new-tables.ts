/**
 * Tables that appear on the source during sync and that the plan's rules pick: found in the change
 * stream (a schema item with no `before`, as MariaDB/MySQL's CREATE TABLE gives) or in the
 * source's catalog (PostgreSQL's log carries no DDL), then created on the target, followed by the
 * stream, and copied. The copy comes after the stream follows the table and before the stream's
 * next change is applied, so rows written before Ferry followed the table are in the copy and later
 * changes replay over it (the appliers are idempotent): nothing is lost, nothing is applied twice
 * to a different result.
 */
import type { Connector, SchemaNote } from '../connectors/connector.js';
import { emit } from '../engine/events.js';
import { SyncError } from '../errors.js';
import type { Table } from '../schema/table.js';
import type { Coercions } from '../values/coercions.js';
import type { ChangeStream } from './change-stream.js';
import type { RelationMap, SyncedTable } from './relation-map.js';
import type { SyncReporter } from './sync-events.js';

/** A source table as the stream must decode it (every column), and as the plan shapes and names it. */
export interface DescribedTable {
  stream: Table;
  synced: SyncedTable;
  /** What the plan's shaping left out (a foreign key to a table outside the set, …), said to the user. */
  notes?: SchemaNote[];
}

/** What adding tables needs. */
export interface NewTablesOptions {
  source: Connector;
  target: Connector;
  relations: RelationMap;
  /** The synced tables; added ones are appended. */
  tables: SyncedTable[];
  /** The tables the stream decodes; added ones are appended (a new pass opens the stream with them). */
  streamTables: Table[];
  /** Whether the plan's rules pick a source table of this name. */
  wants(table: string): boolean;
  /** The table as the source has it now and as the plan shapes it; undefined when it is gone. */
  describe(table: string): Promise<DescribedTable | undefined>;
  coercions: Coercions;
  reporters: readonly SyncReporter[];
  /** Rows per batch of a new table's copy (default 1000). */
  batchRows?: number;
  /** Bytes per batch of a new table's copy, about (default 4 MiB). */
  batchBytes?: number;
}

/** The names of `present` that are neither synced nor known to be unwanted: the new tables to add. */
export function newTableNames(
  present: readonly string[],
  synced: (name: string) => boolean,
  wants: (name: string) => boolean,
): string[] {
  return present.filter((name) => !synced(name) && wants(name));
}

/** Keeps the tables to add and adds them when the sync pass says it may. */
export class NewTables {
  private readonly pending = new Set<string>();
  /** Names the catalog lists that describe found no table for (not one Ferry copies): not looked at again. */
  private readonly undescribed = new Set<string>();

  constructor(private readonly options: NewTablesOptions) {}

  /** Whether tables wait to be added. */
  get waiting(): boolean {
    return this.pending.size > 0;
  }

  /** Notes a table that appeared, if the plan picks it and it is not synced yet. */
  appeared(name: string): void {
    if (!this.options.relations.has(name) && this.options.wants(name)) this.pending.add(name);
  }

  /** Looks in the source's catalog for tables the plan picks that are not synced yet. */
  async look(): Promise<void> {
    const { source } = this.options;
    const names = source.tableNames
      ? await source.tableNames()
      : (await source.introspect()).tables.map((table) => table.name);
    const wanted = (name: string) => !this.undescribed.has(name) && this.options.wants(name);
    for (const name of newTableNames(names, (n) => this.options.relations.has(n), wanted)) {
      this.pending.add(name);
    }
  }

  /**
   * Adds every waiting table: has the stream follow it, creates it on the target, copies its rows,
   * then builds its indexes. Call only while no target transaction is open (the pass has drained)
   * and before the stream's next item is applied. Returns the tables added.
   */
  async add(stream: ChangeStream): Promise<SyncedTable[]> {
    const added: SyncedTable[] = [];
    for (const name of [...this.pending]) {
      try {
        if (this.options.relations.has(name)) continue;
        const described = await this.options.describe(name);
        if (!described) {
          this.undescribed.add(name);
          continue;
        }
        await this.addOne(described, stream);
        added.push(described.synced);
      } finally {
        // Waiting until added: a cutover does not finish while a table is being copied.
        this.pending.delete(name);
      }
    }
    return added;
  }

  private async addOne(
    { stream: streamTable, synced, notes = [] }: DescribedTable,
    stream: ChangeStream,
  ): Promise<void> {
    const { source, target, coercions } = this.options;
    const request = { sourceDialect: source.dialect, tables: [synced.target], coercions };
    const [existing] = await target.existingTables([synced.target.name]);
    if (existing?.hasRows) {
      throw new SyncError(
        'SYNC_NEW_TABLE_EXISTS',
        `Table ${synced.source.name} appeared on the source during sync and the plan's rules pick it, but the target already has a table ${synced.target.name} with rows. Drop or rename the target table and run the plan again (ferry run resumes the sync), or exclude the table in the plan.`,
      );
    }
    // The stream follows it first (the source may refuse it: nothing is changed then). No change
    // of it is read until this returns: the pass reads the stream only between adds.
    await stream.addTables([streamTable]);
    // An empty one is left by an add that did not finish: it is made again.
    if (existing) await target.dropTables([synced.target.name]);
    notes.push(...(await target.createSchema(request, 'tables')));
    this.options.relations.add(synced);
    this.options.tables.push(synced);
    this.options.streamTables.push(streamTable);
    const batches = source.read(synced.source, {
      batchRows: this.options.batchRows ?? 1000,
      batchBytes: this.options.batchBytes ?? 4 * 1024 * 1024,
      targetDialect: target.dialect,
      coercions,
    });
    const written = await target.write(synced.target, batches, { coercions });
    notes.push(...(await target.createSchema(request, 'constraints')));
    for (const note of notes) {
      emit(this.options.reporters, 'onSyncWarning', {
        message: `new table ${note.table}${note.object ? ` (${note.object})` : ''}: ${note.message}`,
      });
    }
    emit(this.options.reporters, 'onSchemaChange', {
      table: synced.source.name,
      change: `new table created on the target as ${synced.target.name} and copied (${written.rows} rows); its changes are followed`,
      followed: true,
    });
  }
}
