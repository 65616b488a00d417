import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ferry } from '../helpers/cli.js';
import { expectSameData, readDatabase } from '../helpers/compare.js';
import { pgQuery } from '../helpers/servers.js';
import { cutOver, type Engine, moneyOn, startRun, syncBegun, syncCase } from '../helpers/sync-run.js';
import { MONEY, WORKLOAD_TABLES } from '../helpers/sync-workload.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

describe.each([
  ['postgres', 'mysql'],
  ['mysql', 'postgres'],
] as Array<[Engine, Engine]>)('sync from %s into %s', (sourceEngine, targetEngine) => {
  it('applies a live write load exactly, keeping the money sum at every sampled moment, and cuts over', async () => {
    const { source, target, name, plan, state, workload } = await syncCase(
      { source: sourceEngine, target: targetEngine },
      'syncload',
      20261202,
      cleanup,
    );
    workload.start();
    await sleep(500);

    const run = startRun(plan);
    cleanup.push(() => {
      run.child.kill('SIGKILL');
    });
    await syncBegun(state, run.exit);

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
