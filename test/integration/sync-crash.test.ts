import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../src/connectors/registry.js';
import { ferry } from '../helpers/cli.js';
import { expectSameData, readDatabase } from '../helpers/compare.js';
import { seededRandom } from '../helpers/seeded.js';
import { mysqlQuery, pgQuery, type TestDatabase } from '../helpers/servers.js';
import {
  cutOver,
  type Engine,
  type Exit,
  moneyOn,
  startRun,
  syncBegun,
  syncCase,
} from '../helpers/sync-run.js';
import { MONEY, WORKLOAD_TABLES } from '../helpers/sync-workload.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

/**
 * Holds a lock on the target's `bulk` table from a connection of the test's own, so that the
 * applier's transaction that writes it stops inside, begun and not committed. Returns the release.
 */
async function lockBulk(engine: Engine, target: TestDatabase): Promise<() => Promise<void>> {
  if (engine === 'postgres') {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE bulk IN SHARE MODE');
    return async () => {
      await client.query('COMMIT');
      await client.end();
    };
  }
  const connection = await mysql.createConnection({ uri: target.url });
  await connection.query('LOCK TABLES bulk READ');
  return async () => {
    await connection.query('UNLOCK TABLES');
    await connection.end();
  };
}

/** Whether a target session waits for the `bulk` lock: the applier is inside the large transaction. */
async function applierWaitsOnBulk(engine: Engine, target: TestDatabase): Promise<boolean> {
  if (engine === 'postgres') {
    const rows = await pgQuery<{ n: string }>(
      target.name,
      `SELECT count(*) AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
       WHERE c.relname = 'bulk' AND NOT l.granted`,
    );
    return Number(rows[0]?.n) > 0;
  }
  const rows = (await mysqlQuery(
    target.name,
    `SELECT COUNT(*) AS n FROM information_schema.processlist
     WHERE db = DATABASE() AND state LIKE 'Waiting for table%'`,
  )) as Array<{ n: string | number }>;
  return Number(rows[0]?.n) > 0;
}

/** The per-table counts of changes the target holds for the stream, through Ferry's own applier. */
async function appliedCounts(url: string, stream: string) {
  const target = await createConnector(url);
  await target.connect();
  try {
    const applier = await target.openApplier!({ stream });
    try {
      return await applier.counts();
    } finally {
      await applier.close();
    }
  } finally {
    await target.close();
  }
}

describe.each([
  ['postgres', 'mysql'],
  ['mysql', 'postgres'],
] as Array<[Engine, Engine]>)('sync from %s into %s, killed', (sourceEngine, targetEngine) => {
  it('resumes exactly after SIGKILLs, one in the middle of a large transaction', async () => {
    const { source, target, name, plan, state, workload } = await syncCase(
      { source: sourceEngine, target: targetEngine },
      'synckill',
      777,
      cleanup,
    );
    let run = startRun(plan);
    cleanup.push(() => {
      run.child.kill('SIGKILL');
    });
    await syncBegun(state, run.exit);
    // Every change the workload makes from here on comes through the stream.
    workload.start(100);

    const random = seededRandom(20261202);
    const killed: Exit[] = [];
    const killAndRestart = async () => {
      run.child.kill('SIGKILL');
      killed.push(await run.exit);
      const restarted = Date.now();
      run = startRun(plan);
      await syncBegun(state, run.exit, restarted);
    };
    for (let kill = 0; kill < 3; kill++) {
      await sleep(300 + Math.floor(random() * 1200));
      await killAndRestart();
    }

    // One kill while the 100 000-row transaction is being applied: begun on the target, waiting
    // on a lock the test holds, so the kill lands inside it whatever the timing.
    const release = await lockBulk(targetEngine, target);
    await workload.largeTransaction(0);
    let caught = false;
    for (let waited = 0; waited < 30_000 && !caught; waited += 50) {
      caught = await applierWaitsOnBulk(targetEngine, target);
      if (!caught) await sleep(50);
    }
    expect(
      caught,
      `the applier was seen inside the large transaction; run: ${run.stderr().slice(-3000)}`,
    ).toBe(true);
    run.child.kill('SIGKILL');
    await release();
    run.child.kill('SIGKILL');
    await killAndRestart();
    await sleep(500 + Math.floor(random() * 1000));
    await killAndRestart();
    await sleep(1000);
    await workload.stop();

    await cutOver(plan, run, 30);
    expect(killed.every((attempt) => attempt.status === null)).toBe(true);
    expect(killed).toHaveLength(5);

    const tables = [...WORKLOAD_TABLES];
    expectSameData(await readDatabase(source.url, tables), await readDatabase(target.url, tables));
    expect(await moneyOn(targetEngine, target)).toBe(MONEY);
    // Exactly once: the target counted, in the transactions that applied them, as many changes as the source made.
    const counts = await appliedCounts(target.url, name);
    expect(workload.changed.bulk?.inserts).toBe(100_000);
    for (const [table, changed] of Object.entries(workload.changed)) {
      expect(counts[table], `changes applied to ${table}`).toEqual(changed);
    }
    expect(Object.keys(counts).sort()).toEqual(Object.keys(workload.changed).sort());
    expect((await ferry(['cleanup', plan])).status).toBe(0);
  });

  it('heals a copy killed midway: the stream replays from the first snapshot over what was copied later', async () => {
    // Slow enough that the kill lands between the copy's chunks, while the source keeps changing.
    const { source, target, plan, state, workload } = await syncCase(
      { source: sourceEngine, target: targetEngine },
      'synchealed',
      99,
      cleanup,
      ['  maxRowsPerSecond: 150'],
    );
    workload.start(100);
    let run = startRun(plan);
    cleanup.push(() => {
      run.child.kill('SIGKILL');
    });
    for (let waited = 0; !run.stderr().includes('"event":"chunk.done"'); waited += 50) {
      if (waited > 60_000) throw new Error(`no chunk was copied: ${run.stderr().slice(-2000)}`);
      await sleep(50);
    }
    await sleep(300);
    run.child.kill('SIGKILL');
    const killed = await run.exit;
    expect(killed.stderr).not.toContain('"event":"sync.start"');
    run = startRun(plan);
    await syncBegun(state, run.exit);
    await sleep(1500);
    await workload.stop();

    const exit = await cutOver(plan, run, 30);
    const outcome = JSON.parse(exit.stdout);
    // The second attempt read what the first had not copied at a later snapshot; the stream healed it.
    expect(outcome.attempt).toBe(2);
    const tables = [...WORKLOAD_TABLES];
    expectSameData(await readDatabase(source.url, tables), await readDatabase(target.url, tables));
    expect(await moneyOn(targetEngine, target)).toBe(MONEY);
    expect((await ferry(['cleanup', plan])).status).toBe(0);
  });
});
