/** The options of one copy, as the library API and the CLI take them. */
import type { CoercionRule } from '../values/coercions.js';
import type { Reporter } from './events.js';
import type { LoadLimits } from './load-limits.js';
import type { ResumePoint } from './resume-point.js';
import type { TableRule } from './table-rules.js';

/** What to do with a target table that already exists. */
export type IfExistsPolicy = 'fail' | 'drop' | 'truncate' | 'append';

/** The policies, for validation and help text. */
export const IF_EXISTS_POLICIES: readonly IfExistsPolicy[] = ['fail', 'drop', 'truncate', 'append'];

/** Options of `copyDatabase`. */
export interface CopyOptions {
  /** Source connection URL. */
  source: string;
  /** Target connection URL. */
  target: string;
  /** Only these tables (exact names); default every table. */
  tables?: string[];
  /** Leave these tables out. */
  exclude?: string[];
  /**
   * A plan's `tables` list, in order: which tables (names or patterns), under which names, with
   * which columns and rows (table-rules.ts); combines with `tables` and `exclude`.
   */
  tableRules?: TableRule[];
  /** Create the schema, copy no rows. */
  schemaOnly?: boolean;
  /** Copy rows into tables that already exist; create nothing. */
  dataOnly?: boolean;
  /** Existing target tables: `fail` (default, if one holds rows), `drop`, `truncate` or `append`. */
  ifExists?: IfExistsPolicy;
  /** Policies for values the target cannot hold (`--coerce`); default: every such value is an error. */
  coerce?: CoercionRule[];
  /** Fixed rate limits over the whole run (rows and bytes read per second); absent = unlimited. */
  maxRowsPerSecond?: number;
  maxBytesPerSecond?: number;
  /**
   * Adaptive throttling: the source's health figures above which the run pauses until they are
   * back under 80 % (`--max-load`); over DEFAULT_LOAD_LIMITS (probe latency 1 s), Infinity lifts one.
   */
  maxLoad?: LoadLimits;
  /** The table whose `SELECT 1 … LIMIT 1` is the latency probe (default `SELECT 1`). */
  loadProbeTable?: string;
  /** Chunks copied at once (default: one per core, 2 to 8). */
  parallel?: number;
  /** Target chunk size in rows (default 100 000) and in bytes (default 64 MiB); a chunk closes at the first. */
  chunkRows?: number;
  chunkBytes?: number;
  /** Memory budget of the run in bytes (default 256 MiB): sets the batch size for the parallelism. */
  memory?: number;
  /** Largest batch in rows (default 1000) and in bytes (default from `memory`); for tests and tuning. */
  batchRows?: number;
  batchBytes?: number;
  /** Attempts after the first for a chunk that failed for a passing reason (default 5: backoff from 0.5 s, so a server restart of about 15 s is ridden out). */
  retries?: number;
  /** Listeners of the run's events. */
  reporters?: Reporter[];
  /** This run's id in the target's progress table (default: a new one); `ferry run` keeps one per plan. */
  run?: string;
  /**
   * Sync mode (`ferry run` of a `mode: sync` plan): the name of the change stream that will start
   * exactly at the copy's snapshot; the source prepares it (PostgreSQL: publication and slot) as
   * the snapshot opens.
   */
  changeStream?: string;
  /** Finish an interrupted run with the same `run` id: only what it did not do (`ferry run`). */
  resume?: ResumePoint;
}

/** Defaults of the batch limits: small enough to bound memory, large enough to amortise round trips. */
export const DEFAULT_BATCH_ROWS = 1000;

/** Default chunk size: big enough that per-chunk work (a transaction, a record) is noise. */
export const DEFAULT_CHUNK_ROWS = 100_000;
export const DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024;

/** Default attempts after the first for a chunk that failed for a passing reason. */
export const DEFAULT_RETRIES = 5;
