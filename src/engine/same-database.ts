/**
 * Refuses a copy whose source and target are one database: with `--if-exists drop` or
 * `truncate` it would destroy the very rows it is about to read.
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConnectionUrl } from '../connectors/url.js';
import { UsageError } from '../errors.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

function identity(url: ConnectionUrl): string {
  if (url.dialect === 'sqlite') {
    const path = resolve(url.database);
    return `sqlite:${existsSync(path) ? realpathSync(path) : path}`;
  }
  const host = LOOPBACK.has(url.host) ? 'loopback' : url.host.toLowerCase();
  // PostgreSQL's default schema is public; MySQL has none.
  const schema = url.params.schema ?? (url.dialect === 'postgres' ? 'public' : '');
  return `${url.dialect}://${host}:${url.port}/${url.database}/${schema}`;
}

/** Throws a UsageError when both URLs name the same database (and schema). */
export function checkDistinctDatabases(source: ConnectionUrl, target: ConnectionUrl): void {
  if (identity(source) === identity(target)) {
    throw new UsageError(
      'SAME_DATABASE',
      `The source and the target are the same database (${target.display}); nothing was done. Name another database or schema as the target.`,
    );
  }
}
