/**
 * `ferry copy` as a user meets it: help, a real copy, and every kind of bad input with its exit
 * code (DESIGN.md: 2 usage, 1 failure) and a message that names what is wrong — never a password
 * and never a stack trace.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ferry } from '../helpers/cli.js';
import {
  freshMysql,
  freshPostgres,
  freshSqlite,
  mysqlQuery,
  pgQuery,
  type TestDatabase,
} from '../helpers/servers.js';

const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

/** A small SQLite source: two tables, one of them with a VARCHAR(5) holding 8 characters. */
async function smallSqliteSource(): Promise<TestDatabase> {
  const db = await freshSqlite('cli_src');
  cleanup.push(db);
  const sqlite = new Database(db.name);
  sqlite.exec(`
    CREATE TABLE city (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL);
    INSERT INTO city VALUES (1, 'Zürich'), (2, 'Kraków');
    CREATE TABLE code (id INTEGER PRIMARY KEY, short VARCHAR(5));
    INSERT INTO code VALUES (1, 'abc'), (2, 'abcdefgh');
  `);
  sqlite.close();
  return db;
}

describe('ferry --help', () => {
  it('lists the commands, and every command has --help', async () => {
    const top = await ferry(['--help']);
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/copy \[options\] <source-url> <target-url>/);
    const copy = await ferry(['copy', '--help']);
    expect(copy.status).toBe(0);
    for (const flag of ['--tables', '--exclude', '--schema-only', '--data-only', '--if-exists']) {
      expect(copy.stdout).toContain(flag);
    }
  });

  it('rejects an unknown flag with exit 2', async () => {
    const run = await ferry(['copy', '--no-such-flag', 'sqlite:a.db', 'sqlite:b.db']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown option '--no-such-flag'/);
  });
});

describe('ferry copy', () => {
  it('copies a SQLite database into PostgreSQL and prints a line per table and a total', async () => {
    const source = await smallSqliteSource();
    const target = await freshPostgres('cli_pg');
    cleanup.push(target);
    const run = await ferry(['copy', source.url, target.url, '--tables', 'city']);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^city\s+2 rows\s+[\d.]+ s$/m);
    expect(run.stdout).toMatch(/^total: 1 tables, 2 rows/m);
    const rows = await pgQuery(target.name, 'SELECT id::text, name FROM city ORDER BY id');
    expect(rows).toEqual([
      { id: '1', name: 'Zürich' },
      { id: '2', name: 'Kraków' },
    ]);
  });

  it('names an unknown URL scheme and lists the known ones (exit 2)', async () => {
    const run = await ferry(['copy', 'oracle://scott@db/orcl', 'sqlite:x.db']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Unknown URL scheme "oracle:"');
    expect(run.stderr).toContain('postgres, postgresql, mysql, mariadb, sqlite');
  });

  it('names host and port of a server that does not answer (exit 1, no stack trace, no password)', async () => {
    const source = await smallSqliteSource();
    for (const url of [
      'postgres://postgres:Hunter2Secret@127.0.0.1:5999/x',
      'mysql://root:Hunter2Secret@127.0.0.1:3999/x',
    ]) {
      const run = await ferry(['copy', source.url, url]);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('127.0.0.1:');
      expect(run.stderr).toMatch(/127\.0\.0\.1:(5999|3999)/);
      expect(run.stderr).not.toMatch(STACK_LINE);
      expect(run.stdout + run.stderr).not.toContain('Hunter2Secret');
    }
  });

  it('never prints a password the server rejected', async () => {
    const source = await smallSqliteSource();
    const run = await ferry(['copy', source.url, 'mysql://root:Wr0ngPassw0rd@127.0.0.1:3306/test']);
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).not.toContain('Wr0ngPassw0rd');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it('fails with exit 1 when the database does not exist', async () => {
    const source = await smallSqliteSource();
    for (const url of [
      'postgres://postgres@127.0.0.1:5432/ferry_no_such_db',
      'mysql://root@127.0.0.1:3306/ferry_no_such_db',
    ]) {
      const run = await ferry(['copy', source.url, url]);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('ferry_no_such_db');
      expect(run.stderr).not.toMatch(STACK_LINE);
    }
    const missingFile = await ferry(['copy', 'sqlite:no/such/file.db', 'sqlite:out.db']);
    expect(missingFile.status).toBe(1);
    expect(missingFile.stderr).toContain('no/such/file.db');
  });

  it('names a --tables entry the source does not have (exit 2)', async () => {
    const source = await smallSqliteSource();
    const target = await freshSqlite('cli_tables');
    cleanup.push(target);
    const run = await ferry(['copy', source.url, target.url, '--tables', 'city,citty']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('citty');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it('stops before any write when a target table holds rows, and says which option to use (exit 1)', async () => {
    const source = await smallSqliteSource();
    const target = await freshMysql('cli_exists');
    cleanup.push(target);
    await mysqlQuery(
      target.name,
      'CREATE TABLE code (id INT PRIMARY KEY, short VARCHAR(5)); INSERT INTO code VALUES (9, "mine")',
    );
    const run = await ferry(['copy', source.url, target.url]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('code');
    expect(run.stderr).toMatch(/--if-exists (drop|truncate|append)/);
    // Nothing written: the other table was not created, the existing rows are untouched.
    const tables = (await mysqlQuery(target.name, 'SHOW TABLES')) as Record<string, string>[];
    expect(tables.map((row) => Object.values(row)[0])).toEqual(['code']);
    expect(await mysqlQuery(target.name, 'SELECT id, short FROM code')).toEqual([{ id: 9, short: 'mine' }]);

    const append = await ferry(['copy', source.url, target.url, '--tables', 'city', '--if-exists', 'append']);
    expect(append.status).toBe(0);
  });

  it('fails the table when LOAD DATA would truncate a value, naming table and column (exit 1)', async () => {
    const source = await smallSqliteSource();
    const target = await freshMysql('cli_truncate');
    cleanup.push(target);
    const run = await ferry(['copy', source.url, target.url, '--tables', 'code']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('code');
    expect(run.stderr).toContain('short');
    expect(run.stderr).not.toContain('abcdefgh');
    expect(run.stdout).toMatch(/^code\s+FAILED/m);
    expect(await mysqlQuery(target.name, 'SELECT COUNT(*) AS n FROM code')).toEqual([{ n: '0' }]);
  });

  it('copies with --schema-only (no rows) and then --data-only (rows only)', async () => {
    const source = await smallSqliteSource();
    const target = await freshSqlite('cli_phases');
    cleanup.push(target);
    const schema = await ferry(['copy', source.url, target.url, '--tables', 'city', '--schema-only']);
    expect(schema.status).toBe(0);
    const data = await ferry(['copy', source.url, target.url, '--tables', 'city', '--data-only']);
    expect(data.status).toBe(0);
    expect(data.stdout).toMatch(/^city\s+2 rows/m);
    const sqlite = new Database(target.name, { readonly: true });
    expect(sqlite.prepare('SELECT name FROM city ORDER BY id').pluck().all()).toEqual(['Zürich', 'Kraków']);
    sqlite.close();
  });
});

describe('ferry copy onto its own source', () => {
  it('refuses with exit 2 before touching anything, even with --if-exists drop', async () => {
    const source = await smallSqliteSource();
    const relative = await ferry(['copy', source.url, `sqlite://${source.name}`, '--if-exists', 'drop']);
    expect(relative.status).toBe(2);
    expect(relative.stderr).toContain('the same database');
    const sqlite = new Database(source.name, { readonly: true });
    expect(sqlite.prepare('SELECT count(*) FROM city').pluck().get()).toBe(2);
    sqlite.close();
    const server = await ferry([
      'copy',
      'postgres://postgres@localhost:5432/test',
      'postgresql://postgres@127.0.0.1/test?schema=public',
      '--if-exists',
      'drop',
    ]);
    expect(server.status).toBe(2);
    expect(server.stderr).toContain('the same database');
  });
});
