/** `--max-rows-per-second` / `--max-bytes-per-second`: the copy pauses, says why, counts it, and loses nothing. */
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { ferry } from '../helpers/cli.js';
import { freshSqlite, type TestDatabase } from '../helpers/servers.js';

const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

it('pauses to keep under the limit, logs each pause with its reason, and still copies every row', async () => {
  const source = await freshSqlite('throttle_src');
  const target = await freshSqlite('throttle_dst');
  cleanup.push(source, target);
  const db = new Database(source.name);
  db.exec(`CREATE TABLE reading (id INTEGER PRIMARY KEY, value REAL NOT NULL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO reading SELECT i, i / 7.0 FROM n;`);
  db.close();

  const started = performance.now();
  const run = await ferry(['copy', source.url, target.url, '--max-rows-per-second', '2000']);
  const seconds = (performance.now() - started) / 1000;
  expect(run.status).toBe(0);
  // The first second's budget is 2000 rows; the other 1000 wait half a second.
  expect(run.stderr).toMatch(/reading: paused 0\.\d+ s \(max-rows-per-second\)/);
  expect(run.stdout).toMatch(/^throttled: 1 pauses, 0\.\d+ s in all — max-rows-per-second 1 \(0\.\d+ s\)$/m);
  expect(seconds).toBeGreaterThan(0.45);
  const copy = new Database(target.name, { readonly: true });
  expect(copy.prepare('SELECT count(*), sum(value) FROM reading').raw().get()).toEqual([
    3000,
    expect.closeTo((3000 * 3001) / 2 / 7, 6),
  ]);
  copy.close();

  const bytes = await ferry(['copy', source.url, `sqlite:${target.name}.2`, '--max-bytes-per-second', '40k']);
  expect(bytes.status).toBe(0);
  expect(bytes.stderr).toMatch(/paused \d+\.\d+ s \(max-bytes-per-second\)/);

  const bad = await ferry(['copy', source.url, target.url, '--max-rows-per-second', 'fast']);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('--max-rows-per-second must be a number greater than 0');
});
