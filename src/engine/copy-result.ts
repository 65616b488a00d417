/** What a copy did, per table: the exit code and the summary are computed from this (STYLE.md rule 11). */
import type { SchemaNote, SourceSnapshot } from '../connectors/connector.js';
import type { FerryError } from '../errors.js';
import type { SchemaObject } from '../schema/table.js';
import type { CoercionCount } from '../values/coercions.js';
import type { Rename } from './target-names.js';

/** One table's outcome. */
export interface TableResult {
  table: string;
  targetTable: string;
  status: 'copied' | 'schema-only' | 'failed';
  rows: number;
  bytes: number;
  seconds: number;
  error?: FerryError;
}

/** The outcome of a whole copy. `ok` only when every table arrived and every step succeeded. */
export interface CopyResult {
  ok: boolean;
  seconds: number;
  tables: TableResult[];
  renames: Rename[];
  notes: SchemaNote[];
  objectsCopied: SchemaObject[];
  /** Views, triggers, routines of a cross-engine copy: listed, not migrated. */
  objectsNotMigrated: SchemaObject[];
  /** Failures outside a single table's data (constraints, objects). */
  errors: FerryError[];
  /** Values that a `--coerce` policy changed, per column. */
  coercions: CoercionCount[];
  /** The one point in time every table was read at, with the source's log position there. */
  snapshot?: SourceSnapshot;
  /** How often and how long the rate limits paused the run. */
  throttle: { pauses: number; seconds: number };
}
