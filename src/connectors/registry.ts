/**
 * URL scheme → connector, loaded lazily so that a broken native build of one driver cannot break a
 * run that does not use it, and `ferry --help` never loads a driver.
 */
import type { TypeSystem } from '../schema/type-system.js';
import type { Connector } from './connector.js';
import type { Dialect } from './dialect.js';
import { type ConnectionUrl, parseConnectionUrl } from './url.js';

type ConnectorFactory = (url: ConnectionUrl) => Connector;

const loaders: Record<Dialect, () => Promise<ConnectorFactory>> = {
  postgres: async () => (await import('./postgres/index.js')).createPostgresConnector,
  mysql: async () => (await import('./mysql/index.js')).createMysqlConnector,
  sqlite: async () => (await import('./sqlite/index.js')).createSqliteConnector,
};

/** Parses the URL and builds (but does not connect) the connector for its scheme. */
export async function createConnector(url: string | ConnectionUrl, role = 'connection'): Promise<Connector> {
  const parsed = typeof url === 'string' ? parseConnectionUrl(url, role) : url;
  const factory = await loaders[parsed.dialect]();
  return factory(parsed);
}

const typeSystems: Record<Dialect, () => Promise<TypeSystem>> = {
  postgres: async () => (await import('./postgres/types.js')).POSTGRES_TYPE_SYSTEM,
  mysql: async () => (await import('./mysql/types.js')).MYSQL_TYPE_SYSTEM,
  sqlite: async () => (await import('./sqlite/types.js')).SQLITE_TYPE_SYSTEM,
};

/** An engine's type system, without connecting (for `--dry-run` and docs/types.md). */
export function loadTypeSystem(dialect: Dialect): Promise<TypeSystem> {
  return typeSystems[dialect]();
}
