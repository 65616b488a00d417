/**
 * Connections: the pg pool built from a Ferry URL (libpq-style `sslmode`, `connect_timeout`,
 * `application_name`) and sessions pinned to UTC and the URL's schema.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';
import { DatabaseError, isFerryError, messageOf, UsageError } from '../../errors.js';
import type { ConnectionUrl } from '../url.js';
import { quoteIdent } from './identifiers.js';
import { SESSION_SETUP } from './sql.js';

const DEFAULT_CONNECT_TIMEOUT_SECONDS = 15;

/** Connections a connector's pool may open. */
export const POOL_SIZE = 20;

/** The schema a URL works in: `?schema=`, else `public`. */
export function postgresSchemaOf(url: ConnectionUrl): string {
  return url.params.schema && url.params.schema.length > 0 ? url.params.schema : 'public';
}

function readPem(path: string | undefined, what: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError('URL_SSL_FILE', `Cannot read the ${what} file "${path}" named in the URL.`, {
      cause: error,
    });
  }
}

/** libpq's sslmode mapped to pg's `ssl` option. pg cannot fall back, so `allow`/`prefer` mean no TLS. */
export function postgresSslOption(params: Record<string, string>): boolean | ConnectionOptions {
  const mode = params.sslmode ?? 'disable';
  const files: ConnectionOptions = {};
  const ca = readPem(params.sslrootcert, 'sslrootcert');
  const cert = readPem(params.sslcert, 'sslcert');
  const key = readPem(params.sslkey, 'sslkey');
  if (ca !== undefined) files.ca = ca;
  if (cert !== undefined) files.cert = cert;
  if (key !== undefined) files.key = key;
  switch (mode) {
    case 'disable':
    case 'allow':
    case 'prefer':
      return false;
    case 'require':
      return { ...files, rejectUnauthorized: false };
    case 'verify-ca':
      // The chain is checked, the host name is not (libpq's meaning of verify-ca).
      return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...files, rejectUnauthorized: true };
    default:
      throw new UsageError(
        'URL_BAD_SSLMODE',
        `Unknown sslmode "${mode}". Use disable, allow, prefer, require, verify-ca or verify-full.`,
      );
  }
}

/** The pg pool settings for a URL. */
export function postgresPoolConfig(url: ConnectionUrl): pg.PoolConfig {
  const timeoutText = url.params.connect_timeout;
  const timeout = timeoutText === undefined ? DEFAULT_CONNECT_TIMEOUT_SECONDS : Number(timeoutText);
  if (!Number.isFinite(timeout) || timeout < 0) {
    throw new UsageError(
      'URL_BAD_TIMEOUT',
      `connect_timeout must be a number of seconds, not "${timeoutText}".`,
    );
  }
  return {
    host: url.host,
    port: url.port,
    user: url.user ?? process.env.PGUSER ?? 'postgres',
    password: url.password,
    database: url.database,
    ssl: postgresSslOption(url.params),
    application_name: url.params.application_name ?? 'ferry',
    // libpq treats 0 as "wait forever", as does pg.
    connectionTimeoutMillis: Math.round(timeout * 1000),
    // The engine runs up to 16 chunks at once, each read or write on a connection of its own, beside
    // a snapshot's coordinator: none of them should wait for a connection.
    max: POOL_SIZE,
  };
}

const prepared = new WeakSet<pg.PoolClient>();

/** A pooled connection whose session is pinned (UTC, ISO dates, exact floats, search_path). */
export async function acquirePostgres(pool: pg.Pool, schema: string): Promise<pg.PoolClient> {
  const client = await pool.connect();
  if (prepared.has(client)) return client;
  // A server that ends a checked-out connection (a restart, pg_terminate_backend) makes the client
  // emit 'error' when no query is running to receive it: without a listener that crashes the
  // process. The next query on it fails, and that failure is what the caller sees.
  client.on('error', () => {});
  try {
    await client.query(`${SESSION_SETUP}; SET search_path TO ${quoteIdent(schema)}`);
  } catch (error) {
    client.release(true);
    throw error;
  }
  prepared.add(client);
  return client;
}

/**
 * Runs `work` on a client from `acquire`, released after (dropped when a driver error may have
 * broken it); driver errors become DatabaseErrors with `code` naming `purpose`.
 */
export async function withPostgresClient<T>(
  acquire: () => Promise<pg.PoolClient>,
  code: string,
  purpose: string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await acquire();
  let broken = false;
  try {
    return await work(client);
  } catch (error) {
    broken = !isFerryError(error);
    if (isFerryError(error)) throw error;
    throw new DatabaseError(code, `${purpose} on PostgreSQL failed: ${messageOf(error)}`, { cause: error });
  } finally {
    client.release(broken);
  }
}
