/**
 * `ferry cutover --read-only`: the source refuses the application's writes before the final
 * position is read, the target equals the source, and the printed statement makes the source
 * writable again. MariaDB's read_only is server-wide, so its case runs on the spare server (one
 * test file at a time holds it, DESIGN.md) with an application account that lacks READ ONLY ADMIN.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from '../helpers/cli.js';
import { expectSameData, readDatabase } from '../helpers/compare.js';
import { MYSQL_SPARE, mysqlQuery, PG_BASE, pgQuery } from '../helpers/servers.js';
import { lockSpareServers } from '../helpers/spare-lock.js';
import { type Engine, startRun, syncBegun, syncCase } from '../helpers/sync-run.js';
import { WORKLOAD_TABLES } from '../helpers/sync-workload.js';

const cleanup: Array<() => Promise<void> | void> = [];
let release: () => void = () => {};
beforeAll(async () => {
  release = await lockSpareServers();
});
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  release();
});

/** An application's connection to the source, opened before the cutover. */
interface AppSession {
  /** Inserts one row into `docs` on this session. */
  write(id: number): Promise<void>;
  /** Inserts one row on a session opened now. */
  writeFresh(id: number): Promise<void>;
  close(): Promise<void>;
}

/** An AppSession over a driver: `open` connects, `insert` writes row `id` of `docs`, `end` disconnects. */
async function appSession<C>(
  open: () => Promise<C>,
  insert: (connection: C, id: number) => Promise<unknown>,
  end: (connection: C) => Promise<unknown>,
): Promise<AppSession> {
  const app = await open();
  return {
    write: async (id) => {
      await insert(app, id);
    },
    writeFresh: async (id) => {
      const connection = await open();
      try {
        await insert(connection, id);
      } finally {
        await end(connection).catch(() => undefined);
      }
    },
    close: async () => {
      await end(app).catch(() => undefined);
    },
  };
}

const APP_INSERT = "INSERT INTO docs (id, title, body) VALUES (%, 'app', 'written by the app')";

function postgresApp(database: string): Promise<AppSession> {
  return appSession(
    async () => {
      const client = new pg.Client({
        connectionString: `${PG_BASE}/${database}`,
        application_name: 'shop-app',
      });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    },
    (client, id) => client.query(APP_INSERT.replace('%', '$1'), [id]),
    (client) => client.end(),
  );
}

async function mysqlApp(database: string): Promise<AppSession> {
  const user = `app_${database.slice(-8)}`;
  await mysqlQuery(undefined, `CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY 'app'`, [], MYSQL_SPARE);
  await mysqlQuery(undefined, `GRANT SELECT, INSERT ON \`${database}\`.* TO '${user}'@'%'`, [], MYSQL_SPARE);
  cleanup.push(async () => {
    await mysqlQuery(undefined, `DROP USER IF EXISTS '${user}'@'%'`, [], MYSQL_SPARE);
  });
  return appSession(
    () => mysql.createConnection({ uri: `${MYSQL_SPARE.replace('root@', `${user}:app@`)}/${database}` }),
    (connection, id) => connection.query(APP_INSERT.replace('%', '?'), [id]),
    (connection) => connection.end(),
  );
}

describe.each([
  ['postgres', 'mysql'],
  ['mysql', 'postgres'],
] as Array<[Engine, Engine]>)(
  'cutover --read-only from a %s source into %s',
  (sourceEngine, targetEngine) => {
    it('makes the source refuse writes before draining, and prints how to undo it', async () => {
      const { source, target, plan, state, workload } = await syncCase(
        {
          source: sourceEngine,
          target: targetEngine,
          ...(sourceEngine === 'mysql' ? { sourceBase: MYSQL_SPARE } : {}),
        },
        'syncro',
        77,
        cleanup,
      );
      if (sourceEngine === 'mysql') {
        // Whatever happens below, the shared spare server must not stay read-only.
        cleanup.push(async () => {
          await mysqlQuery(undefined, 'SET GLOBAL read_only = OFF', [], MYSQL_SPARE);
        });
      }
      const run = startRun(plan);
      cleanup.push(() => {
        run.child.kill('SIGKILL');
      });
      await syncBegun(state, run.exit);
      workload.start(50);
      await sleep(1000);
      await workload.stop();
      const app = sourceEngine === 'postgres' ? await postgresApp(source.name) : await mysqlApp(source.name);
      cleanup.push(() => app.close());
      await app.write(900_001);

      const cutover = await ferry([
        'cutover',
        plan,
        '--max-lag',
        '30',
        '--timeout',
        '180',
        '--read-only',
        '--json',
      ]);
      expect(cutover.status, cutover.stderr).toBe(0);
      const exit = await run.exit;
      expect(exit.status, exit.stderr.slice(-3000)).toBe(0);
      expect(exit.stderr).toContain('"step":"read-only"');
      const instructions = (JSON.parse(cutover.stdout) as { instructions: string[] }).instructions.join('\n');
      const undo =
        sourceEngine === 'postgres'
          ? `BEGIN READ WRITE; ALTER DATABASE "${source.name}" RESET default_transaction_read_only; COMMIT;`
          : 'SET GLOBAL read_only = OFF;';
      expect(instructions).toContain(undo);

      // The application's open session was ended (PostgreSQL) or refused (MariaDB); new ones are refused.
      await expect(app.write(900_002)).rejects.toThrow();
      await expect(app.writeFresh(900_003)).rejects.toThrow(/read.only/i);
      const tables = [...WORKLOAD_TABLES];
      expectSameData(await readDatabase(source.url, tables), await readDatabase(target.url, tables));

      if (sourceEngine === 'postgres') await pgQuery(source.name, undo);
      else await mysqlQuery(undefined, undo, [], MYSQL_SPARE);
      await app.writeFresh(900_004);
      expect((await ferry(['cleanup', plan])).status).toBe(0);
    });
  },
);
