/**
 * mysql2 pool options from a connection URL: the driver settings that keep values exact (dates and
 * big numbers as text, FLOAT/DOUBLE as the server's digits, JSON as text), TLS and timeouts.
 */
import { readFileSync } from 'node:fs';
import type mysql from 'mysql2/promise';
import { UsageError } from '../../errors.js';
import type { ConnectionUrl } from '../url.js';
import type { MysqlServerInfo } from './session.js';
import type { MysqlFlavor } from './types.js';

/** mysql2 honours `verifyIdentity` (host name check) although its typings omit it. */
export type MysqlSslOptions = mysql.SslOptions & { verifyIdentity?: boolean };

const SSL_MODES = ['DISABLED', 'PREFERRED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'] as const;

/** TLS options from `ssl=true`, `sslmode`/`ssl-mode` and the `sslca`/`sslcert`/`sslkey` files. */
export function sslOptions(params: Record<string, string>): MysqlSslOptions | undefined {
  const rawMode = (params.sslmode ?? params['ssl-mode'])?.toUpperCase();
  const flag = params.ssl?.toLowerCase();
  if (rawMode !== undefined && !(SSL_MODES as readonly string[]).includes(rawMode)) {
    throw new UsageError(
      'URL_BAD_SSLMODE',
      `Unknown sslmode "${rawMode}" in the MySQL URL. Use one of ${SSL_MODES.join(', ')}.`,
    );
  }
  let mode = rawMode;
  if (mode === undefined) {
    if (flag === 'true' || flag === '1' || flag === 'required')
      mode = params.sslca ? 'VERIFY_CA' : 'REQUIRED';
    else if (params.sslca) mode = 'VERIFY_CA';
    else return undefined;
  }
  if (mode === 'DISABLED' || flag === 'false' || flag === '0') return undefined;
  const files: MysqlSslOptions = {};
  if (params.sslca) files.ca = readFileSync(params.sslca, 'utf8');
  if (params.sslcert) files.cert = readFileSync(params.sslcert, 'utf8');
  if (params.sslkey) files.key = readFileSync(params.sslkey, 'utf8');
  // mysql2 cannot fall back to plain text, so PREFERRED encrypts like REQUIRED.
  if (mode === 'PREFERRED' || mode === 'REQUIRED') return { ...files, rejectUnauthorized: false };
  if (mode === 'VERIFY_CA') return { ...files, rejectUnauthorized: true, verifyIdentity: false };
  return { ...files, rejectUnauthorized: true, verifyIdentity: true };
}

/**
 * mysql2 returns FLOAT/DOUBLE through its own digit loop, which is off by one unit in the last
 * place for some 16-digit values: take the server's text and let Number() parse it.
 */
const keepFloatText: mysql.TypeCast = (field, next) => {
  if (field.type === 'DOUBLE' || field.type === 'FLOAT') return field.string('ascii');
  return next();
};

/**
 * Connections a connector may hold at once (they open on demand): up to 16 snapshot readers or
 * plain reads, 16 chunk writes (a connector may be source and target), and room beside them for the
 * snapshot's lock, KILL QUERY of cancelled reads and the load probe, so none of them waits forever.
 */
export const POOL_CONNECTION_LIMIT = 40;

/** Pool options: exact dates, big integers and JSON as text, UTC, utf8mb4. */
export function poolOptions(url: ConnectionUrl): mysql.PoolOptions {
  const timeout = url.params.connect_timeout;
  return {
    host: url.host,
    port: url.port,
    user: url.user ?? 'root',
    password: url.password,
    database: url.database,
    charset: 'utf8mb4',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    jsonStrings: true,
    decimalNumbers: false,
    timezone: 'Z',
    typeCast: keepFloatText,
    connectTimeout: timeout ? Number(timeout) * 1000 : 10_000,
    ssl: sslOptions(url.params),
    connectionLimit: POOL_CONNECTION_LIMIT,
    maxIdle: 4,
    enableKeepAlive: true,
  };
}

/**
 * Whether the URL asks for sessions that write no binary log (`?binlog=off`): a target's load
 * then skips the binlog (as myloader does by default), which needs SUPER or BINLOG ADMIN and
 * leaves the target's replicas and point-in-time recovery without the copied rows.
 */
export function binlogOff(url: ConnectionUrl): boolean {
  const value = url.params.binlog?.toLowerCase();
  if (value === undefined || value === 'on') return false;
  if (value === 'off') return true;
  throw new UsageError(
    'URL_BAD_PARAMETER',
    `Parameter binlog=${url.params.binlog} in ${url.display}: use binlog=off (sessions write no binary log) or binlog=on (the default).`,
  );
}

/** Parses VERSION(): `10.11.19-MariaDB-0+deb12u1-log` → MariaDB 10.11.19; `8.0.36` → MySQL 8.0.36. */
export function parseServerVersion(version: string): MysqlServerInfo {
  const numbers = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  const parts: [number, number, number] = numbers
    ? [Number(numbers[1]), Number(numbers[2]), Number(numbers[3])]
    : [0, 0, 0];
  const flavor: MysqlFlavor = /mariadb/i.test(version) ? 'mariadb' : 'mysql';
  const display = `${flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${parts.join('.')}`;
  return { flavor, display, version: parts };
}
