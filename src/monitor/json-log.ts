/**
 * The log as JSON lines for machines (`--log-format json`): one line per event of a copy or a
 * verify, `{"level":"info","time":"…","event":"chunk.done","table":"orders","chunk":3,…}`.
 *
 * pino writes to the stream we give it with one synchronous `write` per line, in call order (no
 * worker-thread transport, no buffered destination), so lines keep the order of the events and
 * none is lost when the command ends. Every value is redacted before it is serialized and every
 * line again after, so no password reaches the log even inside a driver's message.
 */
import pino from 'pino';
import type { SyncProgress } from '../cdc/sync-progress.js';
import type { SchemaNote, SourceSnapshot } from '../connectors/connector.js';
import type { TableResult } from '../engine/copy-result.js';
import type { Reporter } from '../engine/events.js';
import type { Rename } from '../engine/target-names.js';
import type { FerryError } from '../errors.js';
import type { SchemaObject } from '../schema/table.js';
import { redact } from '../secrets.js';
import type { VerifyReporter } from '../verify/verify-events.js';
import type { TableVerifyResult } from '../verify/verify-result.js';
import { plainFields } from './plain-fields.js';

/** Anything with a `write` for text: stderr, a file stream, a test's collector. */
export interface LineStream {
  write(text: string): unknown;
}

/** Severity of a line. */
export type LogLevel = 'info' | 'warn' | 'error';

/** Listener that writes one JSON line per event. */
export class JsonLog implements Reporter, VerifyReporter {
  private readonly logger: pino.Logger;

  constructor(stream: LineStream) {
    this.logger = pino(
      {
        base: null,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        hooks: { streamWrite: redact },
      },
      stream as pino.DestinationStream,
    );
  }

  /** Writes one line: `event` names it, `fields` follow (errors as code and message). */
  line(event: string, fields: object = {}, level: LogLevel = 'info'): void {
    this.logger[level](plainFields({ event, ...fields }) as object);
  }

  onConnected(event: { source: string; target: string; sourceVersion: string }): void {
    this.line('connected', event);
  }
  onRename(rename: Rename): void {
    this.line('rename', rename);
  }
  onSchemaNote(note: SchemaNote): void {
    this.line('schema.note', note);
  }
  onPhase(event: { phase: string; tables: number }): void {
    this.line('phase', event);
  }
  onSnapshot(snapshot: SourceSnapshot): void {
    this.line('snapshot', snapshot);
  }
  onTableStart(event: { table: string; targetTable: string; estimatedRows?: number; chunks: number }): void {
    this.line('table.start', event);
  }
  onChunkDone(event: { table: string; chunk: number; chunks: number; rows: number; bytes: number }): void {
    this.line('chunk.done', event);
  }
  /** A chunk an earlier attempt of a resumed run committed. */
  onChunkAlreadyDone(event: {
    table: string;
    chunk: number;
    chunks: number;
    rows: number;
    bytes: number;
  }): void {
    this.line('chunk.already-done', event);
  }
  onChunkRetry(event: { table: string; chunk: number; attempt: number; reason: string }): void {
    this.line('chunk.retry', event, 'warn');
  }
  onChunkFailed(event: {
    table: string;
    chunk: number;
    chunks: number;
    attempts: number;
    error: FerryError;
  }): void {
    this.line('chunk.failed', event, 'error');
  }
  onTableDone(result: TableResult): void {
    this.line('table.done', result, result.status === 'failed' ? 'error' : 'info');
  }
  onThrottle(event: { table: string; reason: string; detail?: string; seconds: number }): void {
    this.line('throttle', event);
  }
  onWarning(event: { table?: string; message: string }): void {
    this.line('warning', event, 'warn');
  }
  onError(event: { error: FerryError; table?: string }): void {
    this.line('error', event, 'error');
  }
  onObjectsCopied(objects: SchemaObject[]): void {
    this.line('objects.copied', { objects: objects.map(({ kind, name }) => ({ kind, name })) });
  }
  onObjectsNotMigrated(objects: SchemaObject[]): void {
    this.line('objects.not-migrated', { objects: objects.map(({ kind, name }) => ({ kind, name })) });
  }
  onSyncStart(event: {
    stream: string;
    from: Record<string, string>;
    sessions: number;
    attempt: number;
  }): void {
    this.line('sync.start', event);
  }
  onSyncProgress(progress: SyncProgress): void {
    this.line('sync.progress', progress);
  }
  onSyncRetry(event: { attempt: number; reason: string; seconds: number }): void {
    this.line('sync.retry', event, 'warn');
  }
  onSchemaChange(event: { table: string; change: string; followed: boolean }): void {
    this.line('sync.schema-change', event, event.followed ? 'info' : 'error');
  }
  onCutover(event: { step: string; detail: string; sourcePosition?: Record<string, string> }): void {
    this.line('cutover', event, event.step === 'abandoned' ? 'warn' : 'info');
  }
  onSyncWarning(event: { message: string }): void {
    this.line('sync.warning', event, 'warn');
  }
  onSyncError(event: { error: FerryError }): void {
    this.line('sync.error', event, 'error');
  }
  onVerifyTableStart(event: { table: string; targetTable: string; chunks: number; mode: string }): void {
    this.line('verify.table.start', event);
  }
  onVerifyChunk(event: { table: string; chunk: number; chunks: number; rows: number; equal: boolean }): void {
    this.line('verify.chunk', event);
  }
  onVerifyTableDone(result: TableVerifyResult): void {
    // The differing rows are the summary's to list; the log says how many.
    const { differences, ...rest } = result;
    const level = result.status === 'equal' || result.status === 'repaired' ? 'info' : 'error';
    this.line('verify.table.done', { ...rest, listed: differences.length }, level);
  }
}
