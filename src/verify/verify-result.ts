/** What a verify found, per table: the exit code and the report are computed from this. */
import type { FerryError } from '../errors.js';

/** How a row differs: absent from the target, present only there, or with other values. */
export type DifferenceKind = 'missing' | 'extra' | 'different';

/** One differing row, named by its key; values only when asked for (`showValues`). */
export interface RowDifference {
  kind: DifferenceKind;
  /** The key's canonical text per key column (source names). */
  key: Record<string, string>;
  /** For `different`: the columns whose values differ (source names). */
  columns?: string[];
  /** With `showValues`: the canonical texts of the differing columns on each side. */
  values?: { source: Record<string, string | null>; target: Record<string, string | null> };
}

/** One table's outcome. */
export interface TableVerifyResult {
  table: string;
  targetTable: string;
  /** `equal`; `different` (differences remain); `repaired` (were different, equal after repair); `failed`. */
  status: 'equal' | 'different' | 'repaired' | 'failed';
  /** `native` between identical columns of one engine, else `canonical`. */
  mode: 'canonical' | 'native';
  /** Columns hashed after reading, in Ferry, because an engine cannot render them exactly in SQL. */
  hashedInFerry: string[];
  chunks: number;
  chunksDiffering: number;
  sourceRows: number;
  targetRows: number;
  counts: Record<DifferenceKind, number>;
  /** Up to MAX_LISTED_DIFFERENCES of them. */
  differences: RowDifference[];
  /** Ranges whose checksums differ while their rows compare equal (a renderer disagreement). */
  unresolved: number;
  /** With repair: what was (or, with dry-run, would be) deleted and inserted on the target. */
  repair?: { deleted: number; inserted: number; dryRun: boolean };
  seconds: number;
  error?: FerryError;
}

/** The outcome of a whole verify: `ok` when every table is equal (or was repaired). */
export interface VerifyResult {
  ok: boolean;
  seconds: number;
  tables: TableVerifyResult[];
}
