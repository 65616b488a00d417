/**
 * The PostgreSQL connector's consistent snapshot against the real server: reads of several tables
 * see one point in time whatever is committed meanwhile, until the snapshot is released; a lost
 * coordinator connection makes the next read fail rather than read current data.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../../src/connectors/connector.js';
import { createPostgresConnector } from '../../../src/connectors/postgres/index.js';
import { parseConnectionUrl } from '../../../src/connectors/url.js';
import { DatabaseError } from '../../../src/errors.js';
import type { Table } from '../../../src/schema/table.js';
import type { Row } from '../../../src/values/canonical.js';
import { freshPostgres, pgQuery, type TestDatabase } from '../../helpers/servers.js';

const SETUP_SQL = `
CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL, balance numeric(10,2) NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, account_id int NOT NULL REFERENCES accounts, note text);
INSERT INTO accounts VALUES (1, 'ann', 10.00), (2, 'bob', 20.50), (3, 'cy', 0.00);
INSERT INTO orders VALUES (10, 1, 'first'), (11, 2, NULL), (12, 3, 'third');
`;

/** Every kind of change to both tables, committed as one transaction by another session. */
const CHANGES_SQL = `
UPDATE accounts SET balance = 99.99, name = 'ann2' WHERE id = 1;
INSERT INTO accounts VALUES (4, 'dee', 4.00);
DELETE FROM orders WHERE id = 12;
UPDATE orders SET note = 'changed' WHERE id = 11;
INSERT INTO orders VALUES (13, 4, 'new');
`;

const ACCOUNTS_BEFORE: Row[] = [
  [1n, 'ann', '10.00'],
  [2n, 'bob', '20.50'],
  [3n, 'cy', '0.00'],
];
const ORDERS_BEFORE: Row[] = [
  [10n, 1n, 'first'],
  [11n, 2n, null],
  [12n, 3n, 'third'],
];
const ACCOUNTS_AFTER: Row[] = [
  [1n, 'ann2', '99.99'],
  [2n, 'bob', '20.50'],
  [3n, 'cy', '0.00'],
  [4n, 'dee', '4.00'],
];
const ORDERS_AFTER: Row[] = [
  [10n, 1n, 'first'],
  [11n, 2n, 'changed'],
  [13n, 4n, 'new'],
];

let db: TestDatabase;
let accounts: Table;
let orders: Table;
const opened: Connector[] = [];

async function connect(): Promise<Connector> {
  const connector = createPostgresConnector(parseConnectionUrl(db.url));
  await connector.connect();
  opened.push(connector);
  return connector;
}

async function readAll(connector: Connector, table: Table): Promise<Row[]> {
  const rows: Row[] = [];
  // Tiny batches: the read spans several round trips of the COPY stream's consumer.
  for await (const batch of connector.read(table, { batchRows: 1, batchBytes: 1 << 20 }))
    rows.push(...batch.rows);
  return rows;
}

/** Sessions of the test database holding a transaction open without running anything. */
async function idleInTransaction(): Promise<number[]> {
  const rows = await pgQuery<{ pid: number }>(
    db.name,
    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'idle in transaction'",
    [db.name],
  );
  return rows.map((row) => row.pid);
}

beforeAll(async () => {
  db = await freshPostgres('pgsnap');
  await pgQuery(db.name, SETUP_SQL);
  const { tables } = await (await connect()).introspect();
  const byName = (name: string) => {
    const table = tables.find((candidate) => candidate.name === name);
    if (!table) throw new Error(`table ${name} not introspected`);
    return table;
  };
  accounts = byName('accounts');
  orders = byName('orders');
});

afterEach(async () => {
  for (const connector of opened.splice(0)) await connector.close();
  await pgQuery(db.name, `DROP TABLE IF EXISTS orders, accounts; ${SETUP_SQL}`);
});

afterAll(async () => {
  await db?.drop();
});

describe('PostgreSQL connector: consistent snapshot', () => {
  it('reads every table as of the snapshot until it is released', async () => {
    const connector = await connect();
    const snapshot = await connector.openSnapshot();
    expect(snapshot.position?.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(snapshot.takenAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(Math.abs(Date.parse(snapshot.takenAt) - Date.now())).toBeLessThan(60_000);

    await pgQuery(db.name, CHANGES_SQL);
    // The other session's changes are committed and visible outside the snapshot.
    expect(await pgQuery(db.name, 'SELECT count(*)::int AS n FROM accounts')).toEqual([{ n: 4 }]);

    // In parallel, as the engine's readers will: each read imports the snapshot on its own connection.
    const [accountRows, orderRows] = await Promise.all([
      readAll(connector, accounts),
      readAll(connector, orders),
    ]);
    expect(accountRows).toEqual(ACCOUNTS_BEFORE);
    expect(orderRows).toEqual(ORDERS_BEFORE);
    // And again, sequentially, on connections the pool hands back.
    expect(await readAll(connector, orders)).toEqual(ORDERS_BEFORE);

    await connector.releaseSnapshot();
    expect(await readAll(connector, accounts)).toEqual(ACCOUNTS_AFTER);
    expect(await readAll(connector, orders)).toEqual(ORDERS_AFTER);
    await connector.releaseSnapshot();
  });

  it('takes a later snapshot after a release, and refuses a second one while open', async () => {
    const connector = await connect();
    const first = await connector.openSnapshot();
    await expect(connector.openSnapshot()).rejects.toMatchObject({ code: 'PG_SNAPSHOT_OPEN' });
    await connector.releaseSnapshot();
    await pgQuery(db.name, CHANGES_SQL);
    const second = await connector.openSnapshot();
    expect(second.takenAt > first.takenAt).toBe(true);
    await pgQuery(db.name, 'DELETE FROM orders');
    expect(await readAll(connector, orders)).toEqual(ORDERS_AFTER);
  });

  it('fails the next read when the coordinator connection is lost', async () => {
    const connector = await connect();
    await connector.openSnapshot();
    await pgQuery(db.name, CHANGES_SQL);
    const [coordinator, ...others] = await idleInTransaction();
    expect(others).toEqual([]);
    await pgQuery(db.name, 'SELECT pg_terminate_backend($1)', [coordinator]);

    const error = await readAll(connector, accounts).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({ code: 'PG_SNAPSHOT_LOST' });
    expect((error as Error).message).toMatch(/snapshot .* was lost.*"accounts"/);

    // Releasing a lost snapshot is not an error; reads then see the current data again.
    await connector.releaseSnapshot();
    await connector.releaseSnapshot();
    expect(await readAll(connector, accounts)).toEqual(ACCOUNTS_AFTER);
  });

  it('ends the coordinator transaction on close', async () => {
    const connector = await connect();
    await connector.openSnapshot();
    expect(await idleInTransaction()).toHaveLength(1);
    await connector.close();
    await connector.close();
    expect(await idleInTransaction()).toEqual([]);
  });
});
