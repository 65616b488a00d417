/**
 * `runPlan` (`ferry run`): a copy that survives its process. The first attempt records a new run in
 * the plan's state store; every later attempt of the same plan resumes it — the same run id, the
 * chunk plan saved before the first write, only the chunks the target's progress table does not
 * hold — and a changed plan is refused. At the end the run says which tables are consistent at
 * one position and which are not since an earlier one, verifies the latter (and every table when
 * the plan asks), and records its outcome.
 */
import { randomUUID } from 'node:crypto';
import { UsageError } from '../errors.js';
import { redact } from '../secrets.js';
import { stateRecorder } from '../state/state-recorder.js';
import type { StateStore } from '../state/state-store.js';
import { verifyDatabases } from '../verify/verify.js';
import type { VerifyReporter } from '../verify/verify-events.js';
import type { VerifyResult } from '../verify/verify-result.js';
import { copyDatabase } from './copy.js';
import type { CopyOptions } from './copy-options.js';
import type { CopyResult } from './copy-result.js';
import type { Reporter } from './events.js';
import type { ResumePoint } from './resume-point.js';
import { type TableConsistency, tableConsistency } from './run-consistency.js';
import { runSync, type SyncOutcome } from './run-sync.js';

/** A plan as the run needs it: resolved URLs (with their secrets) and the copy's options. */
export interface RunnablePlan {
  name: string;
  source: string;
  target: string;
  /** The copy's options, without the URLs and listeners. */
  copy: Omit<CopyOptions, 'source' | 'target' | 'reporters' | 'run' | 'resume'>;
  /** Verify every table after the copy (tables that lost consistency are verified regardless). */
  verify: boolean;
  /** `sync`: after the copy, stream the source's changes until a cutover (run-sync.ts). Default `snapshot`. */
  mode?: 'snapshot' | 'sync';
  /** Sync mode: sessions applying at once. */
  syncSessions?: number;
}

/** How a run is started. */
export interface RunPlanOptions {
  plan: RunnablePlan;
  store: StateStore;
  /** Forget the recorded run and begin again. */
  restart?: boolean;
  /** Sync mode: aborted = stop streaming, leaving the run resumable. */
  signal?: AbortSignal;
  reporters?: Reporter[];
  verifyReporters?: VerifyReporter[];
}

/** What a run did. */
export interface RunOutcome {
  ok: boolean;
  run: string;
  /** 1 for a run never interrupted. */
  attempt: number;
  /** The plan had already finished: nothing was done (`--restart` runs it again). */
  alreadyFinished: boolean;
  copy?: CopyResult;
  verify?: VerifyResult;
  /** Sync mode: how the change stream ended (absent when the copy failed first). */
  sync?: SyncOutcome;
  consistency: TableConsistency[];
}

/**
 * What identifies a plan's work: a resumed run must copy the same tables from the same source to
 * the same target split the same way. Parallelism, memory, throttling and verify may change
 * between attempts. No secret is part of it (URLs are redacted).
 */
export function planIdentity(plan: RunnablePlan): Record<string, unknown> {
  const copy = plan.copy;
  return {
    source: redact(plan.source),
    target: redact(plan.target),
    mode: plan.mode ?? 'snapshot',
    tables: copy.tables ?? null,
    exclude: copy.exclude ?? null,
    tableRules: copy.tableRules ?? null,
    schemaOnly: copy.schemaOnly ?? false,
    dataOnly: copy.dataOnly ?? false,
    ifExists: copy.ifExists ?? 'fail',
    coerce: copy.coerce ?? null,
    chunkRows: copy.chunkRows ?? null,
    chunkBytes: copy.chunkBytes ?? null,
  };
}

/** The names of the identity entries that differ between a recorded run and this plan. */
export function identityChanges(recorded: Record<string, unknown>, now: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(recorded), ...Object.keys(now)]);
  return [...keys].filter((key) => JSON.stringify(recorded[key]) !== JSON.stringify(now[key]));
}

/** Runs or resumes `options.plan`. Throws a UsageError when the plan changed since its run began. */
export async function runPlan(options: RunPlanOptions): Promise<RunOutcome> {
  const { plan, store } = options;
  const identity = planIdentity(plan);
  let recorded = options.restart ? undefined : store.run();
  if (recorded) {
    const changed = identityChanges(JSON.parse(recorded.identity) as Record<string, unknown>, identity);
    if (changed.length > 0) {
      throw new UsageError(
        'PLAN_CHANGED',
        `The plan changed since its run began (${changed.join(', ')} differ from the run recorded in ${store.location}): put it back as it was to resume, or run with --restart to begin again.`,
      );
    }
    if (recorded.status === 'finished') {
      return {
        ok: true,
        run: recorded.id,
        attempt: recorded.attempts,
        alreadyFinished: true,
        consistency: [],
      };
    }
  }
  if (!recorded) {
    store.startRun({ id: randomUUID(), planName: plan.name, identity: JSON.stringify(identity) });
    recorded = store.run();
  }
  const run = recorded!.id;
  store.beginAttempt(process.pid);
  const attempt = store.run()?.attempts ?? 1;
  const resume: ResumePoint | undefined =
    attempt > 1
      ? {
          chunks: store.chunkPlans(),
          created: store.tablesToCreate(),
          dataStarted: store.phasesBegun().has('data'),
        }
      : undefined;

  const sync = plan.mode === 'sync';
  if (sync) refuseRowFilters(plan);
  // A sync whose copy finished streams on from what the target holds: no copy again.
  const streaming = sync && attempt > 1 && store.phasesBegun().has('sync');
  let copy: CopyResult | undefined;
  let verify: VerifyResult | undefined;
  let synced: SyncOutcome | undefined;
  let consistency: TableConsistency[] = [];
  try {
    if (!streaming) {
      copy = await copyDatabase({
        ...plan.copy,
        source: plan.source,
        target: plan.target,
        run,
        ...(resume ? { resume } : {}),
        ...(sync ? { changeStream: plan.name } : {}),
        reporters: [stateRecorder(store), ...(options.reporters ?? [])],
      });
      consistency = copy.tables.some((table) => table.status === 'copied')
        ? tableConsistency(store.tables(), store.snapshots())
        : [];
    }
    if (sync) {
      if (!copy || copy.ok) {
        store.recordPhase('sync');
        synced = await runSync({
          stream: plan.name,
          source: plan.source,
          target: plan.target,
          copy: plan.copy,
          ...(plan.syncSessions ? { sessions: plan.syncSessions } : {}),
          store,
          reporters: [stateRecorder(store), ...(options.reporters ?? [])],
          verifyReporters: options.verifyReporters ?? [],
          ...(options.signal ? { signal: options.signal } : {}),
        });
        verify = synced.verify;
      }
    } else if (copy) {
      verify = await verifyAfterCopy(plan, store, copy, consistency, options.verifyReporters ?? []);
    }
  } catch (error) {
    store.finishRun('failed', JSON.stringify({ error: redact((error as Error).message) }));
    throw error;
  }
  const copyOk = copy === undefined || copy.ok;
  const ok = copyOk && (verify === undefined || verify.ok) && (!sync || synced?.ended === 'cutover');
  // A sync stopped on request stays running: the next attempt streams on from the target's position.
  if (!(synced?.ended === 'stopped')) {
    store.finishRun(
      ok ? 'finished' : 'failed',
      JSON.stringify({
        ok,
        tables: copy?.tables.map((t) => ({ table: t.table, status: t.status, rows: t.rows })) ?? [],
        consistency,
        verify: verify ? { ok: verify.ok, tables: verify.tables.map((t) => [t.table, t.status]) } : null,
        sync: synced
          ? { ended: synced.ended, finalPosition: synced.finalPosition ?? null, progress: synced.progress }
          : null,
      }),
    );
  }
  return {
    ok,
    run,
    attempt,
    alreadyFinished: false,
    ...(copy ? { copy } : {}),
    ...(verify ? { verify } : {}),
    ...(synced ? { sync: synced } : {}),
    consistency,
  };
}

/**
 * Snapshot mode: verifies the tables that lost consistency (or every table when the plan asks).
 * Sync mode verifies at the cutover instead: the stream heals what a lost snapshot left behind.
 */
async function verifyAfterCopy(
  plan: RunnablePlan,
  store: StateStore,
  copy: CopyResult,
  consistency: TableConsistency[],
  reporters: VerifyReporter[],
): Promise<VerifyResult | undefined> {
  const copied = new Set(copy.tables.filter((t) => t.status === 'copied').map((t) => t.table));
  const unsure = consistency.filter((table) => !table.consistent && copied.has(table.table));
  const toVerify = plan.verify && copy.coercions.length === 0 ? [...copied] : unsure.map((t) => t.table);
  if (!copy.ok || toVerify.length === 0 || plan.copy.ifExists === 'append' || plan.copy.schemaOnly)
    return undefined;
  store.recordPhase('verify');
  return verifyDatabases({
    source: plan.source,
    target: plan.target,
    tables: toVerify,
    ...(plan.copy.tableRules ? { tableRules: plan.copy.tableRules } : {}),
    ...(plan.copy.coerce ? { coerce: plan.copy.coerce } : {}),
    ...(plan.copy.parallel ? { parallel: plan.copy.parallel } : {}),
    ...(plan.copy.chunkRows ? { chunkRows: plan.copy.chunkRows } : {}),
    reporters,
  });
}

/** A `where` filter decides which rows a table holds; a change stream cannot keep rows moving in and out of it yet. */
function refuseRowFilters(plan: RunnablePlan): void {
  const filtered = (plan.copy.tableRules ?? []).filter((rule) => rule.where !== undefined);
  if (filtered.length === 0) return;
  throw new UsageError(
    'SYNC_ROW_FILTER',
    `mode: sync cannot keep a where filter (${filtered.map((rule) => rule.include).join(', ')}): a row updated into or out of the filter would be lost. Remove the where, or use mode: snapshot.`,
  );
}
