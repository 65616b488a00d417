/**
 * Verify where the databases cannot hash alone: PostgreSQL jsonb (keys reordered, numbers
 * respelt) is read and hashed in Ferry with its row's key, on both sides; a table without any key
 * is hashed and compared whole, duplicates counted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { copyDatabase } from '../../src/engine/copy.js';
import { verifyDatabases } from '../../src/verify/verify.js';
import { freshMysql, freshPostgres, mysqlQuery, pgQuery, type TestDatabase } from '../helpers/servers.js';

const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

describe('verify with columns hashed in Ferry', () => {
  it('PostgreSQL jsonb → MariaDB JSON: equal documents are equal, a changed value is found', async () => {
    const source = await freshPostgres('vs_src');
    const target = await freshMysql('vs_dst');
    cleanup.push(source, target);
    await pgQuery(
      source.name,
      `CREATE TABLE doc (id int PRIMARY KEY, body jsonb, title text);
       INSERT INTO doc SELECT i, jsonb_build_object('n', i, 'tags', jsonb_build_array('a', i * 1.5), 'z', null), 'doc ' || i
       FROM generate_series(1, 300) i`,
    );
    expect((await copyDatabase({ source: source.url, target: target.url })).ok).toBe(true);
    const clean = await verifyDatabases({ source: source.url, target: target.url });
    expect(clean.tables[0]).toMatchObject({ status: 'equal', hashedInFerry: ['body'], sourceRows: 300 });

    // The same document spelt otherwise is no difference; another value is.
    await mysqlQuery(
      target.name,
      `UPDATE doc SET body = '{"z": null, "tags": ["a", 1.50], "n": 1}' WHERE id = 1`,
    );
    await mysqlQuery(
      target.name,
      `UPDATE doc SET body = '{"n": 2, "tags": ["a", 3.1], "z": null}' WHERE id = 2`,
    );
    const found = await verifyDatabases({ source: source.url, target: target.url });
    expect(found.tables[0]!.differences).toEqual([
      { kind: 'different', key: { id: '2' }, columns: ['body'] },
    ]);
  });
});

describe('verify of a table without a key', () => {
  it('compares the rows as a whole, a duplicate row included', async () => {
    const source = await freshPostgres('vs_src');
    const target = await freshPostgres('vs_dst');
    cleanup.push(source, target);
    await pgQuery(
      source.name,
      `CREATE TABLE log (at int, line text); INSERT INTO log SELECT i % 50, 'line ' || (i % 50) FROM generate_series(1, 200) i`,
    );
    expect((await copyDatabase({ source: source.url, target: target.url })).ok).toBe(true);
    expect((await verifyDatabases({ source: source.url, target: target.url })).tables[0]!.status).toBe(
      'equal',
    );
    // One more copy of a row that is there four times already.
    await pgQuery(target.name, `INSERT INTO log VALUES (7, 'line 7')`);
    const found = await verifyDatabases({ source: source.url, target: target.url });
    expect(found.tables[0]).toMatchObject({
      status: 'different',
      counts: { missing: 0, extra: 1, different: 0 },
    });
  });
});
