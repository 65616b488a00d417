/**
 * The target server restarts in the middle of `ferry run` (the spare PostgreSQL, DESIGN.md): the
 * chunks whose writes broke are retried with backoff on new connections, and the run finishes
 * without a restart of Ferry, every row exactly once.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTables, fillStatements } from '../../bench/lib/dataset.mjs';
import { BENCH_TABLES, expectEachRowOnce } from '../helpers/bench-dataset.js';
import { expectSameData, readDatabase } from '../helpers/compare.js';
import { freshMysql, freshPostgres, mysqlQuery, PG_SPARE, type TestDatabase } from '../helpers/servers.js';
import { lockSpareServers } from '../helpers/spare-lock.js';

const SCALE = 0.005;
const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'ferry.js');
const cleanup: Array<() => Promise<void> | void> = [];
let release: () => void = () => {};
beforeAll(async () => {
  release = await lockSpareServers();
});
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  release();
});

/** Restarts the spare PostgreSQL cluster (fast shutdown: every session is cut). */
function restartSparePostgres(): void {
  const [version] = readdirSync('/etc/postgresql');
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version!, 'spare', 'restart', '-m', 'fast'], {
    stdio: 'ignore',
  });
}

it('retries the broken chunks and finishes, every row exactly once', async () => {
  const source: TestDatabase = await freshMysql('restart_src');
  cleanup.push(() => source.drop());
  for (const sql of [...createTables('mariadb'), ...fillStatements('mariadb', SCALE)]) {
    await mysqlQuery(source.name, sql);
  }
  // Chunks of 2000 rows at 2000 rows a second: every write is open for about a second, so the
  // restart cuts some in the middle.
  const target = await freshPostgres('restart_to', PG_SPARE);
  cleanup.push(() => target.drop());
  const dir = mkdtempSync(join(tmpdir(), 'ferry-restart-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const plan = join(dir, 'restart.yaml');
  writeFileSync(
    plan,
    `source: ${source.url}\ntarget: ${target.url}\noptions:\n  parallel: 2\n  chunkRows: 2000\n  maxRowsPerSecond: 2000\nstate: ${join(dir, 'state.db')}\n`,
  );

  const run = spawn(process.execPath, [BIN, 'run', plan], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let restarted = false;
  run.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  run.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    // A pause is logged as its batch goes on: the chunk's COPY is open then, waiting for the next
    // batch for about a second, and the restart cuts it.
    if (!restarted && stderr.includes('ferry: orders: paused')) {
      restarted = true;
      setTimeout(restartSparePostgres, 200);
    }
  });
  const status = await new Promise<number | null>((done) => run.on('close', done));
  expect(restarted).toBe(true);
  expect(status, `${stdout}\n${stderr}`).toBe(0);
  expect(stderr).toMatch(/copying it again/);

  const tables = [...BENCH_TABLES];
  expectSameData(await readDatabase(source.url, tables), await readDatabase(target.url, tables));
  await expectEachRowOnce(target, SCALE, PG_SPARE);
}, 180_000);
