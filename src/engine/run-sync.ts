/**
 * The sync phase of a `mode: sync` run: after the full load, the source's changes from the
 * snapshot's position, until `ferry cutover` (through the state store) drains them; then the
 * tables are verified, sequences set past the source's values, and the final positions recorded.
 */
import type { CutoverRequest, SyncCommand } from '../cdc/cutover-request.js';
import type { DescribedTable } from '../cdc/new-tables.js';
import type { SyncedTable } from '../cdc/relation-map.js';
import { syncChanges } from '../cdc/sync-changes.js';
import type { SyncReporter } from '../cdc/sync-events.js';
import type { SyncProgress } from '../cdc/sync-progress.js';
import type { Connector } from '../connectors/connector.js';
import { SyncError } from '../errors.js';
import { redact } from '../secrets.js';
import type { StateStore } from '../state/state-store.js';
import { Coercions } from '../values/coercions.js';
import { verifyDatabases } from '../verify/verify.js';
import type { VerifyReporter } from '../verify/verify-events.js';
import type { VerifyResult } from '../verify/verify-result.js';
import { withConnectedPair } from './connect-pair.js';
import type { CopyOptions } from './copy-options.js';
import { prepareTables, resolveTables } from './select-tables.js';
import { applyTableRules, rulesKeepColumn, rulesPick } from './table-rules.js';
import { planTargetNames } from './target-names.js';

/** What the sync phase needs of the run. */
export interface RunSyncOptions {
  /** The plan's name: names the change stream. */
  stream: string;
  source: string;
  target: string;
  copy: Omit<CopyOptions, 'source' | 'target' | 'reporters' | 'run' | 'resume'>;
  /** Sessions applying at once. */
  sessions?: number;
  store: StateStore;
  reporters: SyncReporter[];
  verifyReporters: VerifyReporter[];
  /** Aborted = stop streaming (the run stays resumable). */
  signal?: AbortSignal;
}

/** How the sync phase ended. */
export interface SyncOutcome {
  /** `cutover`: drained, verified and finished; `stopped`: asked to stop, resumable. */
  ended: 'cutover' | 'stopped';
  progress: SyncProgress;
  /** The source position the cutover drained to. */
  finalPosition?: Record<string, string>;
  verify?: VerifyResult;
  /** What the application must change, one line each. */
  instructions: string[];
}

/**
 * One source table as it is now (every column, for the stream) and as the plan's rules shape and
 * name it (for the target), the way the run resolved its tables; undefined when it is gone.
 */
async function describeForSync(
  source: Connector,
  target: Connector,
  copy: RunSyncOptions['copy'],
  name: string,
): Promise<DescribedTable | undefined> {
  const [stream] = (await source.introspect({ tables: [name] })).tables;
  if (!stream || stream.name !== name) return undefined;
  // As resolveTables shapes a table, without its check that every rule still matches a table:
  // a table the plan names may be gone by now, which is no reason to stop the stream.
  const shaped = applyTableRules([stream], copy.tableRules ?? []);
  const prepared = prepareTables(shaped.tables, source.dialect, target.dialect);
  const { tables } = planTargetNames(prepared.tables, target.capabilities, shaped.names);
  const sourceTable = prepared.tables[0];
  const named = tables[0];
  if (!sourceTable || !named) return undefined;
  const { rowFilter: _source, ...targetTable } = named;
  const notes = [...shaped.notes, ...prepared.notes];
  return { stream, synced: { source: sourceTable, target: targetTable }, notes };
}

/** Streams changes until a cutover or a stop. Throws what made the stream give up. */
export async function runSync(options: RunSyncOptions): Promise<SyncOutcome> {
  const { store } = options;
  const origin = store.snapshots()[0]?.position;
  if (!origin) {
    throw new SyncError(
      'SYNC_NO_POSITION',
      `The run in ${store.location} recorded no change log position at its snapshot, so the change stream has nowhere exact to start: run the plan again with --restart.`,
    );
  }
  const rules = options.copy.tableRules ?? [];
  let cutoverRequest: CutoverRequest | undefined;
  const control = {
    poll(): SyncCommand | undefined {
      if (options.signal?.aborted) return { kind: 'stop' };
      const cutover = store.cutover();
      if (cutover?.status === 'requested') {
        cutoverRequest = cutover.request;
        store.recordCutover('draining');
        return { kind: 'cutover', request: cutover.request };
      }
      return cutoverRequest ? { kind: 'cutover', request: cutoverRequest } : undefined;
    },
  };
  const result = await withConnectedPair(options.source, options.target, async (source, target) => {
    const resolved = await resolveTables(source, target, options.copy);
    const onTarget = new Set(
      (await target.existingTables(resolved.targetTables.map((table) => table.name))).map((t) => t.name),
    );
    const tables: SyncedTable[] = [];
    // Tables the target lacks appeared during an earlier attempt's sync and were not added yet.
    const missing: string[] = [];
    resolved.prepared.tables.forEach((table, index) => {
      const targetTable = resolved.targetTables[index]!;
      if (onTarget.has(targetTable.name)) tables.push({ source: table, target: targetTable });
      else missing.push(table.name);
    });
    const chosen = new Set(tables.map((table) => table.source.name));
    return syncChanges({
      source,
      target,
      stream: options.stream,
      origin,
      sourceTables: resolved.schema.tables.filter((table) => chosen.has(table.name)),
      tables,
      wants: (name) =>
        rulesPick(rules, name) &&
        !(options.copy.exclude ?? []).includes(name) &&
        (!options.copy.tables?.length || options.copy.tables.includes(name)),
      describe: (name) => describeForSync(source, target, options.copy, name),
      newTables: missing,
      keepsColumn: (table, column) => rulesKeepColumn(rules, table, column),
      coercions: new Coercions(options.copy.coerce ?? []),
      ...(options.sessions ? { sessions: options.sessions } : {}),
      reporters: [
        ...options.reporters,
        {
          onCutover: (event) => {
            if (event.step !== 'abandoned') return;
            cutoverRequest = undefined;
            store.recordCutover('failed', JSON.stringify({ error: event.detail }));
          },
        },
      ],
      control,
    });
  }).catch((error: unknown) => {
    if (cutoverRequest) store.recordCutover('failed', JSON.stringify({ error: (error as Error).message }));
    throw error;
  });
  if (result.stoppedBy === 'stop') return { ended: 'stopped', progress: result.progress, instructions: [] };

  store.recordCutover('verifying');
  const verify = await verifyDatabases({
    source: options.source,
    target: options.target,
    ...(options.copy.tableRules ? { tableRules: options.copy.tableRules } : {}),
    ...(options.copy.tables ? { tables: options.copy.tables } : {}),
    ...(options.copy.exclude ? { exclude: options.copy.exclude } : {}),
    ...(options.copy.coerce ? { coerce: options.copy.coerce } : {}),
    ...(options.copy.parallel ? { parallel: options.copy.parallel } : {}),
    reporters: options.verifyReporters,
  });
  await withConnectedPair(options.source, options.target, async (source, target) => {
    // Introspected now, the source's auto-increment positions are those of the cutover.
    const resolved = await resolveTables(source, target, options.copy);
    await target.createSchema(
      { sourceDialect: source.dialect, tables: resolved.targetTables, coercions: new Coercions([]) },
      'sequences',
    );
  });
  const instructions = [
    `point the application at the target (${redact(options.target)}) instead of the source`,
    result.readOnly
      ? `the target holds every change up to the final source position; the source stays read-only (${result.readOnly.detail}): to make it writable again, ${result.readOnly.undo}`
      : 'the target holds every change up to the final source position; do not write to the source any more',
    `run ferry cleanup on the plan to remove the change stream's slot, publication and Ferry's own tables`,
  ];
  const outcome: SyncOutcome = {
    ended: 'cutover',
    progress: result.progress,
    ...(result.finalPosition ? { finalPosition: result.finalPosition } : {}),
    verify,
    instructions,
  };
  store.recordCutover(
    verify.ok ? 'done' : 'failed',
    JSON.stringify({
      finalPosition: result.finalPosition ?? null,
      appliedPosition: result.progress.appliedPosition ?? null,
      verify: { ok: verify.ok, tables: verify.tables.map((table) => [table.table, table.status]) },
      instructions,
    }),
  );
  return outcome;
}
