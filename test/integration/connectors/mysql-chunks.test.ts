/**
 * MariaDB chunks against the real server: plans whose range reads add up to the full read in binary
 * key order (integer, composite, text under _general_ci/_unicode_ci/_bin/latin1, unique-key, and
 * exact 64-bit, decimal, float, temporal and binary keys), integer ranges served by the PRIMARY
 * index, chunk writes that commit with their progress record or not at all, writes side by side,
 * and a snapshot of several readers that all see one point in time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { type KeyRange, PROGRESS_TABLE } from '../../../src/connectors/connector.js';
import { createMysqlConnector, type MysqlConnector } from '../../../src/connectors/mysql/index.js';
import { selectStatement } from '../../../src/connectors/mysql/reader.js';
import { parseConnectionUrl } from '../../../src/connectors/url.js';
import { chunkKeyOf, type Table } from '../../../src/schema/table.js';
import type { CanonicalValue, RowBatch } from '../../../src/values/canonical.js';
import { batchesOf, collectRows, estimatedBytes } from '../../helpers/batches.js';
import { checkDensePlan, DENSE_IDS } from '../../helpers/dense-key-plan.js';
import { freshMysql, mysqlQuery, type TestDatabase } from '../../helpers/servers.js';

const databases: TestDatabase[] = [];
const connectors: MysqlConnector[] = [];

afterAll(async () => {
  await Promise.all(connectors.map((connector) => connector.close()));
  await Promise.all(databases.map((database) => database.drop()));
});

/** A fresh database made by `sql`, its connector and its tables. */
async function databaseOf(prefix: string, sql: string) {
  const database = await freshMysql(prefix);
  databases.push(database);
  if (sql) await mysqlQuery(database.name, sql);
  const connector = createMysqlConnector(parseConnectionUrl(database.url)) as MysqlConnector;
  connectors.push(connector);
  await connector.connect();
  const schema = await connector.introspect();
  const table = (name: string) => {
    const found = schema.tables.find((t) => t.name === name);
    if (!found) throw new Error(`no table ${name}`);
    return found;
  };
  return { database, connector, table };
}

/** The table without its row estimate: its chunks are planned by the walk. */
function withoutEstimate(table: Table): Table {
  const { estimatedRows: _estimate, ...rest } = table;
  return rest;
}

const readRows = (connector: MysqlConnector, table: Table, key: string[], range?: KeyRange) =>
  collectRows(connector.read(table, { batchRows: 7, batchBytes: 1 << 20, key, ...(range ? { range } : {}) }));

/**
 * Plans with `rows`, reads every range, and checks them against the full read in key order: each
 * range holds `rows` rows but the last, none twice, none missing.
 */
async function checkPlan(
  connector: MysqlConnector,
  table: Table,
  key: string[],
  rows: number,
  total: number,
) {
  const ranges = await connector.planChunks(table, { key, rows });
  expect(ranges.length).toBe(total <= rows ? 1 : Math.ceil(total / rows));
  expect(ranges[0]!.after).toBeUndefined();
  expect(ranges.at(-1)!.through).toBeUndefined();
  for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.after).toBe(ranges[i - 1]!.through);
  const full = await readRows(connector, table, key);
  expect(full).toHaveLength(total);
  const pieces: CanonicalValue[][] = [];
  for (const range of ranges) {
    const part = await readRows(connector, table, key, range);
    expect(part.length).toBeGreaterThan(0);
    expect(part.length).toBeLessThanOrEqual(rows);
    pieces.push(...part);
  }
  // Same rows, same order: none twice, none missing, each range in key order.
  expect(pieces).toEqual(full);
  return { ranges, full };
}

/** How the server runs a range read: the access type and index of its one table. */
async function explain(database: TestDatabase, table: Table, key: string[], range: KeyRange) {
  const select = selectStatement(table, { key, range });
  const [plan] = (await mysqlQuery(database.name, `EXPLAIN ${select.sql}`, select.params)) as Array<{
    type: string;
    key: string | null;
  }>;
  return { type: plan!.type, key: plan!.key };
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** Distinct under utf8mb4_general_ci and unicode_ci, ordered otherwise by their bytes. */
const CI_WORDS = ['a', 'B', 'c', 'É', 'y', 'Z', 'Ma', 'mb', ' x', 'a b', '_', '~', '日本', '😀'];
/** Case-only and pad-space differences that a _bin collation keeps apart (and orders 'a' after 'a\t'). */
const BIN_WORDS = [
  'a',
  'A',
  'B',
  'b',
  'É',
  'é',
  'z',
  'Z',
  'a\t',
  'ab',
  'aB',
  'Ab',
  'ä',
  'Ä',
  '',
  '日本',
  '😀',
  '🙂',
];
const LATIN1_WORDS = ['a', 'B', 'c', 'É', 'y', 'Z', 'ñ', '~', 'Ø', '£'];

describe('MariaDB planChunks and ranged reads', () => {
  it('walks an integer key the statistics cannot vouch for, and each range read scans a range of the PRIMARY index', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => (i - 50) * 3);
    const { database, connector, table } = await databaseOf(
      'int',
      `CREATE TABLE ints (id INT PRIMARY KEY, v VARCHAR(20));
       INSERT INTO ints VALUES ${ids.map((id) => `(${id}, 'v${id}')`).join(', ')};`,
    );
    const ints = withoutEstimate(table('ints'));
    for (const rows of [1, 17, 100, 199, 200, 500]) await checkPlan(connector, ints, ['id'], rows, 200);
    const { ranges, full } = await checkPlan(connector, ints, ['id'], 64, 200);
    expect(ranges[0]).toEqual({ through: [BigInt(ids[63]!)] });
    expect(ranges[1]).toEqual({ after: [BigInt(ids[63]!)], through: [BigInt(ids[127]!)] });
    expect(full.map((row) => row[0])).toEqual(ids.map(BigInt));
    expect(await connector.planChunks(ints, { key: ['id'], rows: 200 })).toEqual([{}]);
    // Three values per row: 15 ranges of 40 values where the 200 rows fill 5, so it is walked.
    const sparse = await connector.planChunks({ ...ints, estimatedRows: 200 }, { key: ['id'], rows: 40 });
    expect(sparse[0]).toEqual({ through: [BigInt(ids[39]!)] });
    for (const range of ranges.slice(0, 3)) {
      expect(await explain(database, ints, ['id'], range)).toEqual({
        type: 'range',
        key: 'PRIMARY',
      });
    }
  });

  it('cuts a dense integer key between its MIN and MAX, every range at most `rows` rows', async () => {
    const { connector, table } = await databaseOf(
      'intd',
      `CREATE TABLE dense (id BIGINT UNSIGNED PRIMARY KEY, v VARCHAR(20));
       INSERT INTO dense VALUES ${DENSE_IDS.map((id) => `(${id}, 'v${id}')`).join(', ')};`,
    );
    await checkDensePlan(connector, table('dense'));
    const empty = await databaseOf('inte', 'CREATE TABLE e (id INT PRIMARY KEY)');
    expect(
      await empty.connector.planChunks({ ...empty.table('e'), estimatedRows: 10 }, { key: ['id'], rows: 5 }),
    ).toEqual([{}]);
  });

  it('splits a composite (integer, text) key in binary order, the integer serving the index range', async () => {
    const rows = [1, 2, 3].flatMap((a) => CI_WORDS.map((b) => [a, b] as const));
    const { database, connector, table } = await databaseOf(
      'comp',
      `CREATE TABLE comp (a INT NOT NULL, b VARCHAR(20) NOT NULL, v INT, PRIMARY KEY (a, b)) COLLATE utf8mb4_general_ci;
       INSERT INTO comp VALUES ${rows.map(([a, b], i) => `(${a}, ${quote(b)}, ${i})`).join(', ')};`,
    );
    const expected = [...rows].sort((x, y) => x[0] - y[0] || byteOrder(x[1], y[1]));
    for (const size of [1, 4, 7, 14, 41]) {
      const { ranges, full } = await checkPlan(connector, table('comp'), ['a', 'b'], size, rows.length);
      expect(full.map((row) => [row[0], row[1]])).toEqual(expected.map(([a, b]) => [BigInt(a), b]));
      if (size === 14) {
        expect(await explain(database, table('comp'), ['a', 'b'], ranges[1]!)).toEqual({
          type: 'range',
          key: 'PRIMARY',
        });
      }
    }
  });

  it('splits text keys by their UTF-8 bytes, not by _general_ci, _unicode_ci, _bin or latin1 order', async () => {
    const { database, connector, table } = await databaseOf(
      'text',
      `CREATE TABLE general (w VARCHAR(20) COLLATE utf8mb4_general_ci PRIMARY KEY, n INT);
       INSERT INTO general VALUES ${CI_WORDS.map((w, i) => `(${quote(w)}, ${i})`).join(', ')};
       CREATE TABLE unicode (w VARCHAR(20) COLLATE utf8mb4_unicode_ci PRIMARY KEY, n INT);
       INSERT INTO unicode VALUES ${CI_WORDS.map((w, i) => `(${quote(w)}, ${i})`).join(', ')};
       CREATE TABLE bin (w VARCHAR(20) COLLATE utf8mb4_bin PRIMARY KEY, n INT);
       INSERT INTO bin VALUES ${BIN_WORDS.map((w, i) => `(${quote(w)}, ${i})`).join(', ')};
       CREATE TABLE latin (w VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci PRIMARY KEY, n INT);
       INSERT INTO latin VALUES ${LATIN1_WORDS.map((w, i) => `(${quote(w)}, ${i})`).join(', ')};`,
    );
    const cases = [
      ['general', CI_WORDS],
      ['unicode', CI_WORDS],
      ['bin', BIN_WORDS],
      ['latin', LATIN1_WORDS],
    ] as const;
    for (const [name, words] of cases) {
      const binary = [...words].sort(byteOrder);
      // The test means something only if the collation orders them otherwise.
      const collated = (await mysqlQuery(database.name, `SELECT w FROM ${name} ORDER BY w`)) as Array<{
        w: string;
      }>;
      expect(collated.map((row) => row.w)).not.toEqual(binary);
      for (const size of [1, 2, 5]) {
        const { full } = await checkPlan(connector, table(name), ['w'], size, words.length);
        expect(full.map((row) => row[0])).toEqual(binary);
      }
    }
  });

  it('splits a table without primary key on its unique NOT NULL key', async () => {
    const rows = Array.from(
      { length: 120 },
      (_, i) => [i % 7, `${CI_WORDS[i % CI_WORDS.length]}${i}`] as const,
    );
    const { connector, table } = await databaseOf(
      'uniq',
      `CREATE TABLE uniq (n INT NOT NULL, code VARCHAR(30) NOT NULL, note TEXT, UNIQUE KEY n_code (n, code));
       INSERT INTO uniq VALUES ${rows.map(([n, code]) => `(${n}, ${quote(code)}, NULL)`).join(', ')};`,
    );
    const uniq = table('uniq');
    expect(uniq.primaryKey).toEqual([]);
    const key = chunkKeyOf(uniq)!;
    expect(key).toEqual(['n', 'code']);
    const expected = [...rows].sort((x, y) => x[0] - y[0] || byteOrder(x[1], y[1]));
    for (const size of [1, 9, 50, 120]) {
      const { full } = await checkPlan(connector, uniq, key, size, rows.length);
      expect(full.map((row) => [row[0], row[1]])).toEqual(expected.map(([n, code]) => [BigInt(n), code]));
    }
  });

  it('binds 64-bit, decimal, float, temporal and binary boundaries back exactly', async () => {
    const { connector, table } = await databaseOf(
      'types',
      `CREATE TABLE ubig (k BIGINT UNSIGNED PRIMARY KEY);
       INSERT INTO ubig VALUES (0), (9007199254740992), (9007199254740993), (9007199254740994),
         (18446744073709551614), (18446744073709551615);
       CREATE TABLE sbig (k BIGINT PRIMARY KEY);
       INSERT INTO sbig VALUES (-9223372036854775808), (-9007199254740993), (-9007199254740992), (9223372036854775807);
       CREATE TABLE decs (k DECIMAL(30,20) PRIMARY KEY);
       INSERT INTO decs VALUES (0.10000000000000000001), (0.10000000000000000002), (-5), (1234567890.5);
       CREATE TABLE floats (k FLOAT PRIMARY KEY);
       INSERT INTO floats VALUES (0.1), (0.2), (-3.25), (16777216), (3.4e38), (1e-30);
       CREATE TABLE doubles (k DOUBLE PRIMARY KEY);
       INSERT INTO doubles VALUES (0.1), (0.30000000000000004), (0.3), (1e308), (-5e-324);
       CREATE TABLE times (k DATETIME(6) PRIMARY KEY);
       INSERT INTO times VALUES ('2020-01-01 00:00:00'), ('2020-01-01 00:00:00.000001'), ('1000-01-01 00:00:00'),
         ('9999-12-31 23:59:59.999999');
       CREATE TABLE bytes (k VARBINARY(8) PRIMARY KEY);
       INSERT INTO bytes VALUES (x''), (x'00'), (x'0000'), (x'41'), (x'61'), (x'ff'), (x'20');`,
    );
    for (const [name, count] of [
      ['ubig', 6],
      ['sbig', 4],
      ['decs', 4],
      ['floats', 6],
      ['doubles', 5],
      ['times', 4],
      ['bytes', 7],
    ] as const) {
      await checkPlan(connector, table(name), ['k'], 1, count);
      await checkPlan(connector, table(name), ['k'], 2, count);
    }
    const { full } = await checkPlan(connector, table('ubig'), ['k'], 1, 6);
    expect(full.map((row) => row[0])).toEqual([
      0n,
      9007199254740992n,
      9007199254740993n,
      9007199254740994n,
      18446744073709551614n,
      18446744073709551615n,
    ]);
  });
});

const ROWS = (from: number, count: number, label = 'new') =>
  Array.from({ length: count }, (_, i): CanonicalValue[] => [BigInt(from + i), `${label}-${from + i}`]);

/** Yields `rows` in batches of `size`, then throws. */
async function* failingAfter(rows: CanonicalValue[][], size: number): AsyncGenerator<RowBatch> {
  yield* batchesOf(rows, size);
  throw new Error('the source went away');
}

/** Yields batches with a pause before each, noting each in `log` as `name`, so that writes overlap. */
async function* slowly(
  rows: CanonicalValue[][],
  size: number,
  log: string[],
  name: string,
): AsyncGenerator<RowBatch> {
  for await (const batch of batchesOf(rows, size)) {
    await sleep(10);
    log.push(name);
    yield batch;
  }
}

/** A target database with tables `t` and `u` (`id INT PRIMARY KEY, v VARCHAR NOT NULL`) and its connector. */
async function targetOf(prefix: string) {
  const made = await databaseOf(
    prefix,
    `CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL);
     CREATE TABLE u (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL);`,
  );
  const rowsOf = (name: string) =>
    collectRows(made.connector.read(made.table(name), { batchRows: 100, batchBytes: 1 << 20 }));
  return { ...made, t: made.table('t'), u: made.table('u'), rowsOf };
}

const chunk = (table: string, no: number, run = 'run-1') => ({
  run,
  table,
  chunk: no,
  range: `{"after":["${no}"]}`,
});

describe('MariaDB chunk writes and progress records', () => {
  it('commits a chunk with its record or neither, and leaves rows it did not write alone', async () => {
    const { connector, t, rowsOf } = await targetOf('write');
    expect(await connector.recordedChunks('run-1')).toEqual([]);
    await connector.prepareProgress();
    await connector.prepareProgress();
    expect(await connector.recordedChunks('run-1')).toEqual([]);
    const kept = ROWS(1000, 5, 'kept');
    await connector.write(t, batchesOf(kept));

    const rows = ROWS(1, 100);
    await expect(
      connector.write(t, failingAfter(rows.slice(0, 60), 30), { chunk: chunk('t', 0) }),
    ).rejects.toThrow('the source went away');
    expect(await rowsOf('t')).toEqual(kept);
    expect(await connector.recordedChunks('run-1')).toEqual([]);

    const written = await connector.write(t, batchesOf(rows, 30), { chunk: chunk('t', 0) });
    expect(written).toEqual({ rows: 100, bytes: estimatedBytes(rows) });
    expect(await rowsOf('t')).toEqual([...rows, ...kept]);
    expect(await connector.recordedChunks('run-1')).toEqual([
      { ...chunk('t', 0), rows: 100, bytes: estimatedBytes(rows) },
    ]);

    // The same chunk again fails, and none of its rows stay.
    await expect(connector.write(t, batchesOf(ROWS(200, 10)), { chunk: chunk('t', 0) })).rejects.toThrow(
      /Recording chunk 0 of table "t"/,
    );
    expect(await rowsOf('t')).toEqual([...rows, ...kept]);
    expect(await connector.recordedChunks('run-1')).toHaveLength(1);
    // Another run's records are its own.
    await connector.write(t, batchesOf(ROWS(300, 3)), { chunk: chunk('t', 0, 'run-2') });
    expect(await connector.recordedChunks('run-2')).toEqual([
      { ...chunk('t', 0, 'run-2'), rows: 3, bytes: estimatedBytes(ROWS(300, 3)) },
    ]);
    expect(await connector.recordedChunks('run-1')).toHaveLength(1);
  });

  it('keeps the progress table out of introspect and existingTables', async () => {
    const { connector } = await targetOf('hidden');
    await connector.prepareProgress();
    const schema = await connector.introspect();
    expect(schema.tables.map((t) => t.name)).toEqual(['t', 'u']);
    expect((await connector.introspect({ tables: [PROGRESS_TABLE] })).tables).toEqual([]);
    expect(await connector.existingTables([PROGRESS_TABLE, 't'])).toEqual([{ name: 't', hasRows: false }]);
  });

  it('runs writes started at once side by side, into one table and into two', async () => {
    const { connector, t, u, rowsOf } = await targetOf('parallel');
    await connector.prepareProgress();
    const log: string[] = [];
    const parts = [ROWS(1, 40), ROWS(41, 40), ROWS(81, 40), ROWS(121, 40)];
    const results = await Promise.all([
      ...parts.map((rows, i) => connector.write(t, slowly(rows, 10, log, `t${i}`), { chunk: chunk('t', i) })),
      connector.write(u, slowly(ROWS(1, 25), 5, log, 'u0'), { chunk: chunk('u', 0) }),
      connector.write(u, slowly(ROWS(26, 25), 5, log, 'u1'), { chunk: chunk('u', 1) }),
    ]);
    expect(results.map((r) => r.rows)).toEqual([40, 40, 40, 40, 25, 25]);
    // Side by side, not one after another: every write had sent a batch before any sent its last.
    const firstLast = Math.min(...['t0', 't1', 't2', 't3', 'u0', 'u1'].map((name) => log.lastIndexOf(name)));
    for (const name of ['t0', 't1', 't2', 't3', 'u0', 'u1'])
      expect(log.indexOf(name)).toBeLessThan(firstLast);
    expect(await rowsOf('t')).toEqual(parts.flat());
    expect(await rowsOf('u')).toEqual(ROWS(1, 50));
    const records = await connector.recordedChunks('run-1');
    expect(records.map((r) => [r.table, r.chunk, r.rows])).toEqual([
      ['t', 0, 40],
      ['t', 1, 40],
      ['t', 2, 40],
      ['t', 3, 40],
      ['u', 0, 25],
      ['u', 1, 25],
    ]);
  });

  it('fills estimatedBytes from the statistics', async () => {
    const { connector } = await targetOf('stats');
    const schema = await connector.introspect();
    for (const table of schema.tables) expect(table.estimatedBytes).toBeGreaterThan(0);
  });
});

describe('MariaDB snapshot with several readers', () => {
  it('runs two reads at once, both as of the snapshot, while changes commit', async () => {
    const { database, connector, table } = await databaseOf(
      'snapreaders',
      `CREATE TABLE s (id INT PRIMARY KEY, v INT NOT NULL);
       INSERT INTO s VALUES ${Array.from({ length: 60 }, (_, i) => `(${i + 1}, ${i})`).join(', ')};`,
    );
    const s = table('s');
    const ranges = await connector.planChunks(s, { key: ['id'], rows: 30 });
    expect(ranges).toHaveLength(2);
    const snapshot = await connector.openSnapshot({ readers: 2 });
    expect(snapshot.readers).toBe(2);
    const [binlog] = (await mysqlQuery(undefined, 'SELECT @@log_bin AS on_')) as Array<{ on_: string }>;
    // The binlog position is recorded where the server keeps a binlog (scripts/setup-services.sh).
    if (Number(binlog!.on_) === 1) expect(snapshot.position?.position).toMatch(/^\d+$/);
    else expect(snapshot.position).toBeUndefined();
    await mysqlQuery(
      database.name,
      'UPDATE s SET v = -1; DELETE FROM s WHERE id IN (1, 60); INSERT INTO s VALUES (61, 0)',
    );

    const options = (range: KeyRange) => ({ batchRows: 4, batchBytes: 1 << 20, key: ['id'], range });
    const first = connector.read(s, options(ranges[0]!))[Symbol.asyncIterator]();
    const second = connector.read(s, options(ranges[1]!))[Symbol.asyncIterator]();
    const seen: CanonicalValue[][][] = [[], []];
    let open = [true, true];
    // Interleaved: both reads hold a reader connection at once.
    while (open.some(Boolean)) {
      const steps = await Promise.all(
        [first, second].map((iterator, i) => (open[i] ? iterator.next() : Promise.resolve(undefined))),
      );
      steps.forEach((step, i) => {
        if (!step) return;
        if (step.done) open[i] = false;
        else seen[i]!.push(...step.value.rows);
      });
      if (open.every(Boolean)) {
        // A third read finds no free reader.
        await expect(collectRows(connector.read(s, options(ranges[0]!)))).rejects.toMatchObject({
          code: 'SNAPSHOT_BUSY',
        });
      }
    }
    open = [];
    const before = Array.from({ length: 60 }, (_, i) => [BigInt(i + 1), BigInt(i)]);
    expect(seen[0]).toEqual(before.slice(0, 30));
    expect(seen[1]).toEqual(before.slice(30));

    // The readers are free again: reads one after another still see the snapshot.
    expect(await readRows(connector, s, ['id'], ranges[1])).toEqual(before.slice(30));
    await connector.releaseSnapshot();
    const after = await readRows(connector, s, ['id'], ranges[1]);
    expect(after.map((row) => row[0])).toEqual([
      ...Array.from({ length: 29 }, (_, i) => BigInt(i + 31)),
      61n,
    ]);
    expect(after.every((row) => row[1] === -1n || row[0] === 61n)).toBe(true);
  });

  it('opens every reader at the same point while commits keep coming', async () => {
    const { database, connector, table } = await databaseOf(
      'snappoint',
      'CREATE TABLE c (id INT AUTO_INCREMENT PRIMARY KEY, at DATETIME(6) NOT NULL);',
    );
    const c = table('c');
    const writer = await mysql.createConnection({ uri: database.url });
    let writing = true;
    const inserts = (async () => {
      while (writing) await writer.query('INSERT INTO c (at) VALUES (NOW(6))');
    })();
    try {
      await sleep(50);
      await connector.openSnapshot({ readers: 4 });
      await sleep(50);
      const reads = await Promise.all([0, 1, 2, 3].map(() => readRows(connector, c, ['id'])));
      expect(reads[0]!.length).toBeGreaterThan(0);
      for (const rows of reads.slice(1)) expect(rows).toEqual(reads[0]);
      const [count] = (await mysqlQuery(database.name, 'SELECT COUNT(*) AS n FROM c')) as Array<{
        n: string;
      }>;
      expect(Number(count!.n)).toBeGreaterThan(reads[0]!.length);
    } finally {
      writing = false;
      await inserts;
      await writer.end();
      await connector.releaseSnapshot();
    }
  });
});
