/**
 * `syncChanges`: change data capture from a source into a target until a cutover drains it or the
 * caller stops it. Each pass opens the stream from what the target holds (its watermark and
 * applied records, committed with the changes), so a lost connection, a restarted server or a
 * killed process resumes exactly: nothing applied twice, nothing skipped.
 */
import type { Connector } from '../connectors/connector.js';
import { asFerryError } from '../engine/errors.js';
import { emit } from '../engine/events.js';
import { messageOf, PreconditionError } from '../errors.js';
import type { Table } from '../schema/table.js';
import type { Coercions } from '../values/coercions.js';
import type { SyncControl } from './cutover-request.js';
import type { DescribedTable } from './new-tables.js';
import { RelationMap, type SyncedTable } from './relation-map.js';
import { SchemaFollower } from './schema-follower.js';
import type { SyncReporter } from './sync-events.js';
import { type SyncPassResult, syncPass } from './sync-pass.js';

/** What a sync needs. */
export interface SyncChangesOptions {
  source: Connector;
  target: Connector;
  /** The stream's name (the plan's): the slot, the applied records. */
  stream: string;
  /** Where the stream starts when the target holds nothing of it: the snapshot's position. */
  origin: Record<string, string>;
  /** The source tables as introspected (every column), for the stream to decode. */
  sourceTables: Table[];
  /** The synced tables as the plan shaped them, and their target tables. */
  tables: SyncedTable[];
  /** Whether the plan's rules pick a source table of this name. */
  wants(table: string): boolean;
  /** Whether the plan copies this column of this source table. */
  keepsColumn(table: string, column: string): boolean;
  /** A source table as it is now and as the plan shapes and names it (new tables, added columns); undefined when gone. */
  describe(table: string): Promise<DescribedTable | undefined>;
  /** Source tables the plan picks that the target lacks yet: added (created, followed, copied) as tables that appear. */
  newTables?: string[];
  /** Seconds between looks in the source's catalog for new tables the plan picks (default 10). */
  catalogSeconds?: number;
  coercions: Coercions;
  /** Sessions applying at once (default 4; SQLite 1). */
  sessions?: number;
  /** Passes that may fail in a row for a passing reason before the sync gives up (default 5). */
  retries?: number;
  reporters?: SyncReporter[];
  control?: SyncControl;
  /** Seconds between progress reports (default 1). */
  progressSeconds?: number;
  /** Seconds between the source's keepalives when idle (default 1). */
  heartbeatSeconds?: number;
  /** Warn when the source keeps more change log than this for the stream (default 1 GiB). */
  retainedAlarmBytes?: number;
}

/** Sessions applying at once by default. */
export const DEFAULT_SYNC_SESSIONS = 4;

/** Syncs until a cutover drains or the control says stop. Throws what made it give up. */
export async function syncChanges(options: SyncChangesOptions): Promise<SyncPassResult> {
  const { source, target } = options;
  if (!source.openChangeStream) {
    throw new PreconditionError(
      'SYNC_UNSUPPORTED_SOURCE',
      `${source.display} has no change log Ferry can read (mode: sync needs PostgreSQL or MariaDB/MySQL as the source); use mode: snapshot.`,
    );
  }
  if (!target.openApplier) {
    throw new PreconditionError('SYNC_UNSUPPORTED_TARGET', `${target.display} cannot apply a change stream.`);
  }
  const reporters = options.reporters ?? [];
  const relations = new RelationMap(options.tables);
  const schema = new SchemaFollower({
    source,
    target,
    relations,
    tables: options.tables,
    streamTables: options.sourceTables,
    wants: options.wants,
    keepsColumn: options.keepsColumn,
    describe: options.describe,
    coercions: options.coercions,
    reporters,
  });
  for (const name of options.newTables ?? []) schema.appeared(name);
  const applier = await target.openApplier({ stream: options.stream, coercions: options.coercions });
  const retries = options.retries ?? 5;
  let failures = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      try {
        return await syncPass({
          source,
          target,
          applier,
          stream: options.stream,
          origin: options.origin,
          relations,
          schema,
          sessions: options.sessions ?? DEFAULT_SYNC_SESSIONS,
          queued: (options.sessions ?? DEFAULT_SYNC_SESSIONS) * 4,
          heartbeatSeconds: options.heartbeatSeconds ?? 1,
          progressSeconds: options.progressSeconds ?? 1,
          catalogSeconds: options.catalogSeconds ?? 10,
          retainedAlarmBytes: options.retainedAlarmBytes ?? 1024 ** 3,
          reporters,
          ...(options.control ? { control: options.control } : {}),
          attempt,
        });
      } catch (error) {
        // A pass that streamed for a minute proves the trouble passed: its failure starts a new count.
        if (Date.now() - started > 60_000) failures = 0;
        const passing = source.isTransient(error) || target.isTransient(error);
        if (!passing || failures >= retries) {
          const failure = asFerryError(error, 'SYNC_FAILED', 'streaming changes');
          emit(reporters, 'onSyncError', { error: failure });
          throw failure;
        }
        failures++;
        const seconds = Math.min(30, 0.5 * 2 ** failures);
        emit(reporters, 'onSyncRetry', { attempt: failures, reason: messageOf(error), seconds });
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      }
    }
  } finally {
    await applier.close();
  }
}
