/**
 * Failures to open a MariaDB/MySQL connection as ConnectionErrors that name host and port (and the
 * database when it is missing), never the password.
 */
import { ConnectionError } from '../../errors.js';
import type { ConnectionUrl } from '../url.js';

/** The driver's error code and server error number, when the thrown value carries them. */
export function driverCode(error: unknown): { code?: string; errno?: number } {
  if (typeof error !== 'object' || error === null) return {};
  const record = error as { code?: unknown; errno?: unknown };
  return {
    code: typeof record.code === 'string' ? record.code : undefined,
    errno: typeof record.errno === 'number' ? record.errno : undefined,
  };
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  EAI_AGAIN: 'host name lookup failed',
  PROTOCOL_CONNECTION_LOST: 'connection lost',
};

/** Maps a failure to open a connection to a ConnectionError naming host:port (and the database when missing). */
export function connectionError(error: unknown, url: ConnectionUrl): ConnectionError {
  const where = `${url.host}:${url.port}`;
  const { code, errno } = driverCode(error);
  if (errno === 1049 || code === 'ER_BAD_DB_ERROR') {
    return new ConnectionError(
      'DATABASE_NOT_FOUND',
      `Database "${url.database}" does not exist on the MySQL/MariaDB server at ${where}. Create it (CREATE DATABASE \`${url.database}\`) or fix the URL.`,
      { cause: error },
    );
  }
  if (
    errno === 1045 ||
    errno === 1044 ||
    code === 'ER_ACCESS_DENIED_ERROR' ||
    code === 'ER_DBACCESS_DENIED_ERROR'
  ) {
    return new ConnectionError(
      'ACCESS_DENIED',
      `The MySQL/MariaDB server at ${where} refused user "${url.user ?? 'root'}" for database "${url.database}". Check the user name, password and grants.`,
      { cause: error },
    );
  }
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return new ConnectionError(
      'TLS_UNSUPPORTED',
      `The MySQL/MariaDB server at ${where} does not offer TLS, but the URL asks for it. Enable TLS on the server or use sslmode=DISABLED.`,
      { cause: error },
    );
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) {
    return new ConnectionError(
      'TLS_CERTIFICATE_REJECTED',
      `The TLS certificate of the MySQL/MariaDB server at ${where} was not accepted (${code}). Give the CA file with sslca=…, or use sslmode=REQUIRED to encrypt without verifying.`,
      { cause: error },
    );
  }
  const reason = (code && NETWORK_CODES[code]) ?? (code ? code.toLowerCase() : 'no answer');
  return new ConnectionError(
    'CONNECTION_FAILED',
    `Cannot connect to MySQL/MariaDB at ${where}: ${reason}. Check that the server is running and that the host and port are right.`,
    { cause: error },
  );
}
