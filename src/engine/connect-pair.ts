/** Opens the source and the target of a run, refusing one database as both, and closes both after. */
import type { Connector } from '../connectors/connector.js';
import { createConnector } from '../connectors/registry.js';
import { parseConnectionUrl } from '../connectors/url.js';
import { checkDistinctDatabases } from './same-database.js';

/** Runs `work` with both sides connected; both are closed whatever happens. */
export async function withConnectedPair<T>(
  sourceText: string,
  targetText: string,
  work: (source: Connector, target: Connector) => Promise<T>,
): Promise<T> {
  const sourceUrl = parseConnectionUrl(sourceText, 'source');
  const targetUrl = parseConnectionUrl(targetText, 'target');
  checkDistinctDatabases(sourceUrl, targetUrl);
  const source = await createConnector(sourceUrl);
  const target = await createConnector(targetUrl);
  try {
    await Promise.all([source.connect(), target.connect()]);
    return await work(source, target);
  } finally {
    await Promise.allSettled([source.close(), target.close()]);
  }
}
