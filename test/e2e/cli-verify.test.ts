/**
 * `ferry verify` and the verify step of `ferry copy` as a user meets them: the report on stdout,
 * exit 0 when equal and 1 when rows differ, keys and column names but no values unless asked,
 * `--repair` and its `--dry-run`, JSON for machines, and exit 2 for a wrong invocation.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ferry } from '../helpers/cli.js';
import { freshPostgres, freshSqlite, pgQuery, type TestDatabase } from '../helpers/servers.js';

const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

async function source(): Promise<TestDatabase> {
  const db = await freshSqlite('cv_src');
  cleanup.push(db);
  const sqlite = new Database(db.name);
  sqlite.exec(`
    CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price TEXT, secret TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
    INSERT INTO item SELECT i, 'item ' || i, (i % 90) || '.50', 'pin-' || i FROM n;
  `);
  sqlite.close();
  return db;
}

function change(db: TestDatabase, sql: string): void {
  const sqlite = new Database(db.name);
  sqlite.exec(sql);
  sqlite.close();
}

describe('ferry verify', () => {
  it('says equal after a copy, then names the differing keys and columns (exit 1), and repairs them', async () => {
    const from = await source();
    const to = await freshSqlite('cv_dst');
    cleanup.push(to);
    const copy = await ferry(['copy', from.url, to.url, '--quiet']);
    expect(copy.status).toBe(0);
    // The copy's own verify step ran and found the tables equal.
    expect(copy.stdout).toMatch(/item\s+500 rows\s+1 chunks\s+[\d.]+ s\s+equal/);
    expect(copy.stdout).toContain('verified 1 tables');

    const equal = await ferry(['verify', from.url, to.url, '--quiet']);
    expect(equal.status).toBe(0);
    expect(equal.stdout).toContain('verified 1 tables');

    change(
      to,
      `DELETE FROM item WHERE id = 7; UPDATE item SET secret = 'pin-changed' WHERE id = 42;
       INSERT INTO item VALUES (900, 'extra', '1.00', NULL);`,
    );
    const found = await ferry(['verify', from.url, to.url, '--quiet']);
    expect(found.status).toBe(1);
    expect(found.stdout).toContain('DIFFERENT: 1 missing, 1 extra, 1 different');
    expect(found.stdout).toContain('missing in target: id=7');
    expect(found.stdout).toContain('extra in target: id=900');
    expect(found.stdout).toContain('different: id=42 (secret)');
    expect(found.stdout).not.toContain('pin-');

    const shown = await ferry(['verify', from.url, to.url, '--quiet', '--show-values']);
    expect(shown.stdout).toContain('pin-changed');

    const json = await ferry(['verify', from.url, to.url, '--json']);
    expect(json.status).toBe(1);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; tables: Array<{ counts: unknown }> };
    expect(parsed.ok).toBe(false);
    expect(parsed.tables[0]!.counts).toEqual({ missing: 1, extra: 1, different: 1 });

    const dry = await ferry(['verify', from.url, to.url, '--quiet', '--repair', '--dry-run']);
    expect(dry.status).toBe(1);
    expect(dry.stdout).toContain('repair: would delete 2 and insert 2 rows');
    expect((await ferry(['verify', from.url, to.url, '--quiet'])).status).toBe(1);

    const repaired = await ferry(['verify', from.url, to.url, '--quiet', '--repair']);
    expect(repaired.status).toBe(0);
    expect(repaired.stdout).toContain('repaired: 1 missing, 1 extra, 1 different');
    expect(repaired.stdout).toContain('repair: deleted 2 and inserted 2 rows');
    expect((await ferry(['verify', from.url, to.url, '--quiet'])).status).toBe(0);
  });

  it('verifies across engines and skips the step with --no-verify', async () => {
    const from = await source();
    const to = await freshPostgres('cv_dst');
    cleanup.push(to);
    const copy = await ferry(['copy', from.url, to.url, '--quiet', '--no-verify']);
    expect(copy.status).toBe(0);
    expect(copy.stdout).not.toContain('verified');
    await pgQuery(to.name, `UPDATE item SET name = 'Item 3' WHERE id = 3`);
    const found = await ferry(['verify', from.url, to.url, '--quiet']);
    expect(found.status).toBe(1);
    expect(found.stdout).toContain('different: id=3 (name)');
  });

  it('rejects a wrong invocation with exit 2', async () => {
    const from = await source();
    const help = await ferry(['verify', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--repair');
    const dry = await ferry(['verify', from.url, `sqlite:${from.name}.copy`, '--dry-run']);
    expect(dry.status).toBe(2);
    expect(dry.stderr).toContain('--dry-run goes with --repair');
    const to = await freshSqlite('cv_dst');
    cleanup.push(to);
    expect((await ferry(['copy', from.url, to.url, '--quiet', '--no-verify'])).status).toBe(0);
    const missing = await ferry(['verify', from.url, to.url, '--tables', 'nope']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope');
    const scheme = await ferry(['verify', 'oracle://x/y', from.url]);
    expect(scheme.status).toBe(2);
  });
});
