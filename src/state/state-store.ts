/**
 * The StateStore contract (DESIGN.md principle 7): what `ferry run` keeps between attempts of one
 * plan — the run's id and plan identity, every snapshot it opened, the chunk plan saved before the
 * first write, and a checkpoint per chunk — and what `ferry status` reads while another process
 * runs. The target's progress table stays the truth about which chunks committed; the store is the
 * memory of everything else. The embedded store (sqlite/) is synchronous, so that a checkpoint is
 * on disk before the engine goes on; a shared-database store for many machines implements the same
 * records.
 */
import type { CutoverRequest } from '../cdc/cutover-request.js';
import type { SyncProgress } from '../cdc/sync-progress.js';
import type { KeyRange, SourceSnapshot } from '../connectors/connector.js';
import type { TableChunks } from '../engine/chunk-plan.js';
import type { ChunksPlanned } from '../engine/events.js';

/** The run a state file holds: one per plan, until `--restart`. */
export interface RunRecord {
  /** The run's id in the target's progress table. */
  id: string;
  planName: string;
  /** What identifies the plan's work (source, target, tables, chunking): a change is refused. */
  identity: string;
  startedAt: string;
  updatedAt: string;
  status: 'running' | 'finished' | 'failed';
  /** Attempts so far (1 = never interrupted). */
  attempts: number;
  /** The phase the latest attempt reached. */
  phase?: string;
  /** The process of the latest attempt. */
  pid?: number;
  finishedAt?: string;
  /** The final report (JSON) of a finished or failed run. */
  report?: string;
}

/** A snapshot one attempt read the source at. */
export interface SnapshotRecord {
  /** Order among the run's snapshots, from 1. */
  seq: number;
  takenAt: string;
  position?: Record<string, string>;
}

/** A table's state as the store knows it. */
export interface TableState {
  table: string;
  targetTable: string;
  key?: string[];
  chunks: number;
  chunksDone: number;
  estimatedRows?: number;
  rows: number;
  bytes: number;
  status: 'pending' | 'copying' | 'copied' | 'failed';
  error?: string;
  /** When its first chunk started, ISO 8601. */
  startedAt?: string;
  /** When its last chunk was done, ISO 8601. */
  finishedAt?: string;
  /** The snapshots its done chunks were read at (seq numbers; 0 = not known). */
  snapshots: number[];
}

/** One saved chunk. */
export interface ChunkState {
  table: string;
  chunk: number;
  range: KeyRange;
  done: boolean;
  rows: number;
  bytes: number;
  /** The snapshot it was read at (0 = committed by an attempt that died before saying so). */
  snapshot?: number;
}

/** A cutover as the state store holds it: asked by one process, carried out by another. */
export interface CutoverRecord {
  request: CutoverRequest;
  requestedAt: string;
  status: 'requested' | 'draining' | 'verifying' | 'done' | 'failed';
  updatedAt: string;
  /** What the streaming process said when done or failed (JSON: final positions, verify result, error). */
  result?: string;
}

/** The embedded state of one plan's run. Every method is synchronous and durable on return. */
export interface StateStore {
  /** Where the state lives (a file path), for messages. */
  readonly location: string;
  /** The run recorded here, if any. */
  run(): RunRecord | undefined;
  /** Forgets everything (`--restart`) and records a new run. */
  startRun(run: { id: string; planName: string; identity: string }): void;
  /** A new attempt of the recorded run begins in process `pid`. */
  beginAttempt(pid: number): void;
  recordPhase(phase: string): void;
  /** Phases any attempt has begun. */
  phasesBegun(): Set<string>;
  recordTablesToCreate(tables: string[]): void;
  tablesToCreate(): string[];
  recordChunksPlanned(plan: ChunksPlanned): void;
  /** Every table's saved chunk plan, by source table name. */
  chunkPlans(): Map<string, TableChunks>;
  /** Saves a snapshot; returns its seq. */
  recordSnapshot(snapshot: SourceSnapshot): number;
  snapshots(): SnapshotRecord[];
  recordTableStart(table: string): void;
  /** A chunk committed on the target, read at snapshot `snapshot` (0 = not known). */
  recordChunkDone(chunk: {
    table: string;
    chunk: number;
    rows: number;
    bytes: number;
    snapshot: number;
  }): void;
  recordTableDone(result: {
    table: string;
    status: 'copied' | 'failed' | 'schema-only';
    error?: string;
  }): void;
  /** Ends the run with its report. */
  finishRun(status: 'finished' | 'failed', report: string): void;
  tables(): TableState[];
  chunks(table: string): ChunkState[];
  /** The change stream's latest progress (sync mode), replacing the one before. */
  recordSyncProgress(progress: SyncProgress): void;
  syncProgress(): SyncProgress | undefined;
  /** Asks for a cutover (`ferry cutover`), replacing an earlier request. */
  requestCutover(request: CutoverRequest): void;
  cutover(): CutoverRecord | undefined;
  /** The streaming process says how the requested cutover goes. */
  recordCutover(status: CutoverRecord['status'], result?: string): void;
  close(): void;
}
