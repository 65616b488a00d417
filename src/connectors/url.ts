/**
 * Connection URLs in the forms users already type: `postgres://`, `postgresql://`, `mysql://`,
 * `mariadb://` and `sqlite:` (relative, `/absolute` or `///absolute`). Parsing never touches a
 * server; every password is registered with the secrets redactor before anything can print it.
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { registerSecret } from '../secrets.js';
import type { Dialect } from './dialect.js';

/** A parsed connection URL. `password` is kept for the driver and never printed. */
export interface ConnectionUrl {
  scheme: string;
  dialect: Dialect;
  host: string;
  port: number;
  user?: string;
  password?: string;
  /** The database name (server engines) or the file path (SQLite). */
  database: string;
  /** Query parameters (`sslmode`, `schema`, …), already validated against the scheme's list. */
  params: Record<string, string>;
  /** The URL with its password replaced by `***`, safe to print. */
  display: string;
  /** It names a file (SQLite), not a server: no user, no password. */
  file: boolean;
}

interface SchemeRule {
  dialect: Dialect;
  defaultPort: number;
  params: readonly string[];
  /** The URL names a file (its path in `database`) rather than a server. */
  file?: boolean;
  /** Parameters that name where tables land, with the value an absent one means. */
  placement?: Record<string, string>;
}

const POSTGRES_PARAMS = [
  'schema',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'application_name',
  'connect_timeout',
] as const;
const MYSQL_PARAMS = [
  'ssl',
  'sslmode',
  'ssl-mode',
  'sslca',
  'sslcert',
  'sslkey',
  'connect_timeout',
  'binlog',
] as const;

const SCHEMES: Record<string, SchemeRule> = {
  postgres: {
    dialect: 'postgres',
    defaultPort: 5432,
    params: POSTGRES_PARAMS,
    placement: { schema: 'public' },
  },
  postgresql: {
    dialect: 'postgres',
    defaultPort: 5432,
    params: POSTGRES_PARAMS,
    placement: { schema: 'public' },
  },
  mysql: { dialect: 'mysql', defaultPort: 3306, params: MYSQL_PARAMS },
  mariadb: { dialect: 'mysql', defaultPort: 3306, params: MYSQL_PARAMS },
  sqlite: { dialect: 'sqlite', defaultPort: 0, params: ['mode'], file: true },
};

/** The URL schemes Ferry understands, for error messages and help. */
export const KNOWN_SCHEMES: readonly string[] = Object.keys(SCHEMES);

const EXAMPLES =
  'postgres://user:pass@host:5432/db?schema=public, mysql://user:pass@host:3306/db, sqlite:path/to/file.db';

/** Parses a connection URL, or throws a UsageError saying what is wrong and what a good one looks like. */
export function parseConnectionUrl(raw: string, role = 'connection'): ConnectionUrl {
  const schemeMatch = /^([a-z][a-z0-9+.-]*):/i.exec(raw);
  if (!schemeMatch) {
    throw new UsageError(
      'URL_MALFORMED',
      `The ${role} URL has no scheme. Known schemes: ${KNOWN_SCHEMES.join(', ')} (for example ${EXAMPLES}).`,
    );
  }
  const scheme = schemeMatch[1]!.toLowerCase();
  const rule = SCHEMES[scheme];
  if (!rule) {
    throw new UsageError(
      'URL_UNKNOWN_SCHEME',
      `Unknown URL scheme "${scheme}:" in the ${role} URL. Known schemes: ${KNOWN_SCHEMES.join(', ')}.`,
    );
  }
  if (rule.dialect === 'sqlite') return parseSqliteUrl(raw, scheme, role);
  return parseServerUrl(raw, scheme, rule, role);
}

function parseSqliteUrl(raw: string, scheme: string, role: string): ConnectionUrl {
  let rest = raw.slice(scheme.length + 1);
  const queryAt = rest.indexOf('?');
  const params = queryAt >= 0 ? parseParams(rest.slice(queryAt + 1), ['mode'], scheme, role) : {};
  if (queryAt >= 0) rest = rest.slice(0, queryAt);
  // sqlite:///abs -> /abs ; sqlite://rel -> rel ; sqlite:/abs -> /abs ; sqlite:rel -> rel
  if (rest.startsWith('///')) rest = rest.slice(2);
  else if (rest.startsWith('//')) rest = rest.slice(2);
  const path = decodeURIComponent(rest);
  if (path.length === 0) {
    throw new UsageError(
      'URL_MALFORMED',
      `The ${role} URL "${raw}" names no file. Write sqlite:path/to/file.db.`,
    );
  }
  return { scheme, dialect: 'sqlite', host: '', port: 0, database: path, params, display: raw, file: true };
}

function parseServerUrl(raw: string, scheme: string, rule: SchemeRule, role: string): ConnectionUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new UsageError(
      'URL_MALFORMED',
      `The ${role} URL is malformed. Expected the form ${scheme}://user:password@host:port/database.`,
      { cause: error },
    );
  }
  const password = url.password ? safeDecode(url.password) : undefined;
  registerSecret(password);
  registerSecret(url.password);
  const params = parseParams(url.search.slice(1), rule.params, scheme, role);
  const portText = url.port;
  const port = portText ? Number(portText) : rule.defaultPort;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new UsageError('URL_MALFORMED', `The ${role} URL has an invalid port "${portText}".`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  const user = url.username ? safeDecode(url.username) : undefined;
  const database = safeDecode(url.pathname.replace(/^\//, ''));
  if (database.length === 0) {
    throw new UsageError(
      'URL_NO_DATABASE',
      `The ${role} URL names no database. Add it as the path: ${scheme}://${user ?? 'user'}@${host}:${port}/<database>.`,
    );
  }
  if (database.includes('/')) {
    throw new UsageError('URL_MALFORMED', `The ${role} URL's database "${database}" contains "/".`);
  }
  const display = `${scheme}://${user ? `${url.username}${password !== undefined ? ':***' : ''}@` : ''}${url.host}/${url.pathname.replace(/^\//, '')}${url.search}`;
  return {
    scheme,
    dialect: rule.dialect,
    host,
    port,
    user,
    password,
    database,
    params,
    display,
    file: false,
  };
}

function parseParams(query: string, allowed: readonly string[], scheme: string, role: string) {
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    if (!allowed.includes(key)) {
      throw new UsageError(
        'URL_UNKNOWN_PARAMETER',
        `Unknown parameter "${key}" in the ${role} URL. ${scheme}: URLs accept: ${allowed.join(', ')}.`,
      );
    }
    params[key] = value;
  }
  return params;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

/**
 * One spelling per database a URL reaches (scheme aliases, loopback names, default port and
 * schema folded; a file by its real path), so that two URLs can be recognised as the same place.
 */
export function databaseIdentity(url: ConnectionUrl): string {
  const rule = SCHEMES[url.scheme];
  if (rule?.file) {
    const path = resolve(url.database);
    return `${url.dialect}:${existsSync(path) ? realpathSync(path) : path}`;
  }
  const placement = Object.entries(rule?.placement ?? {})
    .map(([key, fallback]) => `${key}=${url.params[key] ?? fallback}`)
    .join('&');
  const host = LOOPBACK.has(url.host) ? 'loopback' : url.host.toLowerCase();
  return `${url.dialect}://${host}:${url.port}/${url.database}?${placement}`;
}
