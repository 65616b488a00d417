/**
 * SQLITE_TYPE_SYSTEM.catalog against a real file: the type-torture fixture introspects to exactly
 * the catalog's logical type for every column, and the catalog lists every declared type the
 * fixture uses, so docs/types.md (generated from the catalog) cannot lie.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createSqliteConnector } from '../../../../src/connectors/sqlite/index.js';
import { SQLITE_TYPE_SYSTEM } from '../../../../src/connectors/sqlite/types.js';
import { parseConnectionUrl } from '../../../../src/connectors/url.js';
import type { Column } from '../../../../src/schema/table.js';
import { freshSqlite, type TestDatabase } from '../../../helpers/servers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

/** The declared type as the fixture spells it: an enum is TEXT with a CHECK of its labels. */
function spelled(column: Column): string {
  if (column.type.kind !== 'enum') return column.nativeType;
  const labels = column.type.values.map((label) => `'${label.replaceAll("'", "''")}'`).join(', ');
  return `${column.nativeType} CHECK (col IN (${labels}))`;
}

it('introspecting the torture fixture gives exactly the catalog’s logical type for each declared type', async () => {
  const db = await freshSqlite('catalog');
  cleanup.push(db);
  const sql = readFileSync(join(root, 'test', 'fixtures', 'sqlite', 'torture.sql'), 'utf8');
  const loaded = spawnSync('sqlite3', [db.name], { input: sql, encoding: 'utf8' });
  expect(loaded.stderr).toBe('');
  const connector = createSqliteConnector(parseConnectionUrl(db.url));
  await connector.connect();
  try {
    const { tables } = await connector.introspect();
    const catalog = new Map(SQLITE_TYPE_SYSTEM.catalog.map((entry) => [entry.native, entry.logical]));
    const seen = new Set<string>();
    for (const table of tables) {
      for (const column of table.columns.slice(1)) {
        const native = spelled(column);
        expect(catalog.has(native), `${table.name}.${column.name} ${native} is in the catalog`).toBe(true);
        expect(column.type, `${table.name}.${column.name} ${native}`).toEqual(catalog.get(native));
        seen.add(native);
      }
    }
    expect([...catalog.keys()].filter((native) => !seen.has(native))).toEqual([]);
  } finally {
    await connector.close();
  }
});
