/**
 * The cutover asked of a streaming pass (`ferry cutover`), one step per progress tick: wait until
 * the lag is under the threshold, make the source read-only when asked, take the source's head
 * as the final position, and say when everything up to it is applied. Abandoning streams on.
 */
import type { Connector, ReadOnlySource } from '../connectors/connector.js';
import { emit } from '../engine/events.js';
import { messageOf } from '../errors.js';
import type { StreamPosition } from './change.js';
import type { ChangeStream } from './change-stream.js';
import type { CutoverRequest } from './cutover-request.js';
import type { SchemaFollower } from './schema-follower.js';
import type { SyncReporter } from './sync-events.js';
import type { SyncProgress } from './sync-progress.js';

/** What the steps read of the pass. */
export interface CutoverContext {
  source: Connector;
  stream: ChangeStream;
  schema: SchemaFollower;
  reporters: readonly SyncReporter[];
  /** The watermark stored on the target. */
  stored(): StreamPosition | undefined;
  /** Changes received and not yet committed. */
  pendingChanges(): number;
}

/** One cutover request, from the tick that took it to drained or abandoned. */
export class Cutover {
  private readonly since = Date.now();
  /** The source's head once the lag was low enough: what the cutover drains to. */
  final: StreamPosition | undefined;
  /** What `--read-only` did. */
  readOnly: ReadOnlySource | undefined;
  private state: 'going' | 'drained' | 'abandoned' = 'going';

  constructor(
    private readonly request: CutoverRequest,
    private readonly context: CutoverContext,
    progress: SyncProgress,
  ) {
    emit(context.reporters, 'onCutover', {
      step: 'waiting',
      detail: `waiting for the lag (${progress.lagSeconds.toFixed(1)} s) to fall under ${request.maxLagSeconds} s`,
    });
  }

  get drained(): boolean {
    return this.state === 'drained';
  }

  get abandoned(): boolean {
    return this.state === 'abandoned';
  }

  /** Takes the next step the progress allows. */
  async advance(progress: SyncProgress): Promise<void> {
    if (this.state !== 'going') return;
    const { request, context } = this;
    if (!this.final) {
      const elapsed = (Date.now() - this.since) / 1000;
      if (elapsed > request.timeoutSeconds) {
        this.abandon(
          `the cutover waited ${request.timeoutSeconds} s and the lag is still ${progress.lagSeconds.toFixed(1)} s (over ${request.maxLagSeconds} s): lower the write load on the source, or ask again with a larger --max-lag or --timeout`,
        );
        return;
      }
      if (progress.lagSeconds > request.maxLagSeconds) return;
      if (request.readOnly && !(await this.makeReadOnly())) return;
      const backlog = await context.stream.backlog();
      // A table created since the last look is part of what the cutover drains.
      await context.schema.lookForTables();
      this.final = backlog.head;
      emit(context.reporters, 'onCutover', {
        step: 'draining',
        detail: `draining to the source's position at the cutover`,
        sourcePosition: backlog.head.fields,
      });
    }
    const settled = context.pendingChanges() === 0 && !context.schema.tablesWaiting;
    const stored = context.stored();
    if (stored && stored.key >= this.final.key && settled) {
      emit(context.reporters, 'onCutover', {
        step: 'drained',
        detail: 'every change up to the final position is applied',
        sourcePosition: this.final.fields,
      });
      this.state = 'drained';
    }
  }

  /** `--read-only`: true once the source refuses writes; false when the cutover was abandoned. */
  private async makeReadOnly(): Promise<boolean> {
    const { source, reporters } = this.context;
    if (!source.makeReadOnly) {
      this.abandon(
        `--read-only: Ferry cannot make ${source.display} read-only; stop the application's writes yourself, then ask for the cutover without --read-only`,
      );
      return false;
    }
    try {
      this.readOnly = await source.makeReadOnly();
    } catch (error) {
      this.abandon(
        `--read-only: ${messageOf(error)}; make the source read-only yourself (docs/sync.md), then ask for the cutover without --read-only`,
      );
      return false;
    }
    emit(reporters, 'onCutover', {
      step: 'read-only',
      detail: `${this.readOnly.detail}; to undo: ${this.readOnly.undo}`,
    });
    return true;
  }

  /** Gives up the cutover and streams on; the listeners tell the asking side why. */
  private abandon(reason: string): void {
    this.state = 'abandoned';
    emit(this.context.reporters, 'onCutover', { step: 'abandoned', detail: reason });
  }
}
