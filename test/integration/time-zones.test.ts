/**
 * DESIGN.md / issue rule: sessions on both sides are pinned to UTC, so neither the servers' time
 * zone nor the machine's changes a value. This file sets both to Europe/Berlin (on the spare
 * instances, so no other test sees it) and copies values around both 2021 DST changes — including
 * a wall-clock time that does not exist in Berlin and two instants that share one Berlin wall
 * clock — through every engine pair that has a server, and into SQLite.
 */

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from '../helpers/cli.js';
import {
  freshMysql,
  freshPostgres,
  freshSqlite,
  MYSQL_SPARE,
  mysqlQuery,
  PG_SPARE,
  pgQuery,
  type TestDatabase,
} from '../helpers/servers.js';
import { lockSpareServers } from '../helpers/spare-lock.js';

const ZONE = 'Europe/Berlin';
// UTC instants: 01:30 UTC on 28 March is 03:30 Berlin (just after the gap); 00:30 and 01:30 UTC on
// 31 October are both 02:30 Berlin (the repeated hour).
const INSTANTS = ['2021-03-28 01:30:00.000001', '2021-10-31 00:30:00.5', '2021-10-31 01:30:00.25'];
// Wall-clock values without zone, one inside Berlin's spring-forward gap.
const WALL_CLOCK = ['2021-03-28 02:30:00', '2021-10-31 02:30:00.123456', '1969-12-31 23:59:59.999999'];

const cleanup: TestDatabase[] = [];
let releaseSpares: () => void = () => {};
beforeAll(async () => {
  releaseSpares = await lockSpareServers();
  await pgQuery('postgres', `ALTER SYSTEM SET timezone = '${ZONE}'`, [], PG_SPARE);
  await pgQuery('postgres', 'SELECT pg_reload_conf()', [], PG_SPARE);
  await mysqlQuery(undefined, `SET GLOBAL time_zone = '${ZONE}'`, [], MYSQL_SPARE);
  // The premise: a fresh session on each spare server now runs in Berlin time.
  expect(await pgQuery('postgres', 'SHOW timezone', [], PG_SPARE)).toEqual([{ TimeZone: ZONE }]);
  expect(await mysqlQuery(undefined, 'SELECT @@time_zone AS tz', [], MYSQL_SPARE)).toEqual([{ tz: ZONE }]);
});
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
  await pgQuery('postgres', 'ALTER SYSTEM RESET timezone', [], PG_SPARE);
  await pgQuery('postgres', 'SELECT pg_reload_conf()', [], PG_SPARE);
  await mysqlQuery(undefined, "SET GLOBAL time_zone = 'SYSTEM'", [], MYSQL_SPARE);
  releaseSpares();
});

async function mysqlSource(): Promise<TestDatabase> {
  const db = await freshMysql('tz_src', MYSQL_SPARE);
  cleanup.push(db);
  const rows = INSTANTS.map((instant, i) => `(${i + 1}, '${WALL_CLOCK[i]}', '${instant}')`).join(', ');
  await mysqlQuery(
    db.name,
    `SET time_zone = '+00:00';
     CREATE TABLE moments (id INT PRIMARY KEY, wall DATETIME(6) NOT NULL, instant TIMESTAMP(6) NULL);
     INSERT INTO moments VALUES ${rows};`,
    [],
    MYSQL_SPARE,
  );
  return db;
}

async function postgresSource(): Promise<TestDatabase> {
  const db = await freshPostgres('tz_src', PG_SPARE);
  cleanup.push(db);
  const rows = INSTANTS.map((instant, i) => `(${i + 1}, '${WALL_CLOCK[i]}', '${instant}+00')`).join(', ');
  await pgQuery(
    db.name,
    `CREATE TABLE moments (id integer PRIMARY KEY, wall timestamp(6) NOT NULL, instant timestamptz(6));
     INSERT INTO moments VALUES ${rows};`,
    [],
    PG_SPARE,
  );
  return db;
}

/** The table's rows read back in UTC with the engine's own client, as `wall|instant` text. */
async function readUtc(engine: 'postgres' | 'mysql' | 'sqlite', db: TestDatabase): Promise<string[]> {
  if (engine === 'postgres') {
    const rows = await pgQuery<{ v: string }>(
      db.name,
      "SELECT to_char(wall, 'YYYY-MM-DD HH24:MI:SS.US') || '|' || to_char(instant AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS v FROM moments ORDER BY id",
      [],
      PG_SPARE,
    );
    return rows.map((r) => r.v);
  }
  if (engine === 'mysql') {
    const result = (await mysqlQuery(
      db.name,
      "SET time_zone = '+00:00'; SELECT CONCAT(DATE_FORMAT(wall, '%Y-%m-%d %H:%i:%s.%f'), '|', DATE_FORMAT(instant, '%Y-%m-%d %H:%i:%s.%f')) AS v FROM moments ORDER BY id",
      [],
      MYSQL_SPARE,
    )) as [unknown, Array<{ v: string }>];
    return result[1].map((r) => r.v);
  }
  const sqlite = new Database(db.name, { readonly: true });
  try {
    const rows = sqlite.prepare('SELECT wall, instant FROM moments ORDER BY id').all() as Array<{
      wall: string;
      instant: string;
    }>;
    return rows.map((r) => `${pad(r.wall)}|${pad(r.instant)}`);
  } finally {
    sqlite.close();
  }
}

/** `2021-10-31 00:30:00.5` → `2021-10-31 00:30:00.500000`, the form the servers print above. */
function pad(text: string): string {
  const [whole, fraction = ''] = text.split('.');
  return `${whole}.${fraction.padEnd(6, '0')}`;
}

const EXPECTED = INSTANTS.map((instant, i) => `${pad(WALL_CLOCK[i]!)}|${pad(instant)}`);

describe(`copies with the servers and the process in ${ZONE}`, () => {
  const sources = { mysql: mysqlSource, postgres: postgresSource };
  const targets = {
    mysql: () => freshMysql('tz_dst', MYSQL_SPARE),
    postgres: () => freshPostgres('tz_dst', PG_SPARE),
    sqlite: () => freshSqlite('tz_dst'),
  };
  for (const sourceEngine of ['mysql', 'postgres'] as const) {
    for (const targetEngine of ['mysql', 'postgres', 'sqlite'] as const) {
      it(`${sourceEngine} → ${targetEngine}: no value moves`, async () => {
        const source = await sources[sourceEngine]();
        expect(await readUtc(sourceEngine, source)).toEqual(EXPECTED);
        const target = await targets[targetEngine]();
        cleanup.push(target);
        const run = await ferry(['copy', source.url, target.url], { env: { TZ: ZONE } });
        expect(run.stderr).not.toMatch(/error/);
        expect(run.status).toBe(0);
        expect(await readUtc(targetEngine, target)).toEqual(EXPECTED);
      });
    }
  }
});
