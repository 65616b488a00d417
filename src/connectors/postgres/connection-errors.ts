/**
 * Connection failures turned into ConnectionErrors that say where (host:port, database) and what
 * to do; never the password.
 */

import { ConnectionError, messageOf } from '../../errors.js';
import type { ConnectionUrl } from '../url.js';

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  // Node's happy-eyeballs connect reports an AggregateError of the per-address failures.
  if (Array.isArray(errors)) return codeOf(errors[0]);
  return undefined;
}

/** A connection failure as a ConnectionError naming host:port (or the database), never the password. */
export function postgresConnectionError(error: unknown, url: ConnectionUrl): ConnectionError {
  const where = `${url.host}:${url.port}`;
  const code = codeOf(error);
  const message = messageOf(error);
  const fail = (text: string) =>
    new ConnectionError(`PG_CONNECT_${code ?? 'FAILED'}`, text, { cause: error });
  switch (code) {
    case 'ECONNREFUSED':
      return fail(
        `Cannot connect to PostgreSQL at ${where}: connection refused. Check that the server is running and listens on that host and port.`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail(`Cannot connect to PostgreSQL at ${where}: the host name "${url.host}" does not resolve.`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail(`Cannot connect to PostgreSQL at ${where}: the server does not answer (${code}).`);
    case '3D000':
      return fail(
        `PostgreSQL at ${where} has no database "${url.database}". Create it first (CREATE DATABASE "${url.database}") or fix the URL.`,
      );
    case '28P01':
      return fail(`PostgreSQL at ${where} refused user "${url.user ?? 'postgres'}": wrong password.`);
    case '28000':
      return fail(
        `PostgreSQL at ${where} refused user "${url.user ?? 'postgres'}" for database "${url.database}": no pg_hba.conf entry allows it. If the server requires TLS, add sslmode=require to the URL.`,
      );
    default:
      break;
  }
  if (/timeout/i.test(message)) {
    return fail(
      `Cannot connect to PostgreSQL at ${where}: no answer within the connect timeout. Check the host, port and firewall, or raise connect_timeout.`,
    );
  }
  if (/terminated unexpectedly/i.test(message)) {
    return fail(
      `Cannot connect to PostgreSQL at ${where}: the connection closed before the server answered. Check that a PostgreSQL server listens there and the sslmode it expects.`,
    );
  }
  if (/password/i.test(message)) {
    return fail(
      `PostgreSQL at ${where} asks user "${url.user ?? 'postgres'}" for a password: put it in the URL.`,
    );
  }
  if (/SSL|TLS|certificate/i.test(message)) {
    return fail(
      `Cannot open a TLS connection to PostgreSQL at ${where}. Check sslmode and the certificates.`,
    );
  }
  return fail(
    `Cannot connect to PostgreSQL at ${where} (${code ?? 'error'}). Check the URL and that the server is running.`,
  );
}
