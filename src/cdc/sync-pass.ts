/**
 * One pass of change data capture: opens the stream from what the target holds, applies each
 * source transaction whole (small ones in parallel by write set, large ones alone and streamed),
 * moves the watermark, and stops when told to or drained for a cutover. Any failure ends the pass;
 * sync-changes.ts decides whether to open another.
 */
import type { Connector, ReadOnlySource } from '../connectors/connector.js';
import { emit } from '../engine/events.js';
import { ConnectionError, SyncError } from '../errors.js';
import { AppliedPositions, type PositionTicket } from './applied-positions.js';
import type { ApplySession, ChangeApplier, ChangeCounts } from './applier.js';
import type { RowChange, StreamItem, StreamPosition, TransactionPart } from './change.js';
import { addCounts, countChanges } from './change-counts.js';
import { clusterChanges } from './change-order.js';
import type { ChangeStream, StreamBacklog } from './change-stream.js';
import type { SyncControl } from './cutover-request.js';
import { Cutover } from './cutover-steps.js';
import { LagMeter } from './lag-meter.js';
import type { RelationMap } from './relation-map.js';
import type { SchemaFollower } from './schema-follower.js';
import { SessionPool } from './session-pool.js';
import type { SyncReporter } from './sync-events.js';
import type { SyncProgress } from './sync-progress.js';
import {
  applyGroup,
  DEFAULT_GROUP_LIMITS,
  type GroupedTransaction,
  TransactionGroup,
} from './transaction-group.js';
import { TransactionScheduler } from './transaction-scheduler.js';
import { WriteSets } from './write-set.js';

/** What one pass needs. */
export interface SyncPassOptions {
  source: Connector;
  target: Connector;
  applier: ChangeApplier;
  stream: string;
  /** Where the stream starts when the target holds nothing of it (the snapshot's position). */
  origin: Record<string, string>;
  relations: RelationMap;
  schema: SchemaFollower;
  sessions: number;
  /** Groups of transactions (transaction-group.ts) queued or applying at most. */
  queued: number;
  heartbeatSeconds: number;
  progressSeconds: number;
  /** Seconds between looks in the source's catalog for new tables the plan picks. */
  catalogSeconds: number;
  /** Warn when the source keeps more change log than this for the stream. */
  retainedAlarmBytes: number;
  reporters: readonly SyncReporter[];
  control?: SyncControl;
  /** 1 for the first pass of this process. */
  attempt: number;
}

/** How a pass ended without failing. */
export interface SyncPassResult {
  stoppedBy: 'stop' | 'cutover';
  progress: SyncProgress;
  /** The source position the cutover drained to. */
  finalPosition?: Record<string, string>;
  /** What `--read-only` did to the source, and how to undo it. */
  readOnly?: ReadOnlySource;
}

const STOP = Symbol('stop');
/** The stream had nothing to give at once: the open group goes to apply. */
const IDLE = Symbol('idle');

/** Runs one pass; throws whatever stopped it otherwise. */
export async function syncPass(options: SyncPassOptions): Promise<SyncPassResult> {
  const pass = new Pass(options);
  return pass.run();
}

/** A transaction too large for one part: applied alone, part by part, on one session. */
interface StreamedTransaction {
  session: ApplySession;
  counts: ChangeCounts;
  changes: number;
}

class Pass {
  private readonly lag = new LagMeter();
  private readonly scheduler: TransactionScheduler;
  private readonly writeSets: WriteSets;
  private readonly pool: SessionPool;
  private positions!: AppliedPositions;
  private stream!: ChangeStream;
  private counts: ChangeCounts = {};
  private stored: StreamPosition | undefined;
  private backlog: StreamBacklog | undefined;
  private backlogAt = 0;
  private streamed: StreamedTransaction | undefined;
  private group: TransactionGroup | undefined;
  private stopBy: 'stop' | 'cutover' | undefined;
  private cutover: Cutover | undefined;
  private readonly stopped: Promise<typeof STOP>;
  private stop!: () => void;
  private tickFailure: unknown;

  constructor(private readonly options: SyncPassOptions) {
    this.scheduler = new TransactionScheduler(options.queued);
    this.writeSets = new WriteSets(options.schema.targetTables());
    this.pool = new SessionPool(options.applier, Math.min(options.sessions, options.applier.maxSessions));
    this.stopped = new Promise((resolve) => {
      this.stop = () => resolve(STOP);
    });
  }

  async run(): Promise<SyncPassResult> {
    const options = this.options;
    const { applier, source } = options;
    const state = await applier.prepare();
    this.positions = new AppliedPositions(state);
    this.stored = state.watermark;
    this.counts = await applier.counts();
    const from = state.watermark?.fields ?? options.origin;
    this.stream = await source.openChangeStream!({
      name: options.stream,
      tables: options.schema.sourceTables(),
      from,
      heartbeatSeconds: options.heartbeatSeconds,
    });
    emit(options.reporters, 'onSyncStart', {
      stream: options.stream,
      from,
      sessions: this.pool.size,
      attempt: options.attempt,
    });
    const timer = setInterval(() => void this.tick(), options.progressSeconds * 1000);
    const catalog = setInterval(() => void this.lookForTables(), options.catalogSeconds * 1000);
    try {
      // Tables the target lacks (an earlier attempt's sync did not finish adding them): before any change.
      if (options.schema.tablesWaiting) await this.addTables();
      await this.read();
      await this.abandonStreamed();
      await this.drain();
      await this.moveWatermark();
      if (this.tickFailure) throw this.tickFailure;
      const progress = await this.progress(true);
      return {
        stoppedBy: this.stopBy ?? 'stop',
        progress,
        ...(this.cutover?.final ? { finalPosition: this.cutover.final.fields } : {}),
        ...(this.cutover?.readOnly ? { readOnly: this.cutover.readOnly } : {}),
      };
    } catch (error) {
      this.group = undefined;
      await this.scheduler.settle();
      throw error;
    } finally {
      clearInterval(timer);
      clearInterval(catalog);
      await this.abandonStreamed().catch(() => undefined);
      await this.pool.close();
      await this.stream.close().catch(() => undefined);
    }
  }

  /** Reads the stream until told to stop (or the stream fails). */
  private async read(): Promise<void> {
    const iterator = this.stream[Symbol.asyncIterator]();
    for (;;) {
      const next = iterator.next();
      let result = this.group
        ? await Promise.race([next, this.stopped, idle()])
        : await Promise.race([next, this.stopped]);
      // Nothing more to read at once: the open group applies once it had its moment to gather
      // more and a session can take it; until then it keeps gathering what comes (fewer, larger
      // target transactions).
      while (result === IDLE) {
        const wait = this.group!.openedAt + DEFAULT_GROUP_LIMITS.waitMs - performance.now();
        if (wait <= 0 && this.scheduler.size < this.pool.size) {
          await this.flushGroup();
          result = await Promise.race([next, this.stopped]);
        } else {
          const later = wait > 0 ? delay(wait) : this.scheduler.oneSettled();
          result = await Promise.race([next, this.stopped, later.then((): typeof IDLE => IDLE)]);
        }
      }
      if (result === STOP) {
        // The pending read ends with the stream's close; its outcome no longer matters.
        next.catch(() => undefined);
        return;
      }
      if (result.done) {
        throw new ConnectionError(
          'SYNC_STREAM_ENDED',
          `The change stream of ${this.options.source.display} ended without being asked to: the connection was probably closed by the server.`,
        );
      }
      await this.handle(result.value);
      if (this.tickFailure) throw this.tickFailure;
      if (this.options.schema.tablesWaiting && !this.streamed) await this.addTables();
    }
  }

  /** Adds the new tables that wait, between two transactions with nothing open on the target. */
  private async addTables(): Promise<void> {
    await this.drain();
    for (const table of await this.options.schema.addTables(this.stream)) this.writeSets.add(table.target);
  }

  private looking = false;

  /** Every `catalogSeconds`: the source's catalog, for new tables the plan picks (added by the read loop). */
  private async lookForTables(): Promise<void> {
    if (this.looking || this.stopBy) return;
    this.looking = true;
    try {
      await this.options.schema.lookForTables();
    } catch (error) {
      // A lost source connection is the stream's to notice (it reopens); the next look tries again.
      if (this.options.source.isTransient(error)) return;
      this.tickFailure ??= error;
      this.stop();
    } finally {
      this.looking = false;
    }
  }

  private async handle(item: StreamItem): Promise<void> {
    if (item.type === 'progress') {
      this.positions.handOut(item.position, true);
      return;
    }
    if (item.type === 'schema') {
      // A schema item may come between two parts of a transaction (the table's first row in it
      // showed a new definition): the transaction goes on after it, so it is not ended here.
      if (!this.streamed) await this.drain();
      await this.options.schema.follow(item, { transactionOpen: this.streamed !== undefined });
      return;
    }
    await this.transaction(item.part);
  }

  private async transaction(part: TransactionPart): Promise<void> {
    const changes = this.mapped(part.changes);
    if (part.first && part.commit && !this.streamed) {
      await this.whole(part, changes, part.commit);
      return;
    }
    if (part.first) {
      // A large transaction: everything before it commits first, then it applies alone.
      await this.drain();
      const session = await this.pool.take();
      await session.begin();
      this.streamed = { session, counts: {}, changes: 0 };
    }
    const streamed = this.streamed;
    if (!streamed) {
      throw new SyncError(
        'SYNC_STREAM_ORDER',
        `The change stream of ${this.options.source.display} gave a part of transaction ${part.id} without its beginning; this is a bug in the stream.`,
      );
    }
    if (changes.length > 0) {
      await streamed.session.apply(changes);
      countChanges(changes, streamed.counts);
      streamed.changes += changes.length;
    }
    if (part.commit) {
      const { position, time } = part.commit;
      this.streamed = undefined;
      if (this.positions.isApplied(position)) {
        await streamed.session.rollback();
        this.pool.give(streamed.session);
        this.positions.handOut(position, true);
        return;
      }
      const ticket = this.positions.handOut(position);
      this.lag.received(ticket, time, streamed.changes);
      try {
        await streamed.session.commit([position], streamed.counts);
      } catch (error) {
        await this.pool.discard(streamed.session);
        throw error;
      }
      this.pool.give(streamed.session);
      this.committed(ticket, streamed.counts);
    }
  }

  /** A transaction in one part: grouped with the ones after it, queued by the group's write set. */
  private async whole(
    part: TransactionPart,
    changes: RowChange[],
    commit: NonNullable<TransactionPart['commit']>,
  ): Promise<void> {
    const { position, time } = commit;
    if (changes.length === 0 || this.positions.isApplied(position)) {
      this.positions.handOut(position, true);
      return;
    }
    const ticket = this.positions.handOut(position);
    this.lag.received(ticket, time, changes.length);
    const writeSet = WriteSets.touchesWholeTables(changes) ? 'all' : this.writeSets.of(changes);
    this.group ??= new TransactionGroup();
    this.group.add({ changes, position, ticket, counts: countChanges(changes) }, writeSet, part.bytes);
    if (this.group.isFull(DEFAULT_GROUP_LIMITS)) await this.flushGroup();
  }

  /** Queues the open group; returns once the scheduler has room for more. */
  private async flushGroup(): Promise<void> {
    const group = this.group;
    if (!group) return;
    this.group = undefined;
    await this.scheduler.schedule(group.writeSet, () =>
      applyGroup(group, {
        pool: this.pool,
        isTransient: (error) => this.options.target.isTransient(error),
        committed: (transactions) => this.committedGroup(transactions),
        order: (changes) => clusterChanges(changes, this.writeSets),
      }),
    );
  }

  /** Applies everything given so far: the open group, then all that is queued. */
  private async drain(): Promise<void> {
    await this.flushGroup();
    await this.scheduler.drain();
  }

  private committedGroup(transactions: readonly GroupedTransaction[]): void {
    for (const transaction of transactions) this.committed(transaction.ticket, transaction.counts);
  }

  private committed(ticket: PositionTicket, counts: ChangeCounts): void {
    ticket.done = true;
    this.lag.applied(ticket);
    addCounts(this.counts, counts);
  }

  /** Ends a streamed transaction cut short (stop, failure): it was not committed. */
  private async abandonStreamed(): Promise<void> {
    const streamed = this.streamed;
    if (!streamed) return;
    this.streamed = undefined;
    await streamed.session.rollback().catch(() => undefined);
    this.pool.give(streamed.session);
  }

  private mapped(changes: readonly RowChange[]): RowChange[] {
    const out: RowChange[] = [];
    for (const change of changes) {
      const mapped = this.options.relations.map(change);
      if (mapped) out.push(mapped);
    }
    return out;
  }

  private ticking = false;

  /** About once a second: store and acknowledge the watermark, report progress, obey the control. */
  private async tick(): Promise<void> {
    if (this.ticking || this.stopBy) return;
    this.ticking = true;
    try {
      await this.moveWatermark();
      const progress = await this.progress(false);
      this.obey(progress);
      if (this.cutover) await this.advanceCutover(progress);
    } catch (error) {
      this.tickFailure ??= error;
      this.stop();
    } finally {
      this.ticking = false;
    }
  }

  private async moveWatermark(): Promise<void> {
    const mark = this.positions.watermark();
    if (!mark || (this.stored && mark.key <= this.stored.key)) return;
    await this.options.applier.advanceWatermark(mark);
    this.stream.acknowledge(mark);
    this.stored = mark;
  }

  private async progress(fresh: boolean): Promise<SyncProgress> {
    const now = Date.now();
    if (fresh || this.cutover || now - this.backlogAt > 5000) {
      this.backlogAt = now;
      this.backlog = await this.stream.backlog().catch(() => this.backlog);
    }
    const totals = this.lag.totals;
    const progress: SyncProgress = {
      at: new Date(now).toISOString(),
      stream: this.options.stream,
      ...(this.backlog
        ? { sourcePosition: this.backlog.head.fields, retainedBytes: this.backlog.retainedBytes }
        : {}),
      ...(this.stored ? { appliedPosition: this.stored.fields } : {}),
      lagSeconds: this.lag.lagSeconds(now),
      pendingChanges: this.lag.pendingChanges,
      appliedTransactions: totals.transactions,
      appliedChanges: totals.changes,
      changesPerSecond: this.lag.rate(now),
      tables: structuredClone(this.counts),
    };
    emit(this.options.reporters, 'onSyncProgress', progress);
    this.alarm(progress);
    return progress;
  }

  private alarmed = false;

  /** Warns once each time the log the source keeps for the stream passes the limit (it fills the source's disk). */
  private alarm(progress: SyncProgress): void {
    const retained = progress.retainedBytes;
    if (retained === undefined) return;
    const over = retained > this.options.retainedAlarmBytes;
    if (over && !this.alarmed) {
      emit(this.options.reporters, 'onSyncWarning', {
        message: `the source keeps ${Math.round(retained / 1024 / 1024)} MiB of change log for stream ${this.options.stream} (alarm at ${Math.round(this.options.retainedAlarmBytes / 1024 / 1024)} MiB): the target is not keeping up, or the stream was stopped; run ferry cleanup if the sync is abandoned`,
      });
    }
    this.alarmed = over;
  }

  private obey(progress: SyncProgress): void {
    const command = this.options.control?.poll();
    if (!command) return;
    if (command.kind === 'stop') {
      this.stopBy = 'stop';
      this.stop();
      return;
    }
    this.cutover ??= new Cutover(
      command.request,
      {
        source: this.options.source,
        stream: this.stream,
        schema: this.options.schema,
        reporters: this.options.reporters,
        stored: () => this.stored,
        pendingChanges: () => this.lag.pendingChanges,
      },
      progress,
    );
  }

  private async advanceCutover(progress: SyncProgress): Promise<void> {
    const cutover = this.cutover!;
    await cutover.advance(progress);
    if (cutover.abandoned) this.cutover = undefined;
    else if (cutover.drained) {
      this.stopBy = 'cutover';
      this.stop();
    }
  }
}

/** Resolves IDLE after the reads already waiting in the event loop have had their turn. */
function idle(): Promise<typeof IDLE> {
  return new Promise((resolve) => setImmediate(() => resolve(IDLE)));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
