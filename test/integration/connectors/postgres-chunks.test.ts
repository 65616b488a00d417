/**
 * PostgreSQL chunks against the real server: plans whose range reads add up to the full read in
 * binary key order (integer, composite, ICU and nondeterministic text, unique-key and every
 * literal-sensitive key type), chunk writes that commit with their progress record or not at all,
 * concurrent writes on connections of their own, and parallel reads inside one snapshot.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type Connector, type KeyRange, PROGRESS_TABLE } from '../../../src/connectors/connector.js';
import { createPostgresConnector } from '../../../src/connectors/postgres/index.js';
import { postgresSelectStatement } from '../../../src/connectors/postgres/reader.js';
import { parseConnectionUrl } from '../../../src/connectors/url.js';
import { chunkKeyOf, type Table } from '../../../src/schema/table.js';
import type { CanonicalValue, RowBatch } from '../../../src/values/canonical.js';
import { batchesOf, collectRows } from '../../helpers/batches.js';
import { checkDensePlan, DENSE_IDS } from '../../helpers/dense-key-plan.js';
import { freshPostgres, pgQuery, type TestDatabase } from '../../helpers/servers.js';

const databases: TestDatabase[] = [];
const opened: Connector[] = [];

afterAll(async () => {
  for (const connector of opened.splice(0)) await connector.close();
  for (const db of databases.splice(0)) await db.drop();
});

/** A fresh database made by `sql`, its connector and its tables. */
async function databaseOf(prefix: string, sql: string) {
  const db = await freshPostgres(prefix);
  databases.push(db);
  if (sql) await pgQuery(db.name, sql);
  const connector = createPostgresConnector(parseConnectionUrl(db.url));
  await connector.connect();
  opened.push(connector);
  const schema = await connector.introspect();
  const table = (name: string) => {
    const found = schema.tables.find((t) => t.name === name);
    if (!found) throw new Error(`table ${name} not introspected`);
    return found;
  };
  return { db, connector, table };
}

/** The table without its row estimate: its chunks are planned by the walk. */
function withoutEstimate(table: Table): Table {
  const { estimatedRows: _estimate, ...rest } = table;
  return rest;
}

const readRows = (connector: Connector, table: Table, key: string[], range?: KeyRange) =>
  collectRows(connector.read(table, { batchRows: 7, batchBytes: 1 << 20, key, ...(range ? { range } : {}) }));

/**
 * Plans with `rows`, reads every range, and checks them against the full read in key order. The
 * key is unique, so each range holds `rows` rows but the last, which holds 1 to `rows`.
 */
async function checkPlan(connector: Connector, table: Table, key: string[], rows: number, total: number) {
  const ranges = await connector.planChunks(table, { key, rows });
  expect(ranges).toHaveLength(Math.max(1, Math.ceil(total / rows)));
  expect(ranges[0]!.after).toBeUndefined();
  expect(ranges.at(-1)!.through).toBeUndefined();
  for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.after).toBe(ranges[i - 1]!.through);
  const full = await readRows(connector, table, key);
  expect(full).toHaveLength(total);
  const pieces: CanonicalValue[][] = [];
  for (const [i, range] of ranges.entries()) {
    const part = await readRows(connector, table, key, range);
    if (i < ranges.length - 1) expect(part).toHaveLength(rows);
    else expect(part.length).toBeGreaterThan(0);
    pieces.push(...part);
  }
  // Same rows, same order: none twice, none missing, each range in key order.
  expect(pieces).toEqual(full);
  return { ranges, full };
}

const literal = (text: string) => pg.escapeLiteral(text);
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const WORDS = [
  'a',
  'B',
  'b',
  'É',
  'é',
  'z',
  'Z',
  'Ab',
  'aB',
  'ab',
  'AB',
  'ä',
  'Ä',
  'ß',
  '',
  ' ',
  'a b',
  '日本',
  '😀',
];
/** Words none of which are equal under a case-insensitive collation. */
const CI_WORDS = ['a', 'B', 'c', 'É', 'y', 'Z', 'ä', 'ß', 'mb', 'Ma', '日本', '😀'];

describe('PostgreSQL planChunks and ranged reads', () => {
  it('walks an integer key the statistics cannot vouch for, and a range read keeps its index range scan', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => (i - 50) * 3);
    const { db, connector, table } = await databaseOf(
      'pgchint',
      `CREATE TABLE ints (id int PRIMARY KEY, v text);
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

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('SET enable_seqscan = off; SET enable_bitmapscan = off');
      const select = postgresSelectStatement('public', ints, { key: ['id'], range: ranges[1]! });
      const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${select}`)).rows
        .map((row) => row['QUERY PLAN'])
        .join('\n');
      expect(plan).toMatch(/Index Scan using ints_pkey/);
      expect(plan).toMatch(/Index Cond: \(\(id > .*\) AND \(id <= /);
      expect(plan).not.toMatch(/Sort/);
    } finally {
      await client.end();
    }
  });

  it('cuts a dense integer key between its min and max, every range at most `rows` rows', async () => {
    const { connector, table } = await databaseOf(
      'pgchintd',
      `CREATE TABLE dense (id bigint PRIMARY KEY, v text);
       INSERT INTO dense VALUES ${DENSE_IDS.map((id) => `(${id}, 'v${id}')`).join(', ')};
       CREATE TABLE e (id smallint PRIMARY KEY);`,
    );
    await checkDensePlan(connector, table('dense'));
    expect(
      await connector.planChunks({ ...table('e'), estimatedRows: 10 }, { key: ['id'], rows: 5 }),
    ).toEqual([{}]);
  });

  it('splits a composite (integer, text) key in binary order, not the collation order', async () => {
    const rows = [1, 2, 3].flatMap((a) => WORDS.map((b) => [a, b] as const));
    const { connector, table } = await databaseOf(
      'pgchcomp',
      `CREATE TABLE comp (a int NOT NULL, b text COLLATE "en-x-icu" NOT NULL, v int, PRIMARY KEY (a, b));
       INSERT INTO comp VALUES ${rows.map(([a, b], i) => `(${a}, ${literal(b)}, ${i})`).join(', ')};`,
    );
    const expected = [...rows].sort((x, y) => x[0] - y[0] || byteOrder(x[1], y[1]));
    for (const size of [1, 4, 7, 19, 57]) {
      const { full } = await checkPlan(connector, table('comp'), ['a', 'b'], size, rows.length);
      expect(full.map((row) => [row[0], row[1]])).toEqual(expected.map(([a, b]) => [BigInt(a), b]));
    }
  });

  it('splits ICU and case-insensitive text keys by their bytes', async () => {
    const { db, connector, table } = await databaseOf(
      'pgchtext',
      `CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
       CREATE TABLE icu (w text COLLATE "en-x-icu" PRIMARY KEY, n int);
       INSERT INTO icu VALUES ${WORDS.map((w, i) => `(${literal(w)}, ${i})`).join(', ')};
       CREATE TABLE nocase (w varchar(10) COLLATE ci PRIMARY KEY, n int);
       INSERT INTO nocase VALUES ${CI_WORDS.map((w, i) => `(${literal(w)}, ${i})`).join(', ')};`,
    );
    // The test means something only if the collations order the words otherwise.
    const collated = async (name: string) =>
      (await pgQuery<{ w: string }>(db.name, `SELECT w FROM ${name} ORDER BY w`)).map((row) => row.w);
    expect(await collated('icu')).not.toEqual([...WORDS].sort(byteOrder));
    expect(await collated('nocase')).not.toEqual([...CI_WORDS].sort(byteOrder));
    await expect(pgQuery(db.name, "INSERT INTO nocase VALUES ('A', 0)")).rejects.toThrow(/duplicate key/);
    for (const size of [1, 2, 5]) {
      const icu = await checkPlan(connector, table('icu'), ['w'], size, WORDS.length);
      expect(icu.full.map((row) => row[0])).toEqual([...WORDS].sort(byteOrder));
      const nocase = await checkPlan(connector, table('nocase'), ['w'], size, CI_WORDS.length);
      expect(nocase.full.map((row) => row[0])).toEqual([...CI_WORDS].sort(byteOrder));
    }
  });

  it('splits a table without primary key on its unique NOT NULL key', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => [i % 7, `${WORDS[i % WORDS.length]}${i}`] as const);
    const { connector, table } = await databaseOf(
      'pgchuniq',
      `CREATE TABLE uniq (n int NOT NULL, code text COLLATE "en-x-icu" NOT NULL, note text, UNIQUE (n, code));
       INSERT INTO uniq VALUES ${rows.map(([n, code]) => `(${n}, ${literal(code)}, NULL)`).join(', ')};`,
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

  it('inlines boundaries of every key type as literals that read back exactly', async () => {
    const keys: Array<{ type: string; values: string[] }> = [
      { type: 'bigint', values: ['-9223372036854775808', '-1', '0', '9223372036854775807'] },
      { type: 'smallint', values: ['-32768', '0', '32767'] },
      { type: 'numeric(10,2)', values: ['-99999999.99', '-1.5', '0', '0.01', '1.50', '12345678.9'] },
      { type: 'numeric', values: ['NaN', '1e-20', '123456789012345678901234567890.5', '-0.5', '7'] },
      {
        type: 'double precision',
        values: [
          '-Infinity',
          '-1e308',
          '0',
          '5e-324',
          '0.1',
          '0.30000000000000004',
          '1e21',
          'Infinity',
          'NaN',
        ],
      },
      { type: 'real', values: ['-Infinity', '0.1', '3.4028235e38', '1.4e-45', '16777217', '1e-10', 'NaN'] },
      {
        type: 'timestamptz',
        values: [
          '-infinity',
          '4713-01-01 00:00:00+00 BC',
          '0001-01-01 00:00:00+00',
          '2020-01-01 10:00:00.123456+00',
          '2020-01-01 10:00:00.1+02',
          '294276-12-31 23:59:59.999999+00',
          'infinity',
        ],
      },
      {
        type: 'timestamp(3)',
        values: ['0044-03-15 12:00:00 BC', '1999-12-31 00:00:00', '2020-02-29 23:59:59.999'],
      },
      { type: 'date', values: ['-infinity', '4713-01-01 BC', '2000-02-29', '5874897-12-31', 'infinity'] },
      { type: 'time(6)', values: ['00:00:00', '12:34:56.000001', '23:59:59.999999', '24:00:00'] },
      { type: 'timetz', values: ['10:00:00+02', '10:00:00-03', '23:00:00.5+00'] },
      { type: 'interval', values: ['-1 mon', '00:00:01.5', '1 day', '1 year 2 mons'] },
      {
        type: 'uuid',
        values: [
          '00000000-0000-0000-0000-000000000000',
          'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
          'ffffffff-0000-0000-0000-000000000001',
        ],
      },
      { type: 'bytea', values: ['\\x', '\\x00', '\\x0000', '\\x01', '\\x7f', '\\x80', '\\xff', '\\xff00'] },
      { type: 'char(3)', values: ['a', 'ab', 'abc', 'A', ' a'] },
      {
        type: 'varchar(20)',
        values: ["it's", 'back\\slash', 'tab\tx', 'line\nbreak', '\\x41', "E'x'", '%_'],
      },
      { type: 'mood', values: ['zebra', 'apple', 'Mango', 'äpfel'] },
      { type: 'boolean', values: ['false', 'true'] },
      { type: 'bit(4)', values: ['0000', '0101', '1111'] },
      { type: 'varbit(8)', values: ['', '0', '01', '1'] },
      { type: 'inet', values: ['10.0.0.1', '::1', '192.168.0.0/16'] },
      { type: 'jsonb', values: ['{"a": 1}', '[]', '"x"', 'null', '{"a": [1, 2.50]}'] },
      { type: 'int[]', values: ['{}', '{1}', '{1,2}', '{-1,5}'] },
      { type: 'money', values: ['-3.50', '0', '1234.56'] },
    ];
    const sql = keys
      .map(
        ({ type, values }, i) =>
          `CREATE TABLE k${i} (k ${type} PRIMARY KEY, n int);
           INSERT INTO k${i} VALUES ${values.map((v, n) => `(${literal(v)}::${type}, ${n})`).join(', ')};`,
      )
      .join('\n');
    const { connector, table } = await databaseOf(
      'pgchtypes',
      `CREATE TYPE mood AS ENUM ('zebra', 'apple', 'Mango', 'äpfel');\n${sql}`,
    );
    for (const [i, { values }] of keys.entries()) {
      for (const size of [1, 2, 3]) await checkPlan(connector, table(`k${i}`), ['k'], size, values.length);
    }
    // An enum key goes by its labels' bytes, not its declaration order.
    const moods = await readRows(connector, table(`k${keys.findIndex((k) => k.type === 'mood')}`), ['k']);
    expect(moods.map((row) => row[0])).toEqual(['Mango', 'apple', 'zebra', 'äpfel']);
  });
});

const ROWS = (from: number, count: number, label = 'new') =>
  Array.from({ length: count }, (_, i): CanonicalValue[] => [BigInt(from + i), `${label}-${from + i}`]);

/** What COPY carries for rows of (bigint, text without special characters). */
const copyBytes = (rows: CanonicalValue[][]) =>
  rows.reduce((sum, row) => sum + Buffer.byteLength(`${row[0]}\t${row[1]}\n`), 0);

/** Yields `rows` in batches of `size`, then throws. */
async function* failingAfter(rows: CanonicalValue[][], size: number): AsyncGenerator<RowBatch> {
  yield* batchesOf(rows, size);
  throw new Error('the source went away');
}

/** Yields batches with a pause before each, counting how many such iterators run at once. */
function pacer() {
  const state = { active: 0, most: 0 };
  async function* slowly(rows: CanonicalValue[][], size: number): AsyncGenerator<RowBatch> {
    state.active++;
    state.most = Math.max(state.most, state.active);
    try {
      for await (const batch of batchesOf(rows, size)) {
        await sleep(50);
        yield batch;
      }
    } finally {
      state.active--;
    }
  }
  return { state, slowly };
}

const TARGET_SQL = `CREATE TABLE t (id bigint PRIMARY KEY, v text NOT NULL);
CREATE TABLE u (id bigint PRIMARY KEY, v text NOT NULL);`;

/** A target database with tables `t` and `u` and its connector. */
async function targetOf(prefix: string, extra = '') {
  const target = await databaseOf(prefix, `${TARGET_SQL}${extra}`);
  const rowsOf = (name: string) =>
    collectRows(target.connector.read(target.table(name), { batchRows: 100, batchBytes: 1 << 20 }));
  return { ...target, t: target.table('t'), u: target.table('u'), rowsOf };
}

const chunk = (table: string, no: number, run = 'run-1') => ({
  run,
  table,
  chunk: no,
  range: `{"chunk":${no}}`,
});

describe('PostgreSQL chunk writes and progress records', () => {
  it('commits a chunk with its record or neither, and leaves rows it did not write alone', async () => {
    const { db, connector, t, rowsOf } = await targetOf('pgchwrite');
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
    // A row the target refuses (it repeats a kept key) fails the chunk: no row, no record.
    await expect(
      connector.write(t, batchesOf([...ROWS(1, 3), ...ROWS(1000, 1)]), { chunk: chunk('t', 0) }),
    ).rejects.toMatchObject({ code: 'VALUE_DUPLICATE_KEY' });
    expect(await rowsOf('t')).toEqual(kept);
    expect(await connector.recordedChunks('run-1')).toEqual([]);

    const written = await connector.write(t, batchesOf(rows, 30), { chunk: chunk('t', 0) });
    expect(written).toEqual({ rows: 100, bytes: copyBytes(rows) });
    expect(await rowsOf('t')).toEqual([...rows, ...kept]);
    expect(await connector.recordedChunks('run-1')).toEqual([{ ...chunk('t', 0), ...written }]);
    const [stamp] = await pgQuery<{ age: number }>(
      db.name,
      `SELECT extract(epoch FROM now() - written_at)::float8 AS age FROM ${PROGRESS_TABLE}`,
    );
    expect(stamp!.age).toBeGreaterThanOrEqual(0);
    expect(stamp!.age).toBeLessThan(60);

    // The same chunk again fails, and none of its rows stay.
    await expect(connector.write(t, batchesOf(ROWS(200, 10)), { chunk: chunk('t', 0) })).rejects.toThrow(
      /Recording chunk 0 of table "t".*recorded already/,
    );
    expect(await rowsOf('t')).toEqual([...rows, ...kept]);
    expect(await connector.recordedChunks('run-1')).toHaveLength(1);
    // Another run's records are its own.
    await connector.write(t, batchesOf(ROWS(300, 3)), { chunk: chunk('t', 0, 'run-2') });
    expect(await connector.recordedChunks('run-2')).toEqual([
      { ...chunk('t', 0, 'run-2'), rows: 3, bytes: copyBytes(ROWS(300, 3)) },
    ]);
    expect(await connector.recordedChunks('run-1')).toHaveLength(1);
  });

  it('keeps the progress table out of introspect and existingTables, and estimates table sizes', async () => {
    const { db, connector } = await targetOf('pghidden');
    await connector.prepareProgress();
    await connector.write(
      (await connector.introspect()).tables[0]!,
      batchesOf(ROWS(1, 500, 'x'.repeat(100))),
    );
    const before = await connector.introspect();
    expect(before.tables.map((t) => t.name)).toEqual(['t', 'u']);
    // Never analyzed: no statistics to estimate from.
    expect(before.tables[0]!.estimatedBytes).toBeUndefined();
    expect((await connector.introspect({ tables: [PROGRESS_TABLE] })).tables).toEqual([]);
    expect(await connector.existingTables([PROGRESS_TABLE, 't'])).toEqual([{ name: 't', hasRows: true }]);

    await pgQuery(db.name, 'ANALYZE');
    const [t, u] = (await connector.introspect()).tables;
    expect(t!.estimatedRows).toBe(500);
    // 500 rows of about 140 bytes on 8 kB pages.
    expect(t!.estimatedBytes! % 8192).toBe(0);
    expect(t!.estimatedBytes).toBeGreaterThanOrEqual(500 * 120);
    expect(t!.estimatedBytes).toBeLessThan(500 * 300);
    expect(u!.estimatedBytes).toBe(0);
  });

  it('runs writes started at once side by side, into one table and into two', async () => {
    const { connector, t, u, rowsOf } = await targetOf('pgchpar');
    await connector.prepareProgress();
    const { state, slowly } = pacer();
    const parts = Array.from({ length: 14 }, (_, i) => ROWS(1 + i * 20, 20));
    const results = await Promise.all([
      ...parts.map((rows, i) => connector.write(t, slowly(rows, 5), { chunk: chunk('t', i) })),
      connector.write(u, slowly(ROWS(1, 25), 5), { chunk: chunk('u', 0) }),
      connector.write(u, slowly(ROWS(26, 25), 5), { chunk: chunk('u', 1) }),
    ]);
    // All 16 (the engine's most) held a transaction at the same time: none waited for a connection.
    expect(state.most).toBe(16);
    expect(results.map((r) => r.rows)).toEqual([...parts.map(() => 20), 25, 25]);
    expect(await rowsOf('t')).toEqual(parts.flat());
    expect(await rowsOf('u')).toEqual(ROWS(1, 50));
    const records = await connector.recordedChunks('run-1');
    expect(records.map((r) => [r.table, r.chunk, r.rows])).toEqual([
      ...parts.map((_, i) => ['t', i, 20]),
      ['u', 0, 25],
      ['u', 1, 25],
    ]);
  });
});

describe('PostgreSQL snapshot with chunks', () => {
  it('gives the readers asked for, whose reads at once see the snapshot only', async () => {
    const { db, connector, table } = await databaseOf(
      'pgchsnap',
      `CREATE TABLE s (id int PRIMARY KEY, v int);
       INSERT INTO s SELECT i, i - 1 FROM generate_series(1, 50) i;`,
    );
    const s = table('s');
    const ranges = await connector.planChunks(s, { key: ['id'], rows: 10 });
    expect(ranges).toHaveLength(5);
    const snapshot = await connector.openSnapshot({ readers: 4 });
    expect(snapshot.readers).toBe(4);
    await pgQuery(db.name, 'UPDATE s SET v = -1; INSERT INTO s VALUES (51, 50);');

    // Two reads at once, each pulled one row at a time, with a commit while both are open.
    const reads = [ranges[0]!, ranges[4]!].map((range) =>
      connector.read(s, { batchRows: 1, batchBytes: 1 << 20, key: ['id'], range })[Symbol.asyncIterator](),
    );
    const seen: CanonicalValue[][][] = [[], []];
    for (const [i, read] of reads.entries()) seen[i]!.push(...((await read.next()).value as RowBatch).rows);
    const open = await pgQuery<{ n: number }>(
      db.name,
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'idle in transaction'",
      [db.name],
    );
    // The coordinator and both readers.
    expect(open[0]!.n).toBe(3);
    await pgQuery(db.name, 'DELETE FROM s WHERE id IN (2, 45); INSERT INTO s VALUES (52, 51);');
    for (const [i, read] of reads.entries()) {
      for (let next = await read.next(); !next.done; next = await read.next())
        seen[i]!.push(...next.value.rows);
    }
    const expected = (from: number) =>
      Array.from({ length: 10 }, (_, i) => [BigInt(from + i), BigInt(from + i - 1)]);
    expect(seen).toEqual([expected(1), expected(41)]);

    await connector.releaseSnapshot();
    const after = await readRows(connector, s, ['id'], ranges[4]);
    expect(after.map((row) => row[0])).toEqual([41n, 42n, 43n, 44n, 46n, 47n, 48n, 49n, 50n, 51n, 52n]);
    expect(after.map((row) => row[1])).toEqual([...Array(9).fill(-1n), 50n, 51n]);
    expect((await connector.openSnapshot()).readers).toBe(1);
    await connector.releaseSnapshot();
    expect((await connector.openSnapshot({ readers: 0 })).readers).toBe(1);
    await connector.releaseSnapshot();
  });
});
