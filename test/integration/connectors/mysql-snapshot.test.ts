/**
 * The MariaDB connector's consistent snapshot against the real server: reads of two tables ignore
 * changes committed after openSnapshot until releaseSnapshot, the binlog position is recorded, and
 * a lost reader connection (one of several too), a missing RELOAD privilege or a held lock fail
 * loudly.
 */
import mysql from 'mysql2/promise';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createMysqlConnector, type MysqlConnector } from '../../../src/connectors/mysql/index.js';
import { MysqlSession } from '../../../src/connectors/mysql/session.js';
import { MysqlSnapshot } from '../../../src/connectors/mysql/snapshot.js';
import { parseConnectionUrl } from '../../../src/connectors/url.js';
import { DatabaseError } from '../../../src/errors.js';
import type { Table } from '../../../src/schema/table.js';
import type { Row } from '../../../src/values/canonical.js';
import { freshMysql, MYSQL_BASE, mysqlQuery, type TestDatabase } from '../../helpers/servers.js';

const BATCH = { batchRows: 2, batchBytes: 1 << 20 };

const SCHEMA = `
CREATE TABLE accounts (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, balance DECIMAL(10,2) NOT NULL) ENGINE=InnoDB;
CREATE TABLE orders (id INT PRIMARY KEY, account_id INT NOT NULL, amount DECIMAL(10,2) NOT NULL) ENGINE=InnoDB;
INSERT INTO accounts VALUES (1, 'ada', 10.00), (2, 'bob', 20.00), (3, 'cy', 30.00);
INSERT INTO orders VALUES (1, 1, 1.50), (2, 2, 2.50), (3, 3, 3.50);`;

/** One committed transaction that updates, inserts and deletes in both tables. */
const CHANGES = `
START TRANSACTION;
UPDATE accounts SET balance = 99.00 WHERE id = 1;
INSERT INTO accounts VALUES (4, 'dee', 40.00);
DELETE FROM accounts WHERE id = 3;
UPDATE orders SET amount = 9.99 WHERE id = 2;
INSERT INTO orders VALUES (4, 4, 4.50);
DELETE FROM orders WHERE id = 1;
COMMIT;`;

const ACCOUNTS_BEFORE: Row[] = [
  [1n, 'ada', '10.00'],
  [2n, 'bob', '20.00'],
  [3n, 'cy', '30.00'],
];
const ORDERS_BEFORE: Row[] = [
  [1n, 1n, '1.50'],
  [2n, 2n, '2.50'],
  [3n, 3n, '3.50'],
];
const ACCOUNTS_AFTER: Row[] = [
  [1n, 'ada', '99.00'],
  [2n, 'bob', '20.00'],
  [4n, 'dee', '40.00'],
];
const ORDERS_AFTER: Row[] = [
  [2n, 2n, '9.99'],
  [3n, 3n, '3.50'],
  [4n, 4n, '4.50'],
];

const databases: TestDatabase[] = [];
const connectors: MysqlConnector[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  await Promise.all(connectors.map((connector) => connector.close()));
  await Promise.all(databases.map((database) => database.drop()));
});

async function readAll(connector: MysqlConnector, table: Table): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of connector.read(table, BATCH)) rows.push(...batch.rows);
  return rows;
}

describe('MariaDB connector: consistent snapshot', () => {
  let database: TestDatabase;
  let connector: MysqlConnector;
  let accounts: Table;
  let orders: Table;

  beforeEach(async () => {
    database = await freshMysql('snap');
    databases.push(database);
    await mysqlQuery(database.name, SCHEMA);
    connector = createMysqlConnector(parseConnectionUrl(database.url)) as MysqlConnector;
    connectors.push(connector);
    await connector.connect();
    const schema = await connector.introspect();
    accounts = schema.tables.find((table) => table.name === 'accounts')!;
    orders = schema.tables.find((table) => table.name === 'orders')!;
  });

  it('reads both tables as of the snapshot until it is released', async () => {
    const snapshot = await connector.openSnapshot();
    expect(snapshot.position?.file).toMatch(/\S/);
    expect(snapshot.position?.position).toMatch(/^\d+$/);
    expect(new Date(snapshot.takenAt).toISOString()).toBe(snapshot.takenAt);

    await mysqlQuery(database.name, CHANGES);
    expect(await mysqlQuery(database.name, 'SELECT COUNT(*) AS n FROM accounts WHERE id = 4')).toEqual([
      { n: '1' },
    ]);

    expect(await readAll(connector, accounts)).toEqual(ACCOUNTS_BEFORE);
    expect(await readAll(connector, orders)).toEqual(ORDERS_BEFORE);
    // A second read of the same table still sees the snapshot.
    expect(await readAll(connector, accounts)).toEqual(ACCOUNTS_BEFORE);

    await connector.releaseSnapshot();
    await connector.releaseSnapshot();
    expect(await readAll(connector, accounts)).toEqual(ACCOUNTS_AFTER);
    expect(await readAll(connector, orders)).toEqual(ORDERS_AFTER);
  });

  it('records a binlog position that later commits move past', async () => {
    const first = await connector.openSnapshot();
    await connector.releaseSnapshot();
    await mysqlQuery(database.name, CHANGES);
    const second = await connector.openSnapshot();
    await connector.releaseSnapshot();
    const order = (position: Record<string, string> | undefined) =>
      [position?.file ?? '', Number(position?.position)] as const;
    const [fileA, posA] = order(first.position);
    const [fileB, posB] = order(second.position);
    expect(fileB > fileA || (fileB === fileA && posB > posA)).toBe(true);
    if (second.position?.gtid !== undefined) expect(second.position.gtid).toMatch(/^\d+-\d+-\d+/);
  });

  it('fails the next read, never reads current data, when the reader connection is lost', async () => {
    await connector.openSnapshot();
    const [trx] = (await mysqlQuery(
      undefined,
      `SELECT t.trx_mysql_thread_id AS id FROM information_schema.INNODB_TRX t
       JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id WHERE p.DB = ?`,
      [database.name],
    )) as Array<{ id: string | number }>;
    expect(trx).toBeDefined();
    await mysqlQuery(undefined, `KILL ${Number(trx!.id)}`);
    await mysqlQuery(database.name, CHANGES);

    const failure = await readAll(connector, accounts).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DatabaseError);
    expect((failure as DatabaseError).code).toBe('SNAPSHOT_LOST');
    expect((failure as DatabaseError).message).toMatch(/snapshot .* was lost/);
    // Still lost for the next table, until released.
    await expect(readAll(connector, orders)).rejects.toMatchObject({ code: 'SNAPSHOT_LOST' });

    await connector.releaseSnapshot();
    expect(await readAll(connector, accounts)).toEqual(ACCOUNTS_AFTER);
  });

  it('loses the whole snapshot when one of several reader connections is lost', async () => {
    const snapshot = await connector.openSnapshot({ readers: 3 });
    expect(snapshot.readers).toBe(3);
    // INNODB_TRX is a cache the server refreshes at most every 0.1 s.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const rows = (await mysqlQuery(
      undefined,
      `SELECT t.trx_mysql_thread_id AS id, p.DB AS db FROM information_schema.INNODB_TRX t
       LEFT JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id`,
    )) as Array<{ id: string | number; db: string | null }>;
    const trx = rows.filter((row) => row.db === database.name);
    // One transaction per reader.
    expect(trx).toHaveLength(3);
    await mysqlQuery(undefined, `KILL ${Number(trx[1]!.id)}`);
    await mysqlQuery(database.name, CHANGES);
    // The server's close reaches the client as the connection's end.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(readAll(connector, accounts)).rejects.toMatchObject({ code: 'SNAPSHOT_LOST' });
    await expect(readAll(connector, orders)).rejects.toMatchObject({ code: 'SNAPSHOT_LOST' });
    await connector.releaseSnapshot();
    expect(await readAll(connector, accounts)).toEqual(ACCOUNTS_AFTER);
  });

  it('keeps the snapshot when a read stops before its last row (the query is cancelled)', async () => {
    await connector.openSnapshot();
    await mysqlQuery(database.name, CHANGES);
    for await (const batch of connector.read(accounts, BATCH)) {
      expect(batch.rows).toEqual(ACCOUNTS_BEFORE.slice(0, 2));
      break;
    }
    // The next reads still see the database as of the snapshot, on the same transaction.
    expect(await readAll(connector, orders)).toEqual(ORDERS_BEFORE);
    expect(await readAll(connector, accounts)).toEqual(ACCOUNTS_BEFORE);
    await connector.releaseSnapshot();
  });

  it('names the lock wait timeout when another session holds a table lock', async () => {
    const holder = await mysql.createConnection({ uri: database.url });
    cleanups.push(() => holder.end());
    await holder.query('LOCK TABLES accounts WRITE');
    const session = new MysqlSession(parseConnectionUrl(database.url), 'test server');
    cleanups.push(() => session.close());
    await session.connect();
    const failure = await new MysqlSnapshot(session, 1).open().catch((error: unknown) => error);
    await holder.query('UNLOCK TABLES');
    expect(failure).toBeInstanceOf(DatabaseError);
    expect((failure as DatabaseError).code).toBe('SNAPSHOT_LOCK_TIMEOUT');
    expect((failure as DatabaseError).message).toMatch(/lock_wait_timeout/);
    // The lock was given up: commits go on.
    await mysqlQuery(database.name, CHANGES);
  });

  it('names the RELOAD privilege when the user lacks it', async () => {
    const user = `ferry_noreload_${database.name.slice(-8)}`;
    await mysqlQuery(
      undefined,
      `CREATE USER '${user}'@'%'; GRANT ALL ON \`${database.name}\`.* TO '${user}'@'%'`,
    );
    cleanups.push(() => mysqlQuery(undefined, `DROP USER IF EXISTS '${user}'@'%'`));
    const url = `${MYSQL_BASE.replace('//root@', `//${user}@`)}/${database.name}`;
    const limited = createMysqlConnector(parseConnectionUrl(url)) as MysqlConnector;
    connectors.push(limited);
    await limited.connect();
    const failure = await limited.openSnapshot().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DatabaseError);
    expect((failure as DatabaseError).code).toBe('SNAPSHOT_PRIVILEGE_MISSING');
    expect((failure as DatabaseError).message).toMatch(/RELOAD/);
    // Nothing is held: reads work as without a snapshot.
    expect(await readAll(limited, accounts)).toEqual(ACCOUNTS_BEFORE);
  });
});
