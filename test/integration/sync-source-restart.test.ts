/**
 * The source server restarts while `ferry run` streams its changes (the spare instances, one test
 * file at a time, DESIGN.md): Ferry reconnects, opens the stream again from what the target holds,
 * and the cutover finds the target equal to the source, every change there once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from '../helpers/cli.js';
import { expectSameData, readDatabase } from '../helpers/compare.js';
import { MYSQL_SPARE, PG_SPARE } from '../helpers/servers.js';
import { lockSpareServers } from '../helpers/spare-lock.js';
import { cutOver, type Engine, moneyOn, startRun, syncBegun, syncCase } from '../helpers/sync-run.js';
import { MONEY, WORKLOAD_TABLES } from '../helpers/sync-workload.js';

const cleanup: Array<() => Promise<void> | void> = [];
let release: () => void = () => {};
beforeAll(async () => {
  release = await lockSpareServers();
});
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  release();
});

/** Restarts the spare server of `engine`, cutting every session, and waits until it answers again. */
function restartSpare(engine: Engine): void {
  if (engine === 'postgres') {
    const [version] = readdirSync('/etc/postgresql');
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version!, 'spare', 'restart', '-m', 'fast'], {
      stdio: 'ignore',
    });
    return;
  }
  execFileSync('mariadb-admin', ['-uroot', '-h127.0.0.1', '-P3307', 'shutdown'], { stdio: 'ignore' });
  // A server started before the old one let go of its files and port fails at once.
  for (let tries = 0; tries < 240 && existsSync('/run/mysqld/mysqld-spare.pid'); tries++) {
    execFileSync('sleep', ['0.25']);
  }
  execFileSync(
    'start-stop-daemon',
    [
      '--start',
      '--oknodo',
      '--background',
      '--pidfile',
      '/run/mysqld/mysqld-spare.pid',
      '--exec',
      '/usr/sbin/mariadbd',
      '--',
      '--defaults-file=/etc/mysql/ferry-spare.cnf',
    ],
    { stdio: 'ignore' },
  );
  for (let tries = 0; tries < 120; tries++) {
    try {
      execFileSync('mariadb-admin', ['-uroot', '-h127.0.0.1', '-P3307', 'ping'], { stdio: 'ignore' });
      return;
    } catch {
      execFileSync('sleep', ['0.25']);
    }
  }
  throw new Error('the spare MariaDB did not come back');
}

describe.each([
  ['postgres', 'mysql'],
  ['mysql', 'postgres'],
] as Array<[Engine, Engine]>)(
  'sync from a %s source that restarts, into %s',
  (sourceEngine, targetEngine) => {
    it('reconnects and streams on from its position', async () => {
      const { source, target, plan, state, workload } = await syncCase(
        {
          source: sourceEngine,
          target: targetEngine,
          sourceBase: sourceEngine === 'postgres' ? PG_SPARE : MYSQL_SPARE,
        },
        'syncrestart',
        4242,
        cleanup,
      );
      const run = startRun(plan);
      cleanup.push(() => {
        run.child.kill('SIGKILL');
      });
      await syncBegun(state, run.exit);
      workload.start(100);
      await sleep(1500);
      await workload.stop();

      restartSpare(sourceEngine);
      await workload.reconnect();
      workload.start(100, { keepCounts: true });
      await sleep(2000);
      await workload.largeTransaction(0);
      await sleep(1000);
      await workload.stop();

      const exit = await cutOver(plan, run, 30);
      // The stream was cut by the restart and opened again, in the same process.
      expect(exit.stderr).toContain('"event":"sync.retry"');
      expect(exit.stderr.match(/"event":"sync.start"/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
      const tables = [...WORKLOAD_TABLES];
      expectSameData(await readDatabase(source.url, tables), await readDatabase(target.url, tables));
      expect(await moneyOn(targetEngine, target)).toBe(MONEY);
      const sync = JSON.parse(exit.stdout).sync;
      const applied = sync.progress.tables as Record<
        string,
        { inserts: number; updates: number; deletes: number }
      >;
      for (const [table, changed] of Object.entries(workload.changed)) {
        expect(applied[table], `changes applied to ${table}`).toEqual(changed);
      }
      expect((await ferry(['cleanup', plan])).status).toBe(0);
    });
  },
);
