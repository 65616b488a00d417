/**
 * SQLite chunks against real files: plans whose range reads add up to the full read in binary key
 * order (integer, composite, NOCASE and case-sensitive text, unique-key, mixed storage classes, NULL
 * and invalid-text keys), chunk writes that commit with their progress record or not at all,
 * concurrent writes serialized on the one connection, and the one-reader snapshot.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type Connector, type KeyRange, PROGRESS_TABLE } from '../../../src/connectors/connector.js';
import { chunkKeyOf, type Table } from '../../../src/schema/table.js';
import type { CanonicalValue, RowBatch } from '../../../src/values/canonical.js';
import { batchesOf, collectRows, estimatedBytes } from '../../helpers/batches.js';
import { sqliteFiles } from '../../helpers/sqlite-files.js';

const { fresh, connect, releaseAll } = sqliteFiles();
afterAll(releaseAll);

function exec(path: string, sql: string): void {
  const db = new Database(path);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

/** A file made by `sql`, its connector and its tables. */
async function sourceOf(prefix: string, sql: string) {
  const file = await fresh(prefix);
  exec(file.name, sql);
  const connector = await connect(file.url);
  const schema = await connector.introspect();
  const table = (name: string) => schema.tables.find((t) => t.name === name)!;
  return { file, connector, table };
}

const readRows = (connector: Connector, table: Table, key: string[], range?: KeyRange) =>
  collectRows(
    connector.read(table, {
      batchRows: 7,
      batchBytes: 1 << 20,
      key,
      targetDialect: 'sqlite',
      ...(range ? { range } : {}),
    }),
  );

/**
 * Plans with `rows`, reads every range, and checks them against the full read in key order.
 * `sized`: the key is unique, so each range holds `rows` rows but the last.
 */
async function checkPlan(
  connector: Connector,
  table: Table,
  key: string[],
  rows: number,
  total: number,
  sized = true,
) {
  const ranges = await connector.planChunks(table, { key, rows });
  if (sized) expect(ranges.length).toBe(total <= rows ? 1 : Math.ceil(total / rows));
  expect(ranges[0]!.after).toBeUndefined();
  expect(ranges.at(-1)!.through).toBeUndefined();
  for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.after).toBe(ranges[i - 1]!.through);
  const full = await readRows(connector, table, key);
  expect(full).toHaveLength(total);
  const pieces: CanonicalValue[][] = [];
  for (const range of ranges) {
    const part = await readRows(connector, table, key, range);
    if (sized) expect(part.length).toBeGreaterThan(0);
    if (sized) expect(part.length).toBeLessThanOrEqual(rows);
    pieces.push(...part);
  }
  // Same rows, same order: none twice, none missing, each range in key order.
  expect(pieces).toEqual(full);
  return { ranges, full };
}

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
/** Words whose NOCASE order differs from their byte order, none equal under NOCASE (which folds ASCII only). */
const NOCASE_WORDS = ['a', 'B', 'c', 'É', 'é', 'y', 'Z', 'ä', 'Ä', 'ß', 'mb', 'Ma', '日本', '😀'];

describe('SQLite planChunks and ranged reads', () => {
  it('splits an integer key, keeping its index range scan', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => (i - 50) * 3);
    const { connector, table } = await sourceOf(
      'int',
      `CREATE TABLE ints (id INTEGER PRIMARY KEY, v TEXT);
       INSERT INTO ints VALUES ${ids.map((id) => `(${id}, 'v${id}')`).join(', ')};`,
    );
    for (const rows of [1, 17, 100, 199, 200, 500])
      await checkPlan(connector, table('ints'), ['id'], rows, 200);
    const { ranges, full } = await checkPlan(connector, table('ints'), ['id'], 64, 200);
    expect(ranges[0]).toEqual({ through: [BigInt(ids[63]!)] });
    expect(full.map((row) => row[0])).toEqual(ids.map(BigInt));
    expect(await connector.planChunks(table('ints'), { key: ['id'], rows: 200 })).toEqual([{}]);
  });

  it('splits a composite (integer, text) key in binary order', async () => {
    const rows = [1, 2, 3].flatMap((a) => WORDS.map((b) => [a, b] as const));
    const { connector, table } = await sourceOf(
      'comp',
      `CREATE TABLE comp (a INTEGER NOT NULL, b TEXT NOT NULL COLLATE NOCASE, v INTEGER, PRIMARY KEY (a, b COLLATE BINARY));
       INSERT INTO comp VALUES ${rows.map(([a, b], i) => `(${a}, '${b}', ${i})`).join(', ')};`,
    );
    for (const size of [1, 4, 7, 19]) {
      const { full } = await checkPlan(connector, table('comp'), ['a', 'b'], size, rows.length);
      const expected = [...rows].sort((x, y) => x[0] - y[0] || byteOrder(x[1], y[1]));
      expect(full.map((row) => [row[0], row[1]])).toEqual(expected.map(([a, b]) => [BigInt(a), b]));
    }
  });

  it('splits NOCASE and case-sensitive text keys by their bytes, not by the collation', async () => {
    const { connector, table } = await sourceOf(
      'text',
      `CREATE TABLE nocase (w TEXT COLLATE NOCASE PRIMARY KEY, n INTEGER) WITHOUT ROWID;
       INSERT INTO nocase VALUES ${NOCASE_WORDS.map((w, i) => `('${w}', ${i})`).join(', ')};
       CREATE TABLE exact (w TEXT PRIMARY KEY NOT NULL, n INTEGER);
       INSERT INTO exact VALUES ${WORDS.map((w, i) => `('${w}', ${i})`).join(', ')};`,
    );
    const nocase = [...NOCASE_WORDS].sort(byteOrder);
    // The test means something only if the collation orders them otherwise.
    expect(nocase).not.toEqual(
      [...NOCASE_WORDS].sort((a, b) => byteOrder(a.toLowerCase(), b.toLowerCase()) || byteOrder(a, b)),
    );
    for (const size of [1, 2, 5]) {
      const { full } = await checkPlan(connector, table('nocase'), ['w'], size, NOCASE_WORDS.length);
      expect(full.map((row) => row[0])).toEqual(nocase);
      const exact = await checkPlan(connector, table('exact'), ['w'], size, WORDS.length);
      expect(exact.full.map((row) => row[0])).toEqual([...WORDS].sort(byteOrder));
    }
  });

  it('splits a table without primary key on its unique NOT NULL key', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => [i % 7, `${WORDS[i % WORDS.length]}${i}`] as const);
    const { connector, table } = await sourceOf(
      'uniq',
      `CREATE TABLE uniq (n INTEGER NOT NULL, code TEXT NOT NULL COLLATE NOCASE, note TEXT);
       CREATE UNIQUE INDEX uniq_n_code ON uniq (n, code);
       INSERT INTO uniq VALUES ${rows.map(([n, code]) => `(${n}, '${code}', NULL)`).join(', ')};`,
    );
    const uniq = table('uniq');
    expect(uniq.primaryKey).toEqual([]);
    const key = chunkKeyOf(uniq)!;
    expect(key).toEqual(['n', 'code']);
    for (const size of [1, 9, 50, 120]) {
      const { full } = await checkPlan(connector, uniq, key, size, rows.length);
      const expected = [...rows].sort((x, y) => x[0] - y[0] || byteOrder(x[1], y[1]));
      expect(full.map((row) => [row[0], row[1]])).toEqual(expected.map(([n, code]) => [BigInt(n), code]));
    }
  });

  it('puts every row of mixed storage classes, respelled values, NULL and invalid text keys in one range', async () => {
    const { file, connector, table } = await sourceOf(
      'mixed',
      // INT (not INTEGER) is no rowid alias: any storage class fits. NUMERIC reads as decimal text,
      // UUID TEXT is read lower-cased, a text PRIMARY KEY of a rowid table may hold NULLs.
      `CREATE TABLE mixed (k INT PRIMARY KEY NOT NULL, v TEXT);
       INSERT INTO mixed VALUES (-3, 'a'), (0, 'b'), (1.5, 'c'), (2, 'd'), (2.5, 'e'), (9223372036854775807, 'f'),
         ('abc', 'g'), ('ABC', 'h'), (' 12x', 'i'), ('é', 'j'), ('', 'k'), (x'00', 'l'), (x'ff', 'm'), (x'', 'n'),
         (CAST(x'41ff42' AS TEXT), 'o'), (CAST(x'41ff43' AS TEXT), 'p'), (1e300, 'q');
       CREATE TABLE anyk (k PRIMARY KEY NOT NULL, v TEXT);
       INSERT INTO anyk VALUES (5, 'a'), (5.5, 'b'), ('5', 'c'), (x'35', 'd'), ('4', 'e'), (6, 'f'), ('6', 'g'), (x'36', 'h');
       CREATE TABLE dec (k NUMERIC(10,2) PRIMARY KEY NOT NULL, v TEXT);
       INSERT INTO dec VALUES (1, 'a'), (1.5, 'b'), (2.25, 'c'), ('1.5x', 'd'), (-0.1, 'e'), (100, 'f');
       CREATE TABLE uuid (k UUID TEXT PRIMARY KEY NOT NULL, v TEXT);
       INSERT INTO uuid VALUES ('A0000000-0000-0000-0000-000000000000', 'a'), ('b0000000-0000-0000-0000-000000000000', 'b'),
         ('B1000000-0000-0000-0000-000000000000', 'c'), ('a1000000-0000-0000-0000-000000000000', 'd');
       CREATE TABLE legacy (k TEXT PRIMARY KEY, v TEXT);
       INSERT INTO legacy VALUES (NULL, 'a'), (NULL, 'b'), ('x', 'c'), ('X', 'd'), (NULL, 'e'), ('y', 'f');`,
    );
    const db = new Database(file.name, { readonly: true });
    db.defaultSafeIntegers(true);
    const count = (name: string) => Number(db.prepare(`SELECT count(*) FROM ${name}`).pluck().get());
    const classes = db.prepare('SELECT DISTINCT typeof(k) FROM mixed ORDER BY 1').pluck().all();
    expect(classes).toEqual(['blob', 'integer', 'real', 'text']);
    for (const name of ['mixed', 'anyk', 'dec', 'uuid', 'legacy']) {
      const all = count(name);
      for (const size of [1, 2, 3, 5]) {
        // NULL keys of `legacy` are not unique: a range may hold more rows.
        const { full } = await checkPlan(connector, table(name), ['k'], size, all, name !== 'legacy');
        // The full read follows SQLite's order of storage classes: v tells the rows apart.
        const order = db.prepare(`SELECT v FROM ${name} ORDER BY k COLLATE BINARY, v`).pluck().all();
        expect(full.map((row) => row[1])).toEqual(order);
      }
    }
    db.close();
  });
});

const ROWS = (from: number, count: number, label = 'new') =>
  Array.from({ length: count }, (_, i): CanonicalValue[] => [BigInt(from + i), `${label}-${from + i}`]);

/** Yields `rows` in batches of `size`, then throws. */
async function* failingAfter(rows: CanonicalValue[][], size: number): AsyncGenerator<RowBatch> {
  yield* batchesOf(rows, size);
  throw new Error('the source went away');
}

/** Yields batches with a pause before each, so that writes overlap. */
async function* slowly(rows: CanonicalValue[][], size: number): AsyncGenerator<RowBatch> {
  for await (const batch of batchesOf(rows, size)) {
    await sleep(5);
    yield batch;
  }
}

/** A target file with tables `t` and `u` (`id INTEGER PRIMARY KEY, v TEXT`) and their connector. */
async function targetOf(prefix: string) {
  const file = await fresh(prefix);
  exec(
    file.name,
    'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE TABLE u (id INTEGER PRIMARY KEY, v TEXT NOT NULL);',
  );
  const connector = await connect(file.url);
  const schema = await connector.introspect();
  const table = (name: string) => schema.tables.find((t) => t.name === name)!;
  const rowsOf = (name: string) =>
    collectRows(connector.read(table(name), { batchRows: 100, batchBytes: 1 << 20 }));
  return { file, connector, t: table('t'), u: table('u'), rowsOf };
}

const chunk = (table: string, no: number, run = 'run-1') => ({
  run,
  table,
  chunk: no,
  range: `{"chunk":${no}}`,
});

describe('SQLite chunk writes and progress records', () => {
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
    expect(await connector.existingTables([PROGRESS_TABLE, PROGRESS_TABLE.toUpperCase(), 't'])).toEqual([
      { name: 't', hasRows: false },
    ]);
  });

  it('runs writes started at once one after another, into one table and into two', async () => {
    const { connector, t, u, rowsOf } = await targetOf('parallel');
    await connector.prepareProgress();
    const parts = [ROWS(1, 40), ROWS(41, 40), ROWS(81, 40), ROWS(121, 40)];
    const results = await Promise.all([
      ...parts.map((rows, i) => connector.write(t, slowly(rows, 10), { chunk: chunk('t', i) })),
      connector.write(u, slowly(ROWS(1, 25), 5), { chunk: chunk('u', 0) }),
      connector.write(u, slowly(ROWS(26, 25), 5), { chunk: chunk('u', 1) }),
    ]);
    expect(results.map((r) => r.rows)).toEqual([40, 40, 40, 40, 25, 25]);
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
});

describe('SQLite snapshot with chunks', () => {
  it('gives one reader whatever is asked, and chunk reads see the snapshot only', async () => {
    const { file, connector, table } = await sourceOf(
      'snapshot',
      `PRAGMA journal_mode = WAL; CREATE TABLE s (id INTEGER PRIMARY KEY, v INTEGER);
       INSERT INTO s VALUES ${Array.from({ length: 50 }, (_, i) => `(${i + 1}, ${i})`).join(', ')};`,
    );
    const ranges = await connector.planChunks(table('s'), { key: ['id'], rows: 10 });
    expect(ranges).toHaveLength(5);
    const snapshot = await connector.openSnapshot({ readers: 4 });
    expect(snapshot.readers).toBe(1);
    exec(file.name, 'UPDATE s SET v = -1; INSERT INTO s VALUES (51, 50);');
    const seen: CanonicalValue[][] = [];
    for (const range of ranges) seen.push(...(await readRows(connector, table('s'), ['id'], range)));
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => [BigInt(i + 1), BigInt(i)]));
    await connector.releaseSnapshot();
    const after = await readRows(connector, table('s'), ['id'], ranges.at(-1));
    expect(after.map((row) => row[1])).toEqual([...Array(10).fill(-1n), 50n]);
  });
});
