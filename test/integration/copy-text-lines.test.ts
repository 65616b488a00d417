/**
 * MariaDB → PostgreSQL in Ferry's neutral text lines: the MariaDB server prints each row as one
 * line and PostgreSQL's COPY reads it, no value decoded in Ferry. Only where every column's
 * spelling reads back into the very value; a value PostgreSQL refuses in a line sends its chunk
 * the decoded way, which names table, column and key or applies the run's policy.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { copyDatabase } from '../../src/engine/copy.js';
import { parseCoercionRule } from '../../src/values/coercions.js';
import { TEXT_LINES } from '../../src/values/text-lines.js';
import { expectSameData, readDatabase } from '../helpers/compare.js';
import { freshMysql, freshPostgres, mysqlQuery, pgQuery, type TestDatabase } from '../helpers/servers.js';

const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

const SCHEMA = `
  CREATE TABLE plain (
    id BIGINT UNSIGNED PRIMARY KEY, i TINYINT, flag TINYINT(1), d DECIMAL(65,30), f FLOAT, g DOUBLE,
    t TEXT, v VARCHAR(40) CHARACTER SET latin1, c CHAR(5), b VARBINARY(300), bb BINARY(4),
    dt DATETIME(6), dd DATE, ts TIMESTAMP(6) NULL, j JSON,
    e ENUM('a', 'b,c', 'd\\\\e'), s SET('x', 'y', 'z'), u UUID);
  CREATE TABLE with_time (id INT PRIMARY KEY, tm TIME(6));
  CREATE TABLE refused (id INT PRIMARY KEY, dd DATE, note TEXT);`;

const ROWS = `
  INSERT INTO plain VALUES
    (18446744073709551615, -128, 2, 12345678901234567890123456789012345.123456789012345678901234567891,
     4056.666748046875, 0.30000000000000004, 'tab\\there\\nnew line\\\\ back \\r cr', 'café', 'ab',
     UNHEX('00FF5C094E0A0D'), UNHEX('00000000'), '9999-12-31 23:59:59.999999', '1000-01-01',
     '2038-01-19 03:14:07.999999', '{"k": [1, "tab\\\\tx", null]}', 'b,c', 'x,z', '123e4567-e89b-12d3-a456-426614174000'),
    (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (2, 0, 0, 0, 16777216, -1.5e-300, '', '', '', '', UNHEX('01020304'), '0001-01-01 00:00:00.000001', '9999-12-31',
     NULL, '[]', 'd\\\\e', '', '00000000-0000-0000-0000-000000000000'),
    (3, 127, 1, -0.000000000000000000000000000001, -3.4028234663852886e38, 1e308, '\\\\N', 'NULL', 'x  ', 'NULL',
     UNHEX('5C4E0000'), '2026-11-25 08:00:00.5', '2026-11-25', '1970-01-01 00:00:01', 'null', 'a', 'x,y,z',
     'ffffffff-ffff-ffff-ffff-ffffffffffff'),
    (4, 1, 1, 1, 1.5e-7, 1e20, '\\\\.', 'x', 'x', '\\\\x41', UNHEX('FFFFFFFF'), '2020-01-01 00:00:00', '2020-02-29',
     '2020-01-01 00:00:00', '{"a": 1.50, "b": 1e2}', 'a', 'y', '0a0b0c0d-0e0f-1011-1213-141516171819');
  INSERT INTO plain (id, t, b) SELECT 100 + seq, CONCAT('😀 row ', seq, CHAR(9), 'é'), UNHEX(HEX(seq)) FROM seq_1_to_2500;
  INSERT INTO with_time VALUES (1, '-838:59:59'), (2, '12:00:00.5');
  INSERT INTO refused VALUES (1, '2020-01-01', 'fine'), (2, '0000-00-00', 'zero date'), (3, '2020-01-03', 'fine');`;

describe('MariaDB → PostgreSQL in text lines', () => {
  it('copies every value as the decoded path would, chunk by chunk, and only where types allow', async () => {
    const source = await freshMysql('ptl_src');
    const target = await freshPostgres('ptl_dst');
    cleanup.push(source, target);
    await mysqlQuery(source.name, SCHEMA);
    await mysqlQuery(source.name, ROWS);

    const result = await copyDatabase({
      source: source.url,
      target: target.url,
      tables: ['plain', 'with_time'],
      chunkRows: 700,
      parallel: 2,
    });
    expect(result.tables.map((t) => [t.table, t.status, t.encoding])).toEqual([
      ['plain', 'copied', TEXT_LINES],
      // TIME has no spelling that PostgreSQL's time reads back for every value: the decoded way
      // refuses -838:59:59 by name.
      ['with_time', 'failed', undefined],
    ]);
    expect(result.tables[1]!.error?.code).toBe('LOSSY_TIME_RANGE');
    expect(result.tables[0]!.chunks).toBe(4);
    expect(result.tables[0]!.rows).toBe(2505);
    expectSameData(await readDatabase(source.url, ['plain']), await readDatabase(target.url, ['plain']));
    // The bytes, not only canonical values: binary, text and floats as stored.
    const [pgRow] = await pgQuery(
      target.name,
      `SELECT encode(b, 'hex') AS b, encode(bb, 'hex') AS bb, t, float4send(f)::text AS f, float8send(g)::text AS g FROM plain WHERE id = 18446744073709551615`,
    );
    expect(pgRow).toEqual({
      b: '00ff5c094e0a0d',
      bb: '00000000',
      t: 'tab\there\nnew line\\ back \r cr',
      f: String.raw`\x457d8aab`,
      g: String.raw`\x3fd3333333333334`,
    });
  });

  it('sends a chunk PostgreSQL refuses the decoded way: the error names column and key, a policy applies', async () => {
    const source = await freshMysql('ptl_src');
    const target = await freshPostgres('ptl_dst');
    cleanup.push(source, target);
    await mysqlQuery(source.name, SCHEMA);
    await mysqlQuery(source.name, ROWS);

    const failed = await copyDatabase({ source: source.url, target: target.url, tables: ['refused'] });
    const table = failed.tables[0]!;
    expect(table.encoding).toBe(TEXT_LINES);
    expect(table.status).toBe('failed');
    expect(table.error?.code).toBe('LOSSY_ZERO_DATE');
    expect(table.error?.message).toContain('table refused, column dd, key id=2');
    expect(await pgQuery(target.name, 'SELECT count(*)::int AS n FROM refused')).toEqual([{ n: 0 }]);

    const passed = await copyDatabase({
      source: source.url,
      target: target.url,
      tables: ['refused'],
      ifExists: 'drop',
      coerce: [parseCoercionRule('zero-date=null')],
    });
    expect(passed.tables[0]!.status).toBe('copied');
    expect(await pgQuery(target.name, 'SELECT id, dd::text AS dd FROM refused ORDER BY id')).toEqual([
      { id: 1, dd: '2020-01-01' },
      { id: 2, dd: null },
      { id: 3, dd: '2020-01-03' },
    ]);
  });
});
