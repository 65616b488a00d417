/**
 * `mode: sync` end to end, for each source engine with a change log: a seeded write load runs
 * before, during and after the snapshot (transfers that keep a sum, inserts, updates, deletes,
 * primary-key changes, multi-statement transactions, an update beside a large text value, one
 * transaction of 100 000 rows); `ferry run` copies and streams, `ferry cutover` drains. The target
 * ends equal to the source value by value, and the accounts' sum holds at every moment sampled on
 * the target while changes were being applied.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ferry } from '../helpers/cli.js';
import { expectSameData, readDatabase } from '../helpers/compare.js';
import { pgQuery } from '../helpers/servers.js';
import {
  cutOver,
  dropSlot,
  type Engine,
  fresh,
  moneyOn,
  startRun,
  syncBegun,
  writePlan,
} from '../helpers/sync-run.js';
import { MONEY, SyncWorkload, WORKLOAD_TABLES } from '../helpers/sync-workload.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

describe.each([
  ['postgres', 'mysql'],
  ['mysql', 'postgres'],
] as Array<[Engine, Engine]>)('sync from %s into %s', (sourceEngine, targetEngine) => {
  it('applies a live write load exactly, keeping the money sum at every sampled moment, and cuts over', async () => {
    const source = await fresh(sourceEngine, 'sync_src');
    const target = await fresh(targetEngine, 'sync_dst');
    const dir = mkdtempSync(join(tmpdir(), 'ferry-sync-'));
    const name = `syncload_${source.name.slice(-8)}`;
    cleanup.push(async () => {
      if (sourceEngine === 'postgres') await dropSlot(name);
      await source.drop();
      await target.drop();
      rmSync(dir, { recursive: true, force: true });
    });
    const workload = new SyncWorkload(sourceEngine, source, 20261202);
    cleanup.push(() => workload.close());
    await workload.seed();
    workload.start();
    await sleep(500);

    const plan = writePlan(dir, name, source.url, target.url);
    const run = startRun(plan);
    cleanup.push(() => {
      run.child.kill('SIGKILL');
    });
    await syncBegun(join(dir, `${name}.db`), run.exit);

    // While changes apply, every committed target state holds the whole sum.
    let sampling = true;
    const samples: number[] = [];
    const sampler = (async () => {
      while (sampling) {
        samples.push(await moneyOn(targetEngine, target));
        await sleep(100);
      }
    })();
    await sleep(1500);
    await workload.largeTransaction(0);
    await workload.touchLargeRow();
    await sleep(1500);
    await workload.stop();

    const exit = await cutOver(plan, run, 10);
    sampling = false;
    await sampler;
    expect(JSON.parse(exit.stdout).ok).toBe(true);

    expect(workload.committed).toBeGreaterThan(200);
    expect(samples.length).toBeGreaterThan(10);
    expect(new Set(samples)).toEqual(new Set([MONEY]));
    expect(await moneyOn(targetEngine, target)).toBe(MONEY);
    const tables = [...WORKLOAD_TABLES];
    expectSameData(await readDatabase(source.url, tables), await readDatabase(target.url, tables));

    const cleaned = await ferry(['cleanup', plan]);
    expect(cleaned.status, cleaned.stderr).toBe(0);
    if (sourceEngine === 'postgres') {
      const slots = await pgQuery('postgres', 'SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE $1', [
        `%${name}%`,
      ]);
      expect(slots).toEqual([]);
    }
  });
});
