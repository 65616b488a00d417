/**
 * Preflight against the real servers: a clean plan is ok; a missing privilege, a keyless table,
 * tables that meet on the target, a lossy column, a non-empty target table and a dead server are
 * each a line naming what is wrong and how to fix it; a named table that does not exist throws.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type PreflightReport, preflight } from '../../src/engine/preflight.js';
import { UsageError } from '../../src/errors.js';
import {
  freshMysql,
  freshPostgres,
  freshSqlite,
  MYSQL_BASE,
  mysqlQuery,
  PG_BASE,
  pgQuery,
  type TestDatabase,
} from '../helpers/servers.js';

const cleanup: Array<() => Promise<unknown>> = [];
const accounts: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  // Databases first: a PostgreSQL role cannot be dropped while a database holds its grants.
  await Promise.all(cleanup.map((step) => step()));
  await Promise.all(accounts.map((step) => step()));
});

async function track(database: Promise<TestDatabase>): Promise<TestDatabase> {
  const db = await database;
  cleanup.push(() => db.drop());
  return db;
}

const accountName = () => `ferry_pf_${randomBytes(4).toString('hex')}`;

/** A URL of the same server and database as `url`, as another account. */
function asUser(base: string, user: string, database: string): string {
  const url = new URL(`${base}/${database}`);
  url.username = user;
  url.password = '';
  return url.toString();
}

async function sqliteSource(statements: string[]): Promise<TestDatabase> {
  const source = await track(freshSqlite('pf_src'));
  const db = new Database(source.name);
  for (const statement of statements) db.exec(statement);
  db.close();
  return source;
}

const errors = (report: PreflightReport) => report.problems.filter((problem) => problem.level === 'error');
const warnings = (report: PreflightReport) =>
  report.problems.filter((problem) => problem.level === 'warning');

describe('preflight', () => {
  it('passes a clean SQLite → PostgreSQL plan, with warnings only for the keyless table and possible NULs', async () => {
    const source = await sqliteSource([
      'CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL)',
      'CREATE TABLE event_log (at TEXT, what TEXT)',
      "INSERT INTO customer VALUES (1, 'Ada')",
    ]);
    const target = await track(freshPostgres('pf_tgt'));
    const report = await preflight({ source: source.url, target: target.url });
    expect(errors(report)).toEqual([]);
    expect(report.ok).toBe(true);
    // The keyless table, and the text columns a stored NUL character would stop (PostgreSQL text holds none).
    expect(warnings(report).map((problem) => problem.subject)).toEqual([
      'event_log',
      'customer.name',
      'event_log.at',
      'event_log.what',
    ]);
    expect(warnings(report)[0]!.message).toContain('no primary key');
    expect(warnings(report)[1]!.message).toContain('nul-in-text');
    expect(report.plan.tables.map((table) => table.table).sort()).toEqual(['customer', 'event_log']);
  });

  it('passes a clean MariaDB → PostgreSQL plan as root, warning only about possible NULs in text', async () => {
    const source = await track(freshMysql('pf_src'));
    await mysqlQuery(source.name, 'CREATE TABLE item (id INT PRIMARY KEY, label VARCHAR(40) NOT NULL)');
    const target = await track(freshPostgres('pf_tgt'));
    const report = await preflight({ source: source.url, target: target.url });
    expect(errors(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(warnings(report).map((problem) => problem.subject)).toEqual(['item.label']);
    expect(report.plan.tables.map((table) => table.targetTable)).toEqual(['item']);
  });

  it('passes a SQLite → MariaDB plan as root: the privileges and local_infile are there', async () => {
    const source = await sqliteSource(['CREATE TABLE customer (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)']);
    const target = await track(freshMysql('pf_tgt'));
    const report = await preflight({ source: source.url, target: target.url });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('names RELOAD and the binlog privilege, with their GRANTs, for a MariaDB source user with only SELECT', async () => {
    const source = await track(freshMysql('pf_src'));
    await mysqlQuery(source.name, 'CREATE TABLE item (id INT PRIMARY KEY)');
    const user = accountName();
    await mysqlQuery(
      undefined,
      `CREATE USER '${user}'@'%'; GRANT SELECT ON \`${source.name}\`.* TO '${user}'@'%'`,
    );
    accounts.push(() => mysqlQuery(undefined, `DROP USER IF EXISTS '${user}'@'%'`));
    const target = await track(freshPostgres('pf_tgt'));

    const report = await preflight({ source: asUser(MYSQL_BASE, user, source.name), target: target.url });
    expect(report.ok).toBe(false);
    const reload = errors(report).find((problem) => problem.message.includes('RELOAD'));
    expect(reload?.message).toContain(`MariaDB user '${user}'@'%' lacks RELOAD`);
    expect(reload?.message).toMatch(/^source: /);
    expect(reload?.fix).toBe(`GRANT RELOAD ON *.* TO '${user}'@'%';`);
    const binlog = errors(report).find((problem) => problem.message.includes('BINLOG MONITOR'));
    expect(binlog?.fix).toBe(`GRANT BINLOG MONITOR ON *.* TO '${user}'@'%';`);
    // SELECT is there: no line about the table.
    expect(report.problems.filter((problem) => problem.subject === 'item')).toEqual([]);
  });

  it('names SELECT and the table for a PostgreSQL source role that cannot read it', async () => {
    const source = await track(freshPostgres('pf_src'));
    await pgQuery(
      source.name,
      'CREATE TABLE open_t (id int PRIMARY KEY); CREATE TABLE secret_t (id int PRIMARY KEY)',
    );
    const role = accountName();
    await pgQuery(source.name, `CREATE ROLE ${role} LOGIN; GRANT SELECT ON open_t TO ${role}`);
    accounts.push(() => pgQuery('postgres', `DROP ROLE IF EXISTS ${role}`));
    const target = await track(freshSqlite('pf_tgt'));

    const report = await preflight({ source: asUser(PG_BASE, role, source.name), target: target.url });
    expect(report.ok).toBe(false);
    expect(errors(report).map((problem) => problem.subject)).toEqual(['secret_t']);
    expect(errors(report)[0]!.message).toContain(
      `PostgreSQL role "${role}" lacks SELECT on table "public"."secret_t"`,
    );
    expect(errors(report)[0]!.fix).toBe(`GRANT SELECT ON "public"."secret_t" TO "${role}";`);
  });

  it('names CREATE for a PostgreSQL target role that cannot create tables in the schema', async () => {
    const source = await sqliteSource(['CREATE TABLE customer (id INTEGER PRIMARY KEY)']);
    const target = await track(freshPostgres('pf_tgt'));
    const role = accountName();
    await pgQuery(target.name, `CREATE ROLE ${role} LOGIN`);
    accounts.push(() => pgQuery('postgres', `DROP ROLE IF EXISTS ${role}`));

    const report = await preflight({ source: source.url, target: asUser(PG_BASE, role, target.name) });
    expect(report.ok).toBe(false);
    const onSchema = errors(report).find((problem) => problem.message.includes('CREATE on schema'));
    expect(onSchema?.message).toMatch(/^target: PostgreSQL role ".*" lacks CREATE on schema "public"/);
    expect(onSchema?.fix).toBe(`GRANT CREATE ON SCHEMA "public" TO "${role}";`);
  });

  it('names what a PostgreSQL target role lacks to drop or empty an existing table', async () => {
    const source = await sqliteSource(['CREATE TABLE customer (id INTEGER PRIMARY KEY)']);
    const target = await track(freshPostgres('pf_tgt'));
    const role = accountName();
    await pgQuery(
      target.name,
      `CREATE ROLE ${role} LOGIN; CREATE TABLE customer (id bigint PRIMARY KEY); GRANT SELECT, INSERT ON customer TO ${role}`,
    );
    accounts.push(() => pgQuery('postgres', `DROP ROLE IF EXISTS ${role}`));
    const url = asUser(PG_BASE, role, target.name);

    const drop = await preflight({ source: source.url, target: url, ifExists: 'drop' });
    const owner = errors(drop).find((problem) => problem.subject === 'customer');
    expect(owner?.message).toContain('lacks ownership on table "public"."customer"');
    const truncate = await preflight({ source: source.url, target: url, ifExists: 'truncate' });
    const empty = errors(truncate).find((problem) => problem.subject === 'customer');
    expect(empty?.fix).toBe(`GRANT TRUNCATE ON "public"."customer" TO "${role}";`);
    const append = await preflight({ source: source.url, target: url, ifExists: 'append' });
    expect(append.problems.filter((problem) => problem.subject === 'customer')).toEqual([]);
  });

  it('names two source tables that meet on the target name, with the fix', async () => {
    const source = await track(freshPostgres('pf_src'));
    await pgQuery(
      source.name,
      'CREATE TABLE "Orders" (id int PRIMARY KEY); CREATE TABLE orders (id int PRIMARY KEY)',
    );
    const target = await track(freshSqlite('pf_tgt'));
    const report = await preflight({ source: source.url, target: target.url });
    expect(report.ok).toBe(false);
    const clash = errors(report).find((problem) => problem.subject === 'tables');
    expect(clash?.message).toContain('Orders and orders');
    expect(clash?.fix).toContain('another target name');
  });

  it('names a lossy column under the default policy, with its --coerce fix', async () => {
    const source = await track(freshMysql('pf_src'));
    await mysqlQuery(source.name, 'CREATE TABLE shipment (id INT PRIMARY KEY, shipped DATETIME NULL)');
    const target = await track(freshPostgres('pf_tgt'));
    const report = await preflight({ source: source.url, target: target.url });
    // Only a stored zero date would stop the copy: a warning, since the preflight reads no rows.
    const loss = warnings(report).find((problem) => problem.subject === 'shipment.shipped');
    expect(loss?.message).toMatch(/^shipment\.shipped: zero-date \(datetime → timestamp/);
    expect(loss?.fix).toMatch(/^--coerce shipment\.shipped:zero-date=null/);

    const coerced = await preflight({
      source: source.url,
      target: target.url,
      coerce: [{ loss: 'zero-date', action: 'null', table: 'shipment', column: 'shipped' }],
    });
    expect(coerced.problems.filter((problem) => problem.subject === 'shipment.shipped')).toEqual([]);
  });

  it('refuses a target table that holds rows under if-exists fail, not under append', async () => {
    const source = await sqliteSource(['CREATE TABLE customer (id INTEGER PRIMARY KEY)']);
    const target = await track(freshPostgres('pf_tgt'));
    await pgQuery(
      target.name,
      'CREATE TABLE customer (id bigint PRIMARY KEY); INSERT INTO customer VALUES (1)',
    );
    const report = await preflight({ source: source.url, target: target.url });
    expect(errors(report).map((problem) => problem.subject)).toEqual(['customer']);
    expect(errors(report)[0]!.fix).toContain('ifExists: drop');
    expect((await preflight({ source: source.url, target: target.url, ifExists: 'append' })).ok).toBe(true);
  });

  it('reports a dead server as one error naming the side, without throwing', async () => {
    const target = await track(freshSqlite('pf_tgt'));
    const report = await preflight({
      source: 'postgres://ferry:secret@127.0.0.1:1/nowhere',
      target: target.url,
    });
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]!.subject).toBe('source');
    expect(report.problems[0]!.message).toContain('127.0.0.1:1');
    expect(report.problems[0]!.message).not.toContain('secret');
    expect(report.plan.tables).toEqual([]);
  });

  it('throws a UsageError for a named table that does not exist', async () => {
    const source = await sqliteSource(['CREATE TABLE customer (id INTEGER PRIMARY KEY)']);
    const target = await track(freshSqlite('pf_tgt'));
    await expect(
      preflight({ source: source.url, target: target.url, tables: ['nope'] }),
    ).rejects.toBeInstanceOf(UsageError);
  });
});
