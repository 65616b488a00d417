/**
 * SQLite files and connectors for one test file: `fresh` makes a file, `connect` opens a connector,
 * and everything is closed and deleted after the file's tests (call `releaseAll` in afterAll).
 */
import type { Connector } from '../../src/connectors/connector.js';
import { createSqliteConnector } from '../../src/connectors/sqlite/index.js';
import { parseConnectionUrl } from '../../src/connectors/url.js';
import { freshSqlite, type TestDatabase } from './servers.js';

/** A tracker of the SQLite files and connectors a test file creates. */
export function sqliteFiles() {
  const files: TestDatabase[] = [];
  const open: Connector[] = [];
  return {
    /** A path for a new SQLite file, deleted by `releaseAll`. */
    async fresh(prefix: string): Promise<TestDatabase> {
      const db = await freshSqlite(prefix);
      files.push(db);
      return db;
    },
    /** A connected SQLite connector, closed by `releaseAll`. */
    async connect(url: string): Promise<Connector> {
      const connector = createSqliteConnector(parseConnectionUrl(url));
      open.push(connector);
      await connector.connect();
      return connector;
    },
    /** Closes every connector, then deletes every file. */
    async releaseAll(): Promise<void> {
      await Promise.all(open.map((connector) => connector.close()));
      await Promise.all(files.map((db) => db.drop()));
    },
  };
}
