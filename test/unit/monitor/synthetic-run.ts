/** A synthetic run for the monitor tests: its events, fed to listeners, and its result. */
import type { CopyResult, TableResult } from '../../../src/engine/copy-result.js';
import { emit, type Reporter } from '../../../src/engine/events.js';
import { DatabaseError } from '../../../src/errors.js';

/** Two tables: `orders` in 3 chunks (one retried), `notes` failing on its second chunk. */
export const ORDERS: TableResult = {
  table: 'orders',
  targetTable: 'orders',
  status: 'copied',
  rows: 2500,
  bytes: 250_000,
  seconds: 2,
  chunks: 3,
  retries: 1,
};

export const NOTES: TableResult = {
  table: 'notes',
  targetTable: 'notes',
  status: 'failed',
  rows: 400,
  bytes: 40_000,
  seconds: 1,
  chunks: 2,
  retries: 0,
  error: new DatabaseError(
    'CHUNK_FAILED',
    'copying chunk 2 of table notes: postgres://app:hunter2@db/x refused',
  ),
};

/** The run's result, as copyDatabase would return it. */
export const RESULT: CopyResult = {
  ok: false,
  run: 'run-1',
  parallel: 2,
  seconds: 4,
  tables: [ORDERS, NOTES],
  renames: [],
  notes: [],
  objectsCopied: [],
  objectsNotMigrated: [],
  errors: [new DatabaseError('CONSTRAINTS_FAILED', 'creating indexes: duplicate key')],
  coercions: [],
  snapshot: { takenAt: '2026-01-02T03:04:05.000Z', position: { lsn: '0/16B3748' }, readers: 2 },
  throttle: { pauses: 2, seconds: 0.75, byReason: { 'max-rows-per-second': { pauses: 2, seconds: 0.75 } } },
};

/** Feeds the run's events, in the order a copy emits them, to `reporters`. */
export function playRun(reporters: Reporter[]): void {
  emit(reporters, 'onConnected', {
    source: 'sqlite:shop.db',
    target: 'postgres://app:hunter2@db/x',
    sourceVersion: '3.45',
  });
  emit(reporters, 'onPhase', { phase: 'schema', tables: 2 });
  emit(reporters, 'onPhase', { phase: 'data', tables: 2 });
  emit(reporters, 'onSnapshot', RESULT.snapshot!);
  emit(reporters, 'onTableStart', { table: 'orders', targetTable: 'orders', estimatedRows: 2400, chunks: 3 });
  emit(reporters, 'onTableProgress', { table: 'orders', rows: 1000, bytes: 0 });
  emit(reporters, 'onChunkDone', {
    table: 'orders',
    chunk: 0,
    chunks: 3,
    rows: 1000,
    bytes: 100_000,
    seconds: 0.4,
  });
  emit(reporters, 'onTableStart', { table: 'notes', targetTable: 'notes', estimatedRows: 500, chunks: 2 });
  emit(reporters, 'onChunkRetry', { table: 'orders', chunk: 1, attempt: 1, reason: 'connection lost' });
  emit(reporters, 'onThrottle', { table: 'orders', reason: 'max-rows-per-second', seconds: 0.5 });
  emit(reporters, 'onChunkDone', {
    table: 'notes',
    chunk: 0,
    chunks: 2,
    rows: 400,
    bytes: 40_000,
    seconds: 0.2,
  });
  emit(reporters, 'onTableProgress', { table: 'orders', rows: 2000, bytes: 100_000 });
  emit(reporters, 'onChunkDone', {
    table: 'orders',
    chunk: 1,
    chunks: 3,
    rows: 1000,
    bytes: 100_000,
    seconds: 1.5,
  });
  emit(reporters, 'onChunkFailed', { table: 'notes', chunk: 1, chunks: 2, attempts: 1, error: NOTES.error! });
  emit(reporters, 'onTableDone', NOTES);
  emit(reporters, 'onThrottle', { table: 'orders', reason: 'max-rows-per-second', seconds: 0.25 });
  emit(reporters, 'onTableProgress', { table: 'orders', rows: 2500, bytes: 200_000 });
  emit(reporters, 'onChunkDone', {
    table: 'orders',
    chunk: 2,
    chunks: 3,
    rows: 500,
    bytes: 50_000,
    seconds: 0.1,
  });
  emit(reporters, 'onTableDone', ORDERS);
  emit(reporters, 'onPhase', { phase: 'constraints', tables: 2 });
  emit(reporters, 'onError', { error: RESULT.errors[0]! });
}
