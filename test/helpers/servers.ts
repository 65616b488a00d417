/**
 * The test servers (127.0.0.1 by default, overridable with FERRY_TEST_PG / FERRY_TEST_MYSQL) and
 * throw-away databases on them, one per test, so tests run in parallel without seeing each other.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';

export const PG_BASE = process.env.FERRY_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432';
export const MYSQL_BASE = process.env.FERRY_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306';
/** Spare instances (scripts/setup-services.sh) for tests that change global settings. */
export const PG_SPARE = process.env.FERRY_TEST_PG_SPARE ?? 'postgres://postgres@127.0.0.1:5433';
export const MYSQL_SPARE = process.env.FERRY_TEST_MYSQL_SPARE ?? 'mysql://root@127.0.0.1:3307';

/** A database that exists for one test. */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function uniqueName(prefix: string): string {
  return `ferry_${prefix}_${randomBytes(4).toString('hex')}`.toLowerCase();
}

/** Runs SQL on a PostgreSQL database of the test server. */
export async function pgQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
  database: string,
  sql: string,
  values: unknown[] = [],
  base = PG_BASE,
): Promise<T[]> {
  const client = new pg.Client({ connectionString: `${base}/${database}` });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Runs SQL (several statements allowed) on a MariaDB database of the test server. */
export async function mysqlQuery(
  database: string | undefined,
  sql: string,
  values: unknown[] = [],
  base = MYSQL_BASE,
) {
  const connection = await mysql.createConnection({
    uri: database ? `${base}/${database}` : base,
    multipleStatements: true,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: 'Z',
  });
  try {
    const [rows] = await connection.query(sql, values);
    return rows;
  } finally {
    await connection.end();
  }
}

/** Creates an empty PostgreSQL database for one test. */
export async function freshPostgres(prefix = 't', base = PG_BASE): Promise<TestDatabase> {
  const name = uniqueName(prefix);
  await pgQuery('postgres', `CREATE DATABASE "${name}"`, [], base);
  return {
    name,
    url: `${base}/${name}`,
    drop: async () => {
      await pgQuery('postgres', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, [], base);
    },
  };
}

/** Creates an empty MariaDB database for one test. */
export async function freshMysql(prefix = 't', base = MYSQL_BASE): Promise<TestDatabase> {
  const name = uniqueName(prefix);
  await mysqlQuery(
    undefined,
    `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`,
    [],
    base,
  );
  return {
    name,
    url: `${base}/${name}`,
    drop: async () => {
      await mysqlQuery(undefined, `DROP DATABASE IF EXISTS \`${name}\``, [], base);
    },
  };
}

/** A path for a new SQLite file in a temporary folder of its own. */
export async function freshSqlite(prefix = 't'): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-test-'));
  const name = join(dir, `${uniqueName(prefix)}.db`);
  return {
    name,
    url: `sqlite:${name}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The engines under test; narrow with FERRY_TEST_ENGINES=sqlite,postgres. */
export const ENGINES = (process.env.FERRY_TEST_ENGINES ?? 'sqlite,postgres,mysql')
  .split(',')
  .map((name) => name.trim()) as Array<'sqlite' | 'postgres' | 'mysql'>;

/** A fresh empty database of the given engine. */
export function freshDatabase(engine: 'sqlite' | 'postgres' | 'mysql', prefix = 't'): Promise<TestDatabase> {
  if (engine === 'postgres') return freshPostgres(prefix);
  if (engine === 'mysql') return freshMysql(prefix);
  return freshSqlite(prefix);
}

/** Runs one statement with `?` placeholders on a database of `engine`. */
export async function runOn(
  engine: 'sqlite' | 'postgres' | 'mysql',
  db: TestDatabase,
  sql: string,
  values: unknown[] = [],
): Promise<void> {
  if (engine === 'mysql') {
    await mysqlQuery(db.name, sql, values);
  } else if (engine === 'postgres') {
    let n = 0;
    await pgQuery(
      db.name,
      sql.replace(/\?/g, () => `$${++n}`),
      values,
    );
  } else {
    const file = new Database(db.name);
    try {
      file.prepare(sql).run(...values);
    } finally {
      file.close();
    }
  }
}
