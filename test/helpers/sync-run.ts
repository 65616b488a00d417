/**
 * Running `mode: sync` plans from tests: the plan file, `ferry run` in a child process, waiting for
 * its sync phase, the money sum, and dropping a PostgreSQL slot a failed test left behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { openSqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';
import { ferry } from './cli.js';
import { freshMysql, freshPostgres, mysqlQuery, pgQuery, type TestDatabase } from './servers.js';
import { SyncWorkload } from './sync-workload.js';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'ferry.js');
/** A source engine with a change log. */
export type Engine = 'postgres' | 'mysql';

/** A fresh database of the engine. */
export const fresh = (engine: Engine, prefix: string) =>
  engine === 'postgres' ? freshPostgres(prefix) : freshMysql(prefix);

/** What the accounts hold together on a database. */
export async function moneyOn(engine: Engine, db: TestDatabase): Promise<number> {
  const sql = 'SELECT SUM(balance) AS total FROM accounts';
  const rows =
    engine === 'postgres'
      ? await pgQuery<{ total: string }>(db.name, sql)
      : ((await mysqlQuery(db.name, sql)) as Array<{ total: string }>);
  return Number(rows[0]?.total);
}

/** Drops a PostgreSQL source's slot and publication even when the test failed before cleanup. */
export async function dropSlot(plan: string, base?: string): Promise<void> {
  const slots = await pgQuery<{ slot_name: string; active_pid: number | null }>(
    'postgres',
    `SELECT slot_name, active_pid FROM pg_replication_slots WHERE slot_name LIKE $1`,
    [`%${plan}%`],
    base,
  );
  for (const slot of slots) {
    if (slot.active_pid)
      await pgQuery('postgres', 'SELECT pg_terminate_backend($1)', [slot.active_pid], base);
    await pgQuery('postgres', 'SELECT pg_drop_replication_slot($1)', [slot.slot_name], base).catch(
      () => undefined,
    );
  }
}

/** A mode: sync plan file; `extra` lines go under options. */
export function writePlan(
  dir: string,
  name: string,
  source: string,
  target: string,
  extra: string[] = [],
): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      `source: ${source}`,
      `target: ${target}`,
      'mode: sync',
      'options:',
      '  parallel: 2',
      '  chunkRows: 100',
      '  syncSessions: 4',
      ...extra,
      `state: ${join(dir, `${name}.db`)}`,
      '',
    ].join('\n'),
  );
  return file;
}

/** How a `ferry run` ended. */
export interface Exit {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `ferry run <plan> --json --log-format json` in a child process. */
export function startRun(plan: string): { child: ChildProcess; exit: Promise<Exit>; stderr(): string } {
  const child = spawn(process.execPath, [BIN, 'run', plan, '--json', '--log-format', 'json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<Exit>((done) => child.on('close', (status) => done({ status, stdout, stderr })));
  return { child, exit, stderr: () => stderr };
}

/** Waits until the run's state file shows the sync phase streaming (after `since`, ms since the epoch). */
export async function syncBegun(statePath: string, exit: Promise<Exit>, since = 0): Promise<void> {
  let ended = false;
  void exit.then(() => {
    ended = true;
  });
  for (let waited = 0; waited < 120_000; waited += 200) {
    if (ended) throw new Error(`ferry run ended before streaming: ${JSON.stringify(await exit)}`);
    try {
      const store = openSqliteStateStore(statePath, { readonly: true });
      try {
        const progress = store.syncProgress();
        if (progress && Date.parse(progress.at) > since) return;
      } finally {
        store.close();
      }
    } catch {
      // not created yet
    }
    await sleep(200);
  }
  throw new Error('the sync phase did not begin within 120 s');
}

/**
 * Asks the streaming `run` to cut over (`ferry cutover <plan> --max-lag <maxLag>`) and waits for
 * the run to end; fails the test with both logs when either does not succeed.
 */
export async function cutOver(
  plan: string,
  run: { child: ChildProcess; exit: Promise<Exit> },
  maxLag = 30,
): Promise<Exit> {
  const cutover = await ferry(['cutover', plan, '--max-lag', String(maxLag), '--timeout', '180']);
  if (cutover.status !== 0) {
    run.child.kill('SIGTERM');
    const ended = await run.exit;
    expect.fail(`cutover: ${cutover.stderr}\nrun: ${ended.stderr.slice(-4000)}`);
  }
  const exit = await run.exit;
  expect(exit.status, exit.stderr.slice(-3000)).toBe(0);
  return exit;
}

/** A source and a target database, and a `mode: sync` plan between them with its state file. */
export interface SyncDatabases {
  source: TestDatabase;
  target: TestDatabase;
  /** The plan's name (it names the slot). */
  name: string;
  /** The plan file, `mode: sync`. */
  plan: string;
  /** The plan's state file. */
  state: string;
}

/** The databases and plan of a sync case, plus a seeded workload on the source. */
export interface SyncCase extends SyncDatabases {
  workload: SyncWorkload;
}

/**
 * Creates the databases (the source on `sourceBase` when given: a spare server) and writes the
 * plan; `cleanup` receives the steps that undo it all, the source's slot included.
 */
export async function syncDatabases(
  engines: { source: Engine; target: Engine; sourceBase?: string },
  prefix: string,
  cleanup: Array<() => Promise<void> | void>,
  planOptions: string[] = [],
): Promise<SyncDatabases> {
  const { source: sourceEngine, target: targetEngine, sourceBase } = engines;
  const source = sourceBase
    ? sourceEngine === 'postgres'
      ? await freshPostgres(`${prefix}_src`, sourceBase)
      : await freshMysql(`${prefix}_src`, sourceBase)
    : await fresh(sourceEngine, `${prefix}_src`);
  const target = await fresh(targetEngine, `${prefix}_dst`);
  const dir = mkdtempSync(join(tmpdir(), `ferry-${prefix}-`));
  const name = `${prefix}_${source.name.slice(-8)}`;
  cleanup.push(async () => {
    if (sourceEngine === 'postgres') await dropSlot(name, sourceBase);
    await source.drop();
    await target.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  const plan = writePlan(dir, name, source.url, target.url, planOptions);
  return { source, target, name, plan, state: join(dir, `${name}.db`) };
}

/** `syncDatabases` with the workload's tables seeded on the source (`SyncWorkload`). */
export async function syncCase(
  engines: { source: Engine; target: Engine; sourceBase?: string },
  prefix: string,
  seed: number,
  cleanup: Array<() => Promise<void> | void>,
  planOptions: string[] = [],
): Promise<SyncCase> {
  const databases = await syncDatabases(engines, prefix, cleanup, planOptions);
  const workload = new SyncWorkload(engines.source, databases.source, seed, engines.sourceBase);
  cleanup.push(() => workload.close());
  await workload.seed();
  return { ...databases, workload };
}
