/** What a copy did, per table: the exit code and the summary are computed from this (STYLE.md rule 11). */
import type { SchemaNote, SourceSnapshot } from '../connectors/connector.js';
import type { FerryError } from '../errors.js';
import type { SchemaObject } from '../schema/table.js';
import type { CoercionCount } from '../values/coercions.js';
import type { Rename } from './target-names.js';
import type { ThrottleStats } from './throttle.js';

/** One table's outcome. */
export interface TableResult {
  table: string;
  targetTable: string;
  status: 'copied' | 'schema-only' | 'failed';
  rows: number;
  bytes: number;
  seconds: number;
  /** Chunks the table was split into (0 for schema only). */
  chunks: number;
  /** Chunk attempts redone after a passing failure. */
  retries: number;
  /** The same-engine encoding the rows travelled in, undecoded (e.g. `postgres-binary/UTF8`). */
  encoding?: string;
  error?: FerryError;
}

/** The outcome of a whole copy. `ok` only when every table arrived and every step succeeded. */
export interface CopyResult {
  ok: boolean;
  /** This run's id, as the target's progress table records its chunks. */
  run: string;
  /** Chunks copied at once. */
  parallel: number;
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
  /** How often and how long the rate limits and the source's load paused the run, in all and by reason. */
  throttle: ThrottleStats;
}
