/**
 * Adaptive throttling against the real servers: with the probe table locked from another session
 * the probe stalls, the load monitor holds the run's batches, and once the lock goes they flow
 * again; the pause is counted once and names probe latency. sampleLoad also reports each engine's
 * own figures as numbers that follow what the test does to the server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/connector.js';
import { createConnector } from '../../src/connectors/registry.js';
import { parseConnectionUrl } from '../../src/connectors/url.js';
import { LoadMonitor } from '../../src/engine/load-monitor.js';
import { Throttle, type ThrottlePause } from '../../src/engine/throttle.js';
import { DatabaseError } from '../../src/errors.js';
import {
  freshMysql,
  freshPostgres,
  freshSqlite,
  MYSQL_BASE,
  PG_BASE,
  type TestDatabase,
} from '../helpers/servers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** A session of its own on the test database, as another client of the source would have. */
interface Other {
  run(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

async function other(engine: 'mysql' | 'postgres', database: string): Promise<Other> {
  if (engine === 'postgres') {
    const client = new pg.Client({ connectionString: `${PG_BASE}/${database}` });
    await client.connect();
    client.on('error', () => {});
    return { run: (sql) => client.query(sql), end: () => client.end() };
  }
  const connection = await mysql.createConnection({
    uri: `${MYSQL_BASE}/${database}`,
    multipleStatements: true,
  });
  return { run: (sql) => connection.query(sql), end: () => connection.end() };
}

const ENGINES = {
  mysql: {
    fresh: freshMysql,
    lock: ['LOCK TABLES probe WRITE'],
    unlock: 'UNLOCK TABLES',
  },
  postgres: {
    fresh: freshPostgres,
    lock: ['BEGIN', 'LOCK TABLE probe IN ACCESS EXCLUSIVE MODE'],
    unlock: 'COMMIT',
  },
} as const;

async function source(db: TestDatabase): Promise<Connector> {
  const connector = await createConnector(parseConnectionUrl(db.url, 'source'));
  await connector.connect();
  cleanups.push(() => connector.close());
  return connector;
}

async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await sleep(10);
  }
}

describe.each(['mysql', 'postgres'] as const)('adaptive throttling on %s', (engine) => {
  const setup = async () => {
    const db = await ENGINES[engine].fresh('load');
    cleanups.push(() => db.drop());
    const admin = await other(engine, db.name);
    cleanups.push(() => admin.end());
    await admin.run('CREATE TABLE probe (id INT PRIMARY KEY)');
    await admin.run('INSERT INTO probe VALUES (1)');
    return { db, admin, connector: await source(db) };
  };

  it('pauses the batches while the probe table is locked and resumes when it is released', async () => {
    const { db, connector } = await setup();
    const pauses: ThrottlePause[] = [];
    const overloads: string[] = [];
    const throttle = new Throttle({}, (pause) => pauses.push(pause));
    const monitor = new LoadMonitor(connector, {
      limits: { 'probe-seconds': 0.2 },
      probeTable: 'probe',
      intervalSeconds: 0.05,
      onOverload: (detail) => overloads.push(detail),
    });
    throttle.watchLoad(monitor);
    await monitor.start();
    cleanups.push(() => monitor.stop());

    // A stand-in for the copy: batch after batch through the throttle, noting when each passed.
    const passed: number[] = [];
    let copying = true;
    const copy = (async () => {
      while (copying) {
        await throttle.admit(100, 10_000, 'items');
        passed.push(performance.now());
        await sleep(10);
      }
    })();

    await sleep(200);
    expect(passed.length).toBeGreaterThan(5);
    const locker = await other(engine, db.name);
    cleanups.push(() => locker.end());
    for (const sql of ENGINES[engine].lock) await locker.run(sql);
    await until(() => monitor.overloaded, 3000);
    const heldSince = performance.now();
    const passedWhenHeld = passed.length;

    // Held for 1.2 s: the pause begins with the first batch to meet the closed gate (up to one
    // batch after the overload), so a pause of over 1 s needs the lock to outlast 1 s by more.
    await sleep(1200);
    // At most the batch that was already past the gate when the overload began.
    expect(passed.length - passedWhenHeld).toBeLessThanOrEqual(1);
    await locker.run(ENGINES[engine].unlock);
    await until(() => passed.length > passedWhenHeld + 5, 3000);
    copying = false;
    await copy;
    await monitor.stop();

    // Batches flowed before, stopped for the whole lock, and flowed after.
    const gap = Math.max(...passed.slice(1).map((at, i) => at - passed[i]!));
    expect(gap).toBeGreaterThan(1000);
    expect(passed.at(-1)!).toBeGreaterThan(heldSince + 1000);
    // One overload, one pause, counted and named by probe latency (the blocked probe reports its timeout, 0.4 s).
    expect(overloads).toHaveLength(1);
    expect(throttle.stats.byReason['source-load']?.pauses).toBe(1);
    expect(throttle.stats.pauses).toBe(1);
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toMatchObject({ table: 'items', reason: 'source-load' });
    expect(pauses[0]!.detail).toMatch(/^probe-seconds 0\.4\d* > 0\.2$/);
    expect(pauses[0]!.seconds).toBeGreaterThan(1);
    expect(pauses[0]!.seconds).toBeLessThan(3);
  });

  it('cancels a blocked probe at its timeout and keeps sampling afterwards', async () => {
    const { db, connector } = await setup();
    const locker = await other(engine, db.name);
    cleanups.push(() => locker.end());
    for (const sql of ENGINES[engine].lock) await locker.run(sql);
    const blocked = await connector.sampleLoad({ table: 'probe', timeoutSeconds: 0.3 });
    expect(blocked.probeSeconds).toBeGreaterThanOrEqual(0.3);
    expect(blocked.probeSeconds).toBeLessThan(2);
    await locker.run(ENGINES[engine].unlock);
    const free = await connector.sampleLoad({ table: 'probe', timeoutSeconds: 0.3 });
    expect(free.probeSeconds).toBeLessThan(0.2);
  });

  it('fails plainly when the probe table does not exist', async () => {
    const { connector } = await setup();
    await expect(connector.sampleLoad({ table: 'no_such_table' })).rejects.toThrow(DatabaseError);
    await expect(connector.sampleLoad({ table: 'no_such_table' })).rejects.toThrow(/no_such_table/);
    // And the sampler recovers for the next sample.
    expect((await connector.sampleLoad()).probeSeconds).toBeLessThan(1);
  });
});

describe('sampleLoad figures', () => {
  it('MariaDB: threads-running and an InnoDB history length that an open snapshot makes grow', async () => {
    const db = await freshMysql('load');
    cleanups.push(() => db.drop());
    const writer = await other('mysql', db.name);
    const reader = await other('mysql', db.name);
    cleanups.push(
      () => writer.end(),
      () => reader.end(),
    );
    await writer.run(
      'CREATE TABLE counter (id INT PRIMARY KEY, n INT) ENGINE=InnoDB; INSERT INTO counter VALUES (1, 0)',
    );
    const connector = await source(db);

    // An old snapshot stops purge: every update after it leaves an undo record in the history list.
    await reader.run('START TRANSACTION WITH CONSISTENT SNAPSHOT; SELECT * FROM counter');
    for (let i = 0; i < 300; i++) await writer.run('UPDATE counter SET n = n + 1');
    const sample = await connector.sampleLoad();
    await reader.run('COMMIT');

    expect(sample.probeSeconds).toBeLessThan(1);
    expect(Number.isInteger(sample.metrics['threads-running'])).toBe(true);
    // The sampling statement itself is running.
    expect(sample.metrics['threads-running']).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(sample.metrics['history-length'])).toBe(true);
    expect(sample.metrics['history-length']).toBeGreaterThanOrEqual(300);
    // This test server replicates from nobody: no lag figure rather than a made-up 0.
    expect(sample.metrics['replication-lag']).toBeUndefined();
  });

  it('PostgreSQL: active backends of this database and the xmin age an open snapshot holds back', async () => {
    const db = await freshPostgres('load');
    cleanups.push(() => db.drop());
    const busy = await other('postgres', db.name);
    const reader = await other('postgres', db.name);
    const writer = await other('postgres', db.name);
    cleanups.push(
      () => busy.end(),
      () => reader.end(),
      () => writer.end(),
    );
    await writer.run('CREATE TABLE counter (id INT PRIMARY KEY, n INT)');
    await writer.run('INSERT INTO counter VALUES (1, 0)');
    const connector = await source(db);

    await reader.run('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await reader.run('SELECT * FROM counter');
    // Each committed update is one transaction id further from the reader's snapshot.
    for (let i = 0; i < 50; i++) await writer.run('UPDATE counter SET n = n + 1');
    const sleeping = busy.run('SELECT pg_sleep(1.5)');
    await sleep(200);
    const sample = await connector.sampleLoad();
    await sleeping;
    await reader.run('COMMIT');

    expect(sample.probeSeconds).toBeLessThan(1);
    expect(Number.isInteger(sample.metrics['active-backends'])).toBe(true);
    expect(sample.metrics['active-backends']).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(sample.metrics['xmin-age'])).toBe(true);
    expect(sample.metrics['xmin-age']).toBeGreaterThanOrEqual(50);
    expect(sample.metrics['replication-lag']).toBeUndefined();

    const after = await connector.sampleLoad();
    expect(after.metrics['active-backends']).toBe(0);
  });

  it('SQLite: the probe only', async () => {
    const db = await freshSqlite('load');
    cleanups.push(() => db.drop());
    const file = new Database(db.name);
    file.exec('CREATE TABLE probe (id INTEGER PRIMARY KEY); INSERT INTO probe VALUES (1)');
    file.close();
    const connector = await source(db);
    const sample = await connector.sampleLoad({ table: 'probe' });
    expect(sample.probeSeconds).toBeLessThan(0.5);
    expect(sample.metrics).toEqual({});
    await expect(connector.sampleLoad({ table: 'missing' })).rejects.toThrow(DatabaseError);
  });
});
