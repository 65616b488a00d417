/**
 * `ferry run` killed with SIGKILL at seeded moments across the schema, data and index phases, and
 * started again each time: the target ends equal to the source value by value, with no duplicate
 * row, and the attempts together insert less than 1.5 × the rows of one clean run (counted on the
 * target, aborted inserts included). With a source that takes writes between kills, the run names
 * the tables it read across snapshots as not consistent and never claims otherwise.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createIndexes, createTables, fillStatements, rowCounts } from '../../bench/lib/dataset.mjs';
import { BENCH_TABLES, expectEachRowOnce } from '../helpers/bench-dataset.js';
import { expectSameData, readDatabase } from '../helpers/compare.js';
import { seededRandom } from '../helpers/seeded.js';
import { freshMysql, freshPostgres, mysqlQuery, pgQuery, type TestDatabase } from '../helpers/servers.js';

const SCALE = 0.01;
const TOTAL_ROWS = Object.values(rowCounts(SCALE)).reduce((a, b) => a + b, 0);
const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'ferry.js');
const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function seededSource(): Promise<TestDatabase> {
  const source = await freshMysql('crash_src');
  cleanup.push(() => source.drop());
  const statements = [
    ...createTables('mariadb'),
    ...fillStatements('mariadb', SCALE),
    ...Object.keys(rowCounts(SCALE)).flatMap((table) => createIndexes('mariadb', table)),
  ];
  for (const sql of statements) await mysqlQuery(source.name, sql);
  return source;
}

function writePlan(dir: string, source: string, target: string): string {
  const file = join(dir, 'crash.yaml');
  writeFileSync(
    file,
    [
      'name: crash',
      `source: ${source}`,
      `target: ${target}`,
      'mode: snapshot',
      'options:',
      '  parallel: 2',
      '  chunkRows: 200',
      '  maxRowsPerSecond: 1000',
      'verify: true',
      `state: ${join(dir, 'crash.db')}`,
      '',
    ].join('\n'),
  );
  return file;
}

interface Attempt {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** When to kill an attempt: `delayMs` after its stderr first shows any of `triggers`. */
interface KillMoment {
  triggers: string[];
  delayMs: number;
}

/** One `ferry run`, killed with SIGKILL at `kill` (never if undefined). */
function attempt(plan: string, kill?: KillMoment): Promise<Attempt> {
  return new Promise((done, fail) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'run', plan, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let armed = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (kill && !armed && kill.triggers.some((trigger) => stderr.includes(trigger))) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
      }
    });
    child.on('error', fail);
    child.on('close', (status, signal) => done({ status, signal, stdout, stderr }));
  });
}

/** Rows inserted into the target's tables by every attempt, committed or rolled back (PostgreSQL's statistics). */
async function rowsInserted(target: TestDatabase): Promise<number> {
  // Each backend flushes its statistics when it ends; the attempts' backends have ended by now.
  await sleep(1500);
  const rows = await pgQuery<{ inserted: string }>(
    target.name,
    `SELECT COALESCE(SUM(n_tup_ins), 0)::text AS inserted FROM pg_stat_user_tables WHERE relname IN ('customers', 'orders', 'events')`,
  );
  return Number(rows[0]!.inserted);
}

/**
 * The seeded kill moments: 2 in the schema phase (or, once the tables exist and a resumed attempt
 * has none to create, just as its data phase begins), 6 in the data phase, 2 in the index phase.
 */
function killMoments(random: () => number): KillMoment[] {
  return [
    ...Array.from({ length: 2 }, () => ({
      triggers: ['ferry: schema', 'ferry: data'],
      delayMs: Math.floor(random() * 15),
    })),
    // At 1000 rows a second (and one second of saved budget) six of these leave rows to copy.
    ...Array.from({ length: 6 }, () => ({
      triggers: ['ferry: data'],
      delayMs: 100 + Math.floor(random() * 600),
    })),
    ...Array.from({ length: 2 }, () => ({
      triggers: ['ferry: constraints'],
      delayMs: Math.floor(random() * 30),
    })),
  ];
}

describe('ferry run killed and resumed', () => {
  it('ten SIGKILLs across schema, data and index phases: exact target, no duplicate, < 1.5 × the rows', async () => {
    const source = await seededSource();
    const target = await freshPostgres('crash_to');
    cleanup.push(() => target.drop());
    const dir = mkdtempSync(join(tmpdir(), 'ferry-crash-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const plan = writePlan(dir, source.url, target.url);

    const killed: Attempt[] = [];
    for (const moment of killMoments(seededRandom(20261202))) {
      const run = await attempt(plan, moment);
      expect(run.signal, `attempt ${killed.length + 1} ended before its kill: ${run.stderr}`).toBe('SIGKILL');
      killed.push(run);
    }
    // The moments landed in every phase: tables created, rows copied, indexes built.
    const reached = (phase: string) => killed.filter((run) => run.stderr.includes(`ferry: ${phase}`)).length;
    expect(reached('schema')).toBeGreaterThan(0);
    expect(reached('constraints')).toBeGreaterThanOrEqual(2);
    const last = await attempt(plan);
    expect(last.status, last.stderr).toBe(0);
    const outcome = JSON.parse(last.stdout) as {
      ok: boolean;
      attempt?: number;
      alreadyFinished: boolean;
      consistency: Array<{ table: string; consistent: boolean }>;
      copy?: { verify?: { tables: Array<{ table: string; status: string }> } };
    };
    expect(outcome.ok).toBe(true);
    expect(outcome.alreadyFinished).toBe(false);
    expect(outcome.attempt).toBe(killed.length + 1);
    // A table read across attempts is not called consistent unless the source's log stood still;
    // either way it was verified equal.
    const equal = (outcome.copy?.verify?.tables ?? [])
      .filter((t) => t.status === 'equal')
      .map((t) => t.table);
    for (const table of outcome.consistency) expect(equal, table.table).toContain(table.table);

    // Value by value, and no key twice.
    const tables = [...BENCH_TABLES];
    expectSameData(await readDatabase(source.url, tables), await readDatabase(target.url, tables));
    await expectEachRowOnce(target, SCALE);
    const indexes = await pgQuery<{ indexname: string }>(
      target.name,
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('customers', 'orders', 'events') ORDER BY 1`,
    );
    expect(indexes.map((index) => index.indexname)).toEqual([
      'customers_email',
      'customers_pkey',
      'events_order',
      'events_pkey',
      'orders_customer',
      'orders_pkey',
      'orders_placed',
    ]);
    const inserted = await rowsInserted(target);
    expect(inserted).toBeGreaterThanOrEqual(TOTAL_ROWS);
    expect(inserted).toBeLessThan(1.5 * TOTAL_ROWS);
  }, 240_000);

  it('a source written between kills: the tables read across snapshots are reported not consistent', async () => {
    const source = await seededSource();
    const target = await freshPostgres('crash_w');
    cleanup.push(() => target.drop());
    const dir = mkdtempSync(join(tmpdir(), 'ferry-crash-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const plan = writePlan(dir, source.url, target.url);
    const random = seededRandom(7);

    let kills = 0;
    for (let i = 0; i < 4; i++) {
      const run = await attempt(plan, {
        triggers: ['ferry: data'],
        delayMs: 300 + Math.floor(random() * 600),
      });
      if (run.signal !== 'SIGKILL') break;
      kills++;
      // Every table changes between two attempts, so every table read across them has moved.
      await mysqlQuery(
        source.name,
        `UPDATE orders SET note = CONCAT('changed ', ${i}) WHERE id % 97 = ${i}; UPDATE customers SET name = CONCAT(name, '!') WHERE id % 89 = ${i}; UPDATE events SET kind = 'changed' WHERE id % 83 = ${i}`,
      );
    }
    expect(kills).toBeGreaterThanOrEqual(1);
    const last = await attempt(plan);
    const outcome = JSON.parse(last.stdout) as {
      ok: boolean;
      consistency: Array<{ table: string; consistent: boolean; snapshots: number }>;
      copy?: { verify?: { tables: Array<{ table: string; status: string }> } };
    };
    expect(outcome.consistency.length).toBe(3);
    for (const table of outcome.consistency) {
      // Read at more than one snapshot, with writes in between: never called consistent.
      if (table.snapshots > 1) expect(table.consistent, table.table).toBe(false);
    }
    const unsure = outcome.consistency.filter((table) => !table.consistent).map((table) => table.table);
    expect(unsure.length).toBeGreaterThan(0);
    // Those tables were verified, and the verify sees what changed after their first snapshot.
    const verified = outcome.copy?.verify?.tables.map((table) => table.table) ?? [];
    for (const table of unsure) expect(verified).toContain(table);
    expect(last.stdout).toContain('"consistent": false');
    expect(outcome.ok).toBe(false);
    expect(last.status).toBe(1);
  }, 240_000);
});
