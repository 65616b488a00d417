/**
 * Refuses a copy whose source and target are one database: with `--if-exists drop` or
 * `truncate` it would destroy the very rows it is about to read.
 */
import { type ConnectionUrl, databaseIdentity } from '../connectors/url.js';
import { UsageError } from '../errors.js';

/** Throws a UsageError when both URLs name the same database (and schema). */
export function checkDistinctDatabases(source: ConnectionUrl, target: ConnectionUrl): void {
  if (databaseIdentity(source) === databaseIdentity(target)) {
    throw new UsageError(
      'SAME_DATABASE',
      `The source and the target are the same database (${target.display}); nothing was done. Name another database or schema as the target.`,
    );
  }
}
