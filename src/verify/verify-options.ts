/** The options of one verify, as the library API and the CLI take them. */
import type { TableRule } from '../engine/table-rules.js';
import type { CoercionRule } from '../values/coercions.js';
import type { VerifyReporter } from './verify-events.js';

/** Options of `verifyDatabases`. */
export interface VerifyOptions {
  /** Source connection URL. */
  source: string;
  /** Target connection URL. */
  target: string;
  /** Only these source tables (exact names); default every table. */
  tables?: string[];
  /** Leave these source tables out. */
  exclude?: string[];
  /**
   * The copy's table rules (CopyOptions.tableRules): the same tables, target names, columns and
   * rows are compared; a `where` filters the source side only, since the target holds what it let through.
   */
  tableRules?: TableRule[];
  /** Rewrite the differing rows on the target from the source, then check them again. */
  repair?: boolean;
  /** With `repair`: count what would be deleted and inserted per table, write nothing. */
  dryRun?: boolean;
  /** Put the differing values into the result (default: key and column names only). */
  showValues?: boolean;
  /** Chunks checked at once (default: one per core, 2 to 8). */
  parallel?: number;
  /** Rows per chunk (default 100 000). */
  chunkRows?: number;
  /** The copy's `--coerce` policies, so a value the copy changed on purpose is compared as it was read. */
  coerce?: CoercionRule[];
  /** Listeners of the run's events. */
  reporters?: VerifyReporter[];
}

/** Rows of a differing range at or below which both sides' rows are read and compared. */
export const ROWS_TO_COMPARE = 2_000;

/** Pieces a differing range larger than ROWS_TO_COMPARE is split into. */
export const BISECT_PIECES = 16;

/** Differences listed per table; the counts include every one. */
export const MAX_LISTED_DIFFERENCES = 1_000;
