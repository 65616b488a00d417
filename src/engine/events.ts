/**
 * The events a copy emits, and the Reporter that listens (DESIGN.md principle 6): the engine knows
 * nothing about terminals or logs; the CLI, tests and later the metrics and state store listen.
 */
import type { SyncReporter } from '../cdc/sync-events.js';
import type { KeyRange, SchemaNote, SourceSnapshot } from '../connectors/connector.js';
import type { FerryError } from '../errors.js';
import type { SchemaObject } from '../schema/table.js';
import type { TableResult } from './copy-result.js';
import type { Rename } from './target-names.js';

/** A table's chunk plan, as a run saves it before the first write. */
export interface ChunksPlanned {
  table: string;
  targetTable: string;
  /** The columns the ranges are on; absent for a table copied in one chunk. */
  key?: string[];
  ranges: KeyRange[];
  estimatedRows?: number;
}

/** Listener of a run's events (a sync's too). Every hook is optional; a hook must not throw. */
export interface Reporter extends SyncReporter {
  onConnected?(event: { source: string; target: string; sourceVersion: string }): void;
  onRename?(rename: Rename): void;
  onSchemaNote?(note: SchemaNote): void;
  onPhase?(event: { phase: 'schema' | 'data' | 'constraints' | 'objects'; tables: number }): void;
  /** The target tables the run is about to create (before the first CREATE, so a resumed run knows them). */
  onTablesToCreate?(event: { tables: string[] }): void;
  /** A table's chunks, planned before any of its rows is written (a resumed run reuses them). */
  onChunksPlanned?(event: ChunksPlanned): void;
  /** A chunk that an earlier attempt of this run committed (found in the target's progress table). */
  onChunkAlreadyDone?(event: {
    table: string;
    chunk: number;
    chunks: number;
    rows: number;
    bytes: number;
  }): void;
  onTableStart?(event: {
    table: string;
    targetTable: string;
    estimatedRows?: number;
    /** How many chunks the table was split into. */
    chunks: number;
  }): void;
  /** A chunk committed on the target together with its progress record. */
  onChunkDone?(event: {
    table: string;
    chunk: number;
    chunks: number;
    rows: number;
    bytes: number;
    seconds: number;
  }): void;
  /** A chunk failed for a passing reason and is being copied again from scratch. */
  onChunkRetry?(event: { table: string; chunk: number; attempt: number; reason: string }): void;
  /** A chunk failed for good (a lasting failure, or out of retries): its table fails, the others go on. */
  onChunkFailed?(event: {
    table: string;
    chunk: number;
    chunks: number;
    attempts: number;
    error: FerryError;
  }): void;
  /** A failure outside a table's rows (indexes and keys, objects; or one that stopped the command). */
  onError?(event: { error: FerryError; table?: string }): void;
  /** Something the user should know that does not stop the run. */
  onWarning?(event: { table?: string; message: string }): void;
  onTableProgress?(event: { table: string; rows: number; bytes: number }): void;
  onTableDone?(result: TableResult): void;
  onSnapshot?(snapshot: SourceSnapshot): void;
  /** A batch waited: a rate limit, or the source's load (`detail` names the figures above their limits). */
  onThrottle?(event: { table: string; reason: string; detail?: string; seconds: number }): void;
  onObjectsNotMigrated?(objects: SchemaObject[]): void;
  onObjectsCopied?(objects: SchemaObject[]): void;
}

/** Calls one hook on every reporter (of a copy's Reporter or any other listener interface). */
export function emit<R extends object, K extends keyof R>(
  reporters: readonly R[],
  hook: K,
  ...args: R[K] extends ((...a: infer A) => unknown) | undefined ? A : never
): void {
  for (const reporter of reporters) {
    const fn = reporter[hook] as ((...a: typeof args) => void) | undefined;
    fn?.apply(reporter, args);
  }
}
