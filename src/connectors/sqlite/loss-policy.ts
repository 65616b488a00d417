/**
 * Applies the run's coercion policy to a value that cannot travel exactly: `error` (the default)
 * throws lossError naming table, column, key and target type; any other action gives the value to
 * store instead and is counted. Shared by the reader (source-side losses) and the writer.
 */
import { Coercions, type LossSite, lossError } from '../../values/coercions.js';
import type { SqliteFixes, SqliteParam } from './codecs.js';

/** Where the loss is: everything lossError needs, plus whether the column takes NULL. */
export interface SqliteLossSite extends LossSite {
  nullable: boolean;
}

const NO_RULES = new Coercions();

/** The value to store under the column's policy for `site.loss`; throws lossError for `error`. */
export function applySqlitePolicy(
  coercions: Coercions | undefined,
  site: SqliteLossSite,
  fixes: SqliteFixes,
): SqliteParam {
  const policies = coercions ?? NO_RULES;
  const action = policies.action(site.loss, site.table, site.column);
  let value: SqliteParam | undefined;
  if (action === 'null') value = null;
  else if (action === 'substitute') value = fixes.substitute?.();
  else if (action === 'widen') value = fixes.widened?.();
  // A policy that cannot help here (NULL into NOT NULL, no wider column) leaves the error.
  if (value === undefined || (value === null && !site.nullable)) {
    const { nullable: _, ...loss } = site;
    throw lossError(loss);
  }
  policies.applied(site.loss, site.table, site.column, action);
  return value;
}

/** How a column's declared type reads in a message: `SQLite INTEGER`, or no declared type. */
export function sqliteTarget(declared: string): string {
  return declared.trim() === '' ? 'a SQLite column without a declared type' : `SQLite ${declared}`;
}
