/**
 * Prometheus metrics of one run, as a listener of its events. Each run has a registry of its own
 * (never prom-client's global one), so two runs in one process, or two tests, never share counts.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SyncProgress } from '../cdc/sync-progress.js';
import type { TableResult } from '../engine/copy-result.js';
import type { Reporter } from '../engine/events.js';
import { redact } from '../secrets.js';
import type { VerifyReporter } from '../verify/verify-events.js';
import { RateMeter } from './rate-meter.js';

/** The values of `ferry_phase`: the copy's phases, then the verify step, then the end. */
export const RUN_PHASES = ['schema', 'data', 'constraints', 'objects', 'sync', 'verify', 'done'] as const;

/** A run's phase as `ferry_phase` shows it. */
export type RunPhase = (typeof RUN_PHASES)[number];

/** Seconds a chunk may take, for the histogram's buckets. */
const CHUNK_SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** A run's metrics: feed it events (it is a Reporter and a VerifyReporter), read `registry`. */
export class RunMetrics implements Reporter, VerifyReporter {
  /** This run's registry, for the /metrics endpoint. */
  readonly registry = new Registry();
  private readonly rate: RateMeter;
  private readonly rows: Counter<'table'>;
  private readonly bytes: Counter<'table'>;
  private readonly chunks: Counter<'table' | 'status'>;
  private readonly chunkSeconds: Histogram;
  private readonly tables: Counter<'status'>;
  private readonly pauses: Counter<'reason'>;
  private readonly pauseSeconds: Counter<'reason'>;
  private readonly phase: Gauge<'phase'>;
  private readonly errors: Counter;
  private readonly syncGauges: {
    lag: Gauge;
    pending: Gauge;
    retained: Gauge;
    rate: Gauge;
    applied: Gauge<'table' | 'kind'>;
    transactions: Gauge;
  };
  private readonly syncRetries: Counter;

  constructor(options: { rateWindowSeconds?: number; now?: () => number } = {}) {
    const registers = [this.registry];
    this.rate = new RateMeter(options.rateWindowSeconds ?? 10, options.now);
    this.rows = new Counter({
      name: 'ferry_rows_copied_total',
      help: 'Rows committed on the target, per source table',
      labelNames: ['table'],
      registers,
    });
    this.bytes = new Counter({
      name: 'ferry_bytes_copied_total',
      help: 'Bytes committed on the target, per source table',
      labelNames: ['table'],
      registers,
    });
    this.chunks = new Counter({
      name: 'ferry_chunks_total',
      help: 'Chunks by outcome: done (committed), retried (an attempt redone), failed (for good), already-done (by an earlier attempt of a resumed run)',
      labelNames: ['table', 'status'],
      registers,
    });
    this.chunkSeconds = new Histogram({
      name: 'ferry_chunk_duration_seconds',
      help: 'Seconds from the start of a committed chunk attempt to its commit',
      buckets: CHUNK_SECONDS_BUCKETS,
      registers,
    });
    this.tables = new Counter({
      name: 'ferry_tables_total',
      help: 'Tables finished, by status (copied, schema-only, failed)',
      labelNames: ['status'],
      registers,
    });
    this.pauses = new Counter({
      name: 'ferry_throttle_pauses_total',
      help: 'Times a read waited for a rate limit or the source load, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.pauseSeconds = new Counter({
      name: 'ferry_throttle_seconds_total',
      help: 'Seconds reads waited for a rate limit or the source load, by reason',
      labelNames: ['reason'],
      registers,
    });
    const rate = this.rate;
    new Gauge({
      name: 'ferry_rows_per_second',
      help: 'Rows committed per second over the last seconds of the run',
      registers,
      collect() {
        this.set(rate.perSecond());
      },
    });
    this.phase = new Gauge({
      name: 'ferry_phase',
      help: 'The phase the run is in: 1 for the current one, 0 for the others',
      labelNames: ['phase'],
      registers,
    });
    for (const phase of RUN_PHASES) this.phase.set({ phase }, 0);
    this.syncGauges = {
      lag: new Gauge({
        name: 'ferry_sync_lag_seconds',
        help: 'Seconds since the source committed the oldest change not yet applied on the target (0 when caught up)',
        registers,
      }),
      pending: new Gauge({
        name: 'ferry_sync_pending_changes',
        help: 'Row changes received from the source and not yet committed on the target',
        registers,
      }),
      retained: new Gauge({
        name: 'ferry_sync_retained_bytes',
        help: 'Bytes of change log the source keeps for the stream (PostgreSQL WAL held by the slot, MariaDB binlog)',
        registers,
      }),
      rate: new Gauge({
        name: 'ferry_sync_changes_per_second',
        help: 'Row changes committed on the target per second, over the last seconds',
        registers,
      }),
      applied: new Gauge({
        name: 'ferry_sync_applied_changes',
        help: 'Row changes the target holds from the stream, per table and kind (insert, update, delete)',
        labelNames: ['table', 'kind'],
        registers,
      }),
      transactions: new Gauge({
        name: 'ferry_sync_applied_transactions',
        help: 'Source transactions committed on the target by this process',
        registers,
      }),
    };
    this.syncRetries = new Counter({
      name: 'ferry_sync_retries_total',
      help: 'Times the change stream was opened again after a passing failure',
      registers,
    });
    this.errors = new Counter({
      name: 'ferry_errors_total',
      help: 'Failures the result reports: failed tables, failed steps, and an error that stopped the run',
      registers,
    });
  }

  /** Marks `phase` as the current one. */
  setPhase(phase: RunPhase): void {
    for (const name of RUN_PHASES) this.phase.set({ phase: name }, name === phase ? 1 : 0);
  }

  /** The exposition text, as /metrics serves it. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  onPhase(event: { phase: 'schema' | 'data' | 'constraints' | 'objects' }): void {
    this.setPhase(event.phase);
  }

  onSyncStart(): void {
    this.setPhase('sync');
  }

  onSyncProgress(progress: SyncProgress): void {
    const gauges = this.syncGauges;
    gauges.lag.set(progress.lagSeconds);
    gauges.pending.set(progress.pendingChanges);
    if (progress.retainedBytes !== undefined) gauges.retained.set(progress.retainedBytes);
    gauges.rate.set(progress.changesPerSecond);
    gauges.transactions.set(progress.appliedTransactions);
    for (const [table, counts] of Object.entries(progress.tables)) {
      gauges.applied.set({ table, kind: 'insert' }, counts.inserts);
      gauges.applied.set({ table, kind: 'update' }, counts.updates);
      gauges.applied.set({ table, kind: 'delete' }, counts.deletes);
    }
  }

  onSyncRetry(): void {
    this.syncRetries.inc();
  }

  onSyncError(): void {
    this.errors.inc();
  }

  onChunkDone(event: { table: string; rows: number; bytes: number; seconds: number }): void {
    const table = redact(event.table);
    this.rows.inc({ table }, event.rows);
    this.bytes.inc({ table }, event.bytes);
    this.chunks.inc({ table, status: 'done' });
    this.chunkSeconds.observe(event.seconds);
    this.rate.add(event.rows);
  }

  /** A chunk an earlier attempt of a resumed run committed: its rows count, as the result counts them. */
  onChunkAlreadyDone(event: { table: string; rows: number; bytes: number }): void {
    const table = redact(event.table);
    this.rows.inc({ table }, event.rows);
    this.bytes.inc({ table }, event.bytes);
    this.chunks.inc({ table, status: 'already-done' });
  }

  onChunkRetry(event: { table: string }): void {
    this.chunks.inc({ table: redact(event.table), status: 'retried' });
  }

  onChunkFailed(event: { table: string }): void {
    this.chunks.inc({ table: redact(event.table), status: 'failed' });
  }

  onTableDone(result: TableResult): void {
    this.tables.inc({ status: result.status });
    if (result.status === 'failed') this.errors.inc();
  }

  onThrottle(event: { reason: string; seconds: number }): void {
    this.pauses.inc({ reason: event.reason });
    this.pauseSeconds.inc({ reason: event.reason }, event.seconds);
  }

  onError(): void {
    this.errors.inc();
  }

  onVerifyTableStart(): void {
    this.setPhase('verify');
  }
}
