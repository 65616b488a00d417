/** The options of one copy, as the library API and the CLI take them. */
import type { CoercionRule } from '../values/coercions.js';
import type { Reporter } from './events.js';

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
  /** Largest batch in rows (default 10 000) and in bytes (default 8 MiB). */
  batchRows?: number;
  batchBytes?: number;
  /** Listeners of the run's events. */
  reporters?: Reporter[];
}

/** Defaults of the batch limits: small enough to bound memory, large enough to amortise round trips. */
export const DEFAULT_BATCH_ROWS = 10_000;
export const DEFAULT_BATCH_BYTES = 8 * 1024 * 1024;
