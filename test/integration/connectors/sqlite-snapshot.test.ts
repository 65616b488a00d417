/** SQLite's snapshot: one read transaction; a writer in WAL mode commits meanwhile, unseen until release. */
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { createConnector } from '../../../src/connectors/registry.js';
import type { CanonicalValue } from '../../../src/values/canonical.js';
import { freshSqlite, type TestDatabase } from '../../helpers/servers.js';

const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

it('reads every table as of openSnapshot until releaseSnapshot', async () => {
  const file = await freshSqlite('snap');
  cleanup.push(file);
  const writer = new Database(file.name);
  writer.pragma('journal_mode = WAL');
  writer.exec(`CREATE TABLE a (id INTEGER PRIMARY KEY, v INTEGER); CREATE TABLE b (id INTEGER PRIMARY KEY, v INTEGER);
    INSERT INTO a VALUES (1, 10); INSERT INTO b VALUES (1, 20);`);

  const source = await createConnector(file.url);
  await source.connect();
  const schema = await source.introspect();
  const read = async (name: string) => {
    const rows: CanonicalValue[][] = [];
    const table = schema.tables.find((t) => t.name === name)!;
    for await (const batch of source.read(table, { batchRows: 10, batchBytes: 1 << 20 }))
      rows.push(...batch.rows);
    return rows;
  };
  const snapshot = await source.openSnapshot();
  expect(snapshot.takenAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  writer.exec('UPDATE a SET v = 11; INSERT INTO b VALUES (2, 21);');
  expect(await read('a')).toEqual([[1n, 10n]]);
  expect(await read('b')).toEqual([[1n, 20n]]);
  await source.releaseSnapshot();
  await source.releaseSnapshot();
  expect(await read('a')).toEqual([[1n, 11n]]);
  expect(await read('b')).toEqual([
    [1n, 20n],
    [2n, 21n],
  ]);
  await source.close();
  writer.close();
});
