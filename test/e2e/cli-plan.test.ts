/**
 * `ferry init` and `ferry plan` as a user meets them: init writes a plan (never over one), plan
 * prints every problem of an invalid plan at its path and exits 2, and checks a valid plan against
 * the databases it names without writing, no password in any output.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ferry } from '../helpers/cli.js';
import { freshPostgres, freshSqlite, type TestDatabase } from '../helpers/servers.js';

const PASSWORD = 'e2e-Pl@n-secret/7';
const dir = mkdtempSync(join(tmpdir(), 'ferry-cli-plan-'));
const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
  rmSync(dir, { recursive: true, force: true });
});

/** A SQLite source with the tables the example plan names. */
async function shopSource(): Promise<TestDatabase> {
  const db = await freshSqlite('cp_src');
  cleanup.push(db);
  const sqlite = new Database(db.name);
  sqlite.exec(`
    CREATE TABLE orders (id INTEGER PRIMARY KEY, total TEXT);
    CREATE TABLE order_items (id INTEGER PRIMARY KEY, order_id INTEGER, sku TEXT);
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, country TEXT, notes TEXT);
    CREATE TABLE tmp_import (id INTEGER PRIMARY KEY, raw TEXT);
    INSERT INTO orders VALUES (1, '9.50');
    INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com', 'DE', 'vip'), (2, 'Bo', 'bo@example.com', 'SE', NULL);
  `);
  sqlite.close();
  return db;
}

function noPassword(...texts: string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(encodeURIComponent(PASSWORD));
  }
}

describe('ferry init', () => {
  it('writes the example plan, refuses to overwrite it (exit 2) unless --force', async () => {
    const first = await ferry(['init'], { cwd: dir });
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('wrote ferry.yaml');
    const written = readFileSync(join(dir, 'ferry.yaml'), 'utf8');
    expect(written).toContain('mode: snapshot');

    writeFileSync(join(dir, 'ferry.yaml'), '# my own plan\n');
    const again = await ferry(['init'], { cwd: dir });
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(
      'ferry.yaml exists already; name another file (ferry init other.yaml) or overwrite it with --force.',
    );
    expect(readFileSync(join(dir, 'ferry.yaml'), 'utf8')).toBe('# my own plan\n');

    const forced = await ferry(['init', '--force'], { cwd: dir });
    expect(forced.status).toBe(0);
    expect(readFileSync(join(dir, 'ferry.yaml'), 'utf8')).toBe(written);
  });

  it('has --help with an example', async () => {
    const help = await ferry(['init', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Example:');
    expect(help.stdout).toContain('--force');
  });
});

describe('ferry plan', () => {
  it('lists every problem of an invalid plan at its path, exits 2, and shows no password', async () => {
    writeFileSync(
      join(dir, 'bad.yaml'),
      `source: sqlite:/nowhere.db
target:
  url: postgres://ferry@127.0.0.1/shop
  password: \${PLAN_PW}
mode: stream
tables:
  - include: "order*"
    rename: orders
options:
  chunkBytes: 12T
`,
    );
    const run = await ferry(['plan', 'bad.yaml'], { cwd: dir, env: { PLAN_PW: PASSWORD } });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('ferry: error: the plan has 3 problems:');
    expect(run.stderr).toContain('bad.yaml: mode: expected one of snapshot, sync; got "stream"');
    expect(run.stderr).toContain(
      'bad.yaml: tables[0].rename: rename needs an include that names one table; "order*" is a pattern',
    );
    expect(run.stderr).toContain('bad.yaml: options.chunkBytes: expected a size such as 500000, 512k or 20M');
    expect(run.stderr).toContain('[PLAN_INVALID]');
    noPassword(run.stdout, run.stderr);
  });

  it('names a missing plan file (exit 2) and an unset variable (exit 2)', async () => {
    const missing = await ferry(['plan', 'absent.yaml'], { cwd: dir });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('plan file absent.yaml does not exist');

    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${NAME} is plan syntax here, not a placeholder
    writeFileSync(join(dir, 'env.yaml'), 'source: sqlite:/a.db\ntarget: ${FERRY_UNSET_TARGET}\n');
    const unset = await ferry(['plan', 'env.yaml'], { cwd: dir });
    expect(unset.status).toBe(2);
    expect(unset.stderr).toContain('env.yaml: target: environment variable FERRY_UNSET_TARGET is not set');
  });

  it('has --help with an example', async () => {
    const help = await ferry(['plan', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Example:');
    expect(help.stdout).toContain('<plan.yaml>');
  });

  it('accepts the plan ferry init writes, pointed at SQLite files, and writes nothing', async () => {
    const source = await shopSource();
    const target = await freshSqlite('cp_dst');
    cleanup.push(target);
    const work = mkdtempSync(join(dir, 'init-'));
    expect((await ferry(['init', 'shop.yaml'], { cwd: work })).status).toBe(0);
    const example = readFileSync(join(work, 'shop.yaml'), 'utf8');
    writeFileSync(
      join(work, 'shop.yaml'),
      example
        .replace(/^source: .*$/m, `source: ${source.url}`)
        .replace(/^target:\n(?: {2}.*\n)+/m, `target: ${target.url}\n`),
    );
    const sourceBefore = statSync(source.name).mtimeMs;

    const run = await ferry(['plan', 'shop.yaml'], { cwd: work });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('customers → clients');
    expect(run.stdout).toContain('orders');
    expect(run.stdout).not.toContain('tmp_import');
    expect(run.stdout).toMatch(
      /plan shop-migration: ready to run \(0 errors, \d+ warnings?\); nothing was written\n$/,
    );
    expect(existsSync(target.name)).toBe(false);
    expect(statSync(source.name).mtimeMs).toBe(sourceBefore);
    expect(existsSync(join(work, '.ferry'))).toBe(false);

    const json = await ferry(['plan', 'shop.yaml', '--json'], { cwd: work });
    expect(json.status, json.stdout + json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { name: string; fingerprint: string; ok: boolean };
    expect(report).toMatchObject({ name: 'shop-migration', ok: true });
    expect(report.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('shows no password from the environment in the report or its JSON', async () => {
    const source = await shopSource();
    const target = await freshPostgres('cp_pg');
    cleanup.push(target);
    writeFileSync(
      join(dir, 'pg.yaml'),
      `source: ${source.url}\ntarget:\n  url: ${target.url}\n  password: \${PLAN_PW}\ntables:\n  - include: customers\n`,
    );
    for (const args of [
      ['plan', 'pg.yaml'],
      ['plan', 'pg.yaml', '--json'],
    ]) {
      const run = await ferry(args, { cwd: dir, env: { PLAN_PW: PASSWORD } });
      expect(run.status, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toContain('customers');
      noPassword(run.stdout, run.stderr);
    }
  });
});
