/**
 * Adaptive throttling in a real copy: while another session holds the probe table locked, the
 * probe's latency passes `--max-load probe-seconds`, the copy stops taking batches, and it goes
 * on once the lock is released; the pause is counted with its reason and no row is lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { copyDatabase } from '../../src/engine/copy.js';
import type { Reporter } from '../../src/engine/events.js';
import {
  ENGINES,
  freshMysql,
  freshPostgres,
  freshSqlite,
  MYSQL_BASE,
  PG_BASE,
  type TestDatabase,
} from '../helpers/servers.js';

const ROWS = 4000;
const LOCK_SECONDS = 3;
const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

/** One session of another client of the source. */
interface Session {
  run(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

async function session(engine: 'postgres' | 'mysql', database: string): Promise<Session> {
  if (engine === 'postgres') {
    const client = new pg.Client({ connectionString: `${PG_BASE}/${database}` });
    await client.connect();
    return { run: (sql) => client.query(sql), end: () => client.end() };
  }
  const connection = await mysql.createConnection({ uri: `${MYSQL_BASE}/${database}` });
  return { run: (sql) => connection.query(sql), end: () => connection.end() };
}

const LOCKS = {
  postgres: { lock: ['BEGIN', 'LOCK TABLE probe IN ACCESS EXCLUSIVE MODE'], unlock: 'COMMIT' },
  mysql: { lock: ['LOCK TABLES probe WRITE'], unlock: 'UNLOCK TABLES' },
};

const servers = ENGINES.filter((engine): engine is 'postgres' | 'mysql' => engine !== 'sqlite');

describe.each(servers)('a copy from %s whose probe table gets locked', (engine) => {
  it('pauses while the probe is slow, resumes after, counts the pause and copies every row', async () => {
    const source = engine === 'postgres' ? await freshPostgres('load_src') : await freshMysql('load_src');
    const target = await freshSqlite('load_dst');
    cleanup.push(source, target);
    const setup = await session(engine, source.name);
    await setup.run('CREATE TABLE probe (id integer PRIMARY KEY)');
    await setup.run('CREATE TABLE reading (id integer PRIMARY KEY, value integer NOT NULL)');
    const values = Array.from({ length: ROWS }, (_, i) => `(${i + 1}, ${(i * 7) % 1000})`).join(', ');
    await setup.run(`INSERT INTO reading VALUES ${values}`);
    await setup.end();

    const locker = await session(engine, source.name);
    let locked: Promise<void> | undefined;
    let lockedAt = 0;
    let releasedAt = 0;
    const progressAt: number[] = [];
    const reporter: Reporter = {
      onTableProgress: (event) => {
        progressAt.push(performance.now());
        if (event.rows < 1000 || locked) return;
        locked = (async () => {
          for (const sql of LOCKS[engine].lock) await locker.run(sql);
          lockedAt = performance.now();
          await sleep(LOCK_SECONDS * 1000);
          releasedAt = performance.now();
          await locker.run(LOCKS[engine].unlock);
        })();
      },
    };
    // The rate limit stretches the copy over about three seconds, so the lock lands in the middle.
    const result = await copyDatabase({
      source: source.url,
      target: target.url,
      tables: ['reading'],
      batchRows: 100,
      maxRowsPerSecond: 1000,
      maxLoad: { 'probe-seconds': 0.2 },
      loadProbeTable: 'probe',
      reporters: [reporter],
    });
    await locked;
    await locker.end();

    expect(result.tables.map((t) => t.error?.message ?? t.status)).toEqual(['copied']);
    const load = result.throttle.byReason['source-load'];
    expect(load?.pauses).toBe(1);
    expect(load?.seconds).toBeGreaterThan(1);
    // The monitor samples every second and a probe times out at 0.4 s: from 1.5 s into the lock, no batch goes through until the release.
    const during = progressAt.filter((at) => at > lockedAt + 1500 && at < releasedAt);
    expect(during).toEqual([]);
    expect(progressAt.some((at) => at > releasedAt)).toBe(true);

    const copy = new Database(target.name, { readonly: true });
    expect(copy.prepare('SELECT count(*), sum(value) FROM reading').raw().get()).toEqual([
      ROWS,
      Array.from({ length: ROWS }, (_, i) => (i * 7) % 1000).reduce((a, b) => a + b, 0),
    ]);
    copy.close();
  });
});
