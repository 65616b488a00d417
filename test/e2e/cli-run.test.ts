/**
 * `ferry run` and `ferry status` as a user meets them: a run finishes and says so, status reads the
 * state while another process runs and after, a finished plan is not copied twice, a changed plan
 * is refused naming what changed, and --restart begins again.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ferry } from '../helpers/cli.js';
import { freshSqlite, type TestDatabase } from '../helpers/servers.js';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'ferry.js');
const dir = mkdtempSync(join(tmpdir(), 'ferry-cli-run-'));
const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
  rmSync(dir, { recursive: true, force: true });
});

async function source(rows: number): Promise<TestDatabase> {
  const db = await freshSqlite('run_src');
  cleanup.push(db);
  const sqlite = new Database(db.name);
  sqlite.exec(`
    CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price TEXT);
    CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
    INSERT INTO items SELECT i, 'item ' || i, (i % 100) || '.50' FROM n;
    INSERT INTO notes VALUES (1, 'first'), (2, NULL);
  `);
  sqlite.close();
  return db;
}

async function plan(name: string, extra: string[] = []): Promise<{ file: string; target: TestDatabase }> {
  const from = await source(3000);
  const target = await freshSqlite('run_to');
  cleanup.push(target);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      `source: ${from.url}`,
      `target: ${target.url}`,
      'options:',
      '  chunkRows: 500',
      ...extra,
      '',
    ].join('\n'),
  );
  return { file, target };
}

describe('ferry run', () => {
  it('runs a plan, reports consistency and verify, and status shows it finished', async () => {
    const { file, target } = await plan('simple');
    const run = await ferry(['run', file], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/items\s+3000 rows/);
    expect(run.stdout).toMatch(/items: consistent at /);
    expect(run.stdout).toContain('verified 2 tables');
    const rows = new Database(target.name, { readonly: true })
      .prepare('SELECT COUNT(*) AS n FROM items')
      .get();
    expect(rows).toEqual({ n: 3000 });

    const status = await ferry(['status', file], { cwd: dir });
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/items\s+copied\s+6\/6 chunks\s+3000 rows/);
    expect(status.stdout).toMatch(/run [0-9a-f-]{36}: finished, phase verify, attempt 1/);
    const json = JSON.parse((await ferry(['status', file, '--json'], { cwd: dir })).stdout);
    expect(json.tables.map((t: { table: string; chunksDone: number }) => [t.table, t.chunksDone])).toEqual([
      ['items', 6],
      ['notes', 1],
    ]);

    // Finished: not copied again (it would refuse or duplicate), until --restart.
    const again = await ferry(['run', file], { cwd: dir });
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('already finished');
  });

  it('refuses a changed plan naming what changed (exit 2); --restart begins again', async () => {
    const { file } = await plan('changing', ['  ifExists: drop']);
    expect((await ferry(['run', file], { cwd: dir })).status).toBe(0);
    writeFileSync(
      file,
      (await import('node:fs')).readFileSync(file, 'utf8').replace('chunkRows: 500', 'chunkRows: 700'),
    );
    const changed = await ferry(['run', file], { cwd: dir });
    expect(changed.status).toBe(2);
    expect(changed.stderr).toContain('The plan changed since its run began (chunkRows differ');
    expect(changed.stderr).toContain('--restart');
    const restarted = await ferry(['run', file, '--restart'], { cwd: dir });
    expect(restarted.status, restarted.stderr).toBe(0);
    const status = await ferry(['status', file], { cwd: dir });
    expect(status.stdout).toMatch(/items\s+copied\s+5\/5 chunks/);
  });

  it('status answers from another process while the run works', async () => {
    const { file } = await plan('watched', ['  maxRowsPerSecond: 1000', '  parallel: 1']);
    const child = spawn(process.execPath, [BIN, 'run', file], { cwd: dir, stdio: 'ignore' });
    const ended = new Promise<number | null>((done) => child.on('close', done));
    let seen: string | undefined;
    for (let i = 0; i < 40 && !seen; i++) {
      await sleep(250);
      const status = await ferry(['status', file], { cwd: dir });
      if (status.status === 0 && /items\s+copying\s+[1-5]\/6 chunks/.test(status.stdout))
        seen = status.stdout;
    }
    expect(seen).toMatch(/run [0-9a-f-]{36}: running, phase data, attempt 1/);
    expect(seen).toMatch(/rows\/s/);
    expect(await ended).toBe(0);
  });

  it('status of a plan never run says so (exit 1); --help documents resume', async () => {
    const { file } = await plan('never');
    const status = await ferry(['status', file], { cwd: dir });
    expect(status.status).toBe(1);
    expect(status.stderr).toContain('ferry run');
    const help = await ferry(['run', '--help']);
    expect(help.stdout).toContain('--restart');
    expect(help.stdout).toContain('NOT consistent since');
  });
});
