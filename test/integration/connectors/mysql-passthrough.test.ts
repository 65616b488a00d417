/**
 * The MariaDB → MariaDB fast path: the source prints LOAD DATA lines and the target loads them
 * undecoded, only where every column's printed form loads back unchanged; the values arrive as the
 * decoded path would bring them, special characters and extreme values included.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { copyDatabase } from '../../../src/engine/copy.js';
import { expectSameData, readDatabase } from '../../helpers/compare.js';
import { freshMysql, mysqlQuery, type TestDatabase } from '../../helpers/servers.js';

const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

const SCHEMA = `
  CREATE TABLE plain (
    id BIGINT UNSIGNED PRIMARY KEY, i TINYINT, flag TINYINT(1), d DECIMAL(65,30), f FLOAT, g DOUBLE,
    t TEXT, v VARCHAR(40) CHARACTER SET latin1, c CHAR(5), b VARBINARY(300), bb BINARY(4),
    dt DATETIME(6), dd DATE, tm TIME(6), ts TIMESTAMP(6) NULL, j JSON,
    e ENUM('a', 'b,c', 'd\\\\e'), s SET('x', 'y', 'z'), u UUID);
  CREATE TABLE with_bit (id INT PRIMARY KEY, bits BIT(10));
  CREATE TABLE with_year (id INT PRIMARY KEY, y YEAR);`;

const ROWS = `
  INSERT INTO plain VALUES
    (18446744073709551615, -128, 2, 12345678901234567890123456789012345.123456789012345678901234567891,
     4056.666748046875, 0.30000000000000004, 'tab\\there\\nnew line\\\\ back \\0 nul', 'café', 'ab',
     UNHEX('00FF5C094E0A0D'), UNHEX('00000000'), '9999-12-31 23:59:59.999999', '0000-00-00', '-838:59:59.000000',
     '2038-01-19 03:14:07.999999', '{"k": [1, "tab\\\\tx", null]}', 'b,c', 'x,z', '123e4567-e89b-12d3-a456-426614174000'),
    (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (2, 0, 0, 0, 16777216, -1.5e-300, '', '', '', '', UNHEX('01020304'), '0001-01-01 00:00:00.000001', '1000-01-01',
     '00:00:00', NULL, '[]', 'd\\\\e', '', '00000000-0000-0000-0000-000000000000'),
    (3, 127, 1, -0.000000000000000000000000000001, -3.4028234663852886e38, 1e308, '\\\\N', 'NULL', 'x  ', 'NULL',
     UNHEX('5C4E0000'), '2026-11-25 08:00:00.5', '2026-11-25', '23:59:59.999999', '1970-01-01 00:00:01', 'null', 'a', 'x,y,z',
     'ffffffff-ffff-ffff-ffff-ffffffffffff');
  INSERT INTO plain (id, t, v, c, j) VALUES
    (4, CONCAT(CHAR(30), 'a', CHAR(30), CHAR(30), CHAR(9), CHAR(30), '\\\\', CHAR(10)), '"q""', CHAR(30), '"\\u001e"'),
    (5, CONCAT('NULL', CHAR(30)), 'NULL', 'NULL', '["NULL", null, "\\\\\\\\"]'),
    (6, CONCAT(CHAR(9), CHAR(30), CHAR(9)), CHAR(30, 30), '', '{}');
  INSERT INTO plain (id, t) SELECT 100 + seq, CONCAT('😀 row ', seq, CHAR(9), 'é') FROM seq_1_to_2500;
  INSERT INTO with_bit VALUES (1, b'1010101010');
  INSERT INTO with_year VALUES (1, 0), (2, 2000);`;

describe('MariaDB LOAD DATA line passthrough', () => {
  it('copies every value as the decoded path would, chunk by chunk, and only where types allow', async () => {
    const source = await freshMysql('mpt_src');
    const target = await freshMysql('mpt_dst');
    cleanup.push(source, target);
    await mysqlQuery(source.name, SCHEMA);
    await mysqlQuery(source.name, ROWS);

    const result = await copyDatabase({
      source: source.url,
      target: target.url,
      chunkRows: 700,
      parallel: 2,
    });
    expect(result.tables.map((t) => [t.table, t.error?.message ?? t.status, t.encoding])).toEqual([
      ['plain', 'copied', 'mysql-load-data-lines'],
      ['with_bit', 'copied', undefined],
      ['with_year', 'copied', undefined],
    ]);
    expect(result.tables[0]!.chunks).toBe(4);
    expect(result.tables[0]!.rows).toBe(2507);
    expectSameData(await readDatabase(source.url), await readDatabase(target.url));
    // Bytes, not only canonical values: the same stored bytes on both sides.
    const dump = `SELECT id, HEX(t), HEX(v), HEX(c), HEX(b), HEX(bb), HEX(CAST(f AS DOUBLE)), HEX(g), d, dt, dd, tm, ts, j, e, s, u, i, flag
                  FROM plain ORDER BY id`;
    expect(await mysqlQuery(target.name, dump)).toEqual(await mysqlQuery(source.name, dump));
  });

  it('is not used into a target column of another type', async () => {
    const source = await freshMysql('mpt_src');
    const target = await freshMysql('mpt_dst');
    cleanup.push(source, target);
    await mysqlQuery(
      source.name,
      'CREATE TABLE n (id INT PRIMARY KEY, d DECIMAL(10,4)); INSERT INTO n VALUES (1, 1.2345)',
    );
    await mysqlQuery(target.name, 'CREATE TABLE n (id INT PRIMARY KEY, d DECIMAL(10,2))');
    const result = await copyDatabase({
      source: source.url,
      target: target.url,
      dataOnly: true,
      ifExists: 'append',
    });
    // The decoded path checks the value against DECIMAL(10,2) and refuses to round it.
    expect(result.tables[0]!.encoding).toBeUndefined();
    expect(result.tables[0]!.status).toBe('failed');
    expect(await mysqlQuery(target.name, 'SELECT COUNT(*) AS n FROM n')).toEqual([{ n: '0' }]);
  });

  it('writes no binary log into a target URL with ?binlog=off, and the binlog otherwise', async () => {
    const source = await freshMysql('mpt_src');
    const logged = await freshMysql('mpt_log');
    const unlogged = await freshMysql('mpt_nolog');
    cleanup.push(source, logged, unlogged);
    await mysqlQuery(source.name, 'CREATE TABLE n (id INT PRIMARY KEY, v TEXT)');
    await mysqlQuery(source.name, "INSERT INTO n SELECT seq, CONCAT('row ', seq) FROM seq_1_to_50");
    const [start] = (await mysqlQuery(undefined, 'SHOW MASTER STATUS')) as Array<{
      File: string;
      Position: string;
    }>;

    for (const target of [logged, unlogged]) {
      const url = target === unlogged ? `${target.url}?binlog=off` : target.url;
      const result = await copyDatabase({ source: source.url, target: url });
      expect(result.tables[0]!.status).toBe('copied');
      expect(await mysqlQuery(target.name, 'SELECT COUNT(*) AS n FROM n')).toEqual([{ n: '50' }]);
    }
    // Row events name their table's database in a Table_map event.
    const events = (await mysqlQuery(
      undefined,
      `SHOW BINLOG EVENTS IN '${start!.File}' FROM ${start!.Position}`,
    )) as Array<{ Event_type: string; Info: string }>;
    const mapped = (db: string) =>
      events.some((event) => event.Event_type === 'Table_map' && event.Info.endsWith(`(${db}.n)`));
    expect(mapped(logged.name)).toBe(true);
    expect(mapped(unlogged.name)).toBe(false);
  });

  it('refuses a binlog parameter it does not know', async () => {
    const source = await freshMysql('mpt_src');
    cleanup.push(source);
    await expect(
      copyDatabase({ source: source.url, target: `${source.url}_x?binlog=maybe` }),
    ).rejects.toThrow(/binlog=maybe .* use binlog=off/);
  });
});
