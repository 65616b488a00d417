/**
 * Conformance of the MariaDB checksum SQL (src/connectors/mysql/checksum.ts) with the JS definition
 * (src/values/canonical-text.ts) on the real server: for every row of the torture and awkward
 * fixtures (and of this file's own awkward types) the row text the server renders is byte-equal to
 * `canonicalRowText` of what the reader yields, the chunk checksums equal a ChunkHasher over those
 * texts, ranges cover exactly the reader's rows, and native checksums catch a one-ulp, one-byte or
 * one-microsecond change that a collation or a 6-digit FLOAT print would hide.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyRange } from '../../../src/connectors/connector.js';
import {
  mysqlCanRender,
  mysqlChunkChecksum,
  mysqlRowTextSql,
} from '../../../src/connectors/mysql/checksum.js';
import { mysqlKeyColumns, mysqlKeyOrder, mysqlKeySql } from '../../../src/connectors/mysql/chunks.js';
import { MysqlConnector } from '../../../src/connectors/mysql/index.js';
import { type MysqlConnection, MysqlSession } from '../../../src/connectors/mysql/session.js';
import { quoteIdentifier } from '../../../src/connectors/mysql/sql.js';
import { parseConnectionUrl } from '../../../src/connectors/url.js';
import { type Column, copiedColumns, type Table } from '../../../src/schema/table.js';
import type { CanonicalValue, Row } from '../../../src/values/canonical.js';
import {
  type ChecksumMode,
  type ChunkChecksum,
  ChunkHasher,
  canonicalRowText,
} from '../../../src/values/canonical-text.js';
import { freshMysql, mysqlQuery, type TestDatabase } from '../../helpers/servers.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/mysql/${name}`, import.meta.url), 'utf8');
const TORTURE = fixture('torture.sql');
const AWKWARD = fixture('awkward.sql');

/**
 * Types and values the fixtures lack: other character sets and collations, DOUBLE(M,D), FLOAT(M,D),
 * doubles between 1e15 and 1e16 (MariaDB prints them fixed, the spec with an exponent), trailing
 * zeros of integer parts, fractions of every width, YEAR, short BIT, INET4/INET6, separators inside
 * text, a generated column, and a composite text key whose binary order is not its collation's.
 */
const EXTRAS = `
SET NAMES utf8mb4;
SET SESSION time_zone = '+00:00';
SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION';
CREATE TABLE x_types (
  id   INT NOT NULL PRIMARY KEY,
  bin  VARCHAR(20) COLLATE utf8mb4_bin NULL,
  mb3  VARCHAR(20) CHARACTER SET utf8mb3 NULL,
  u16  VARCHAR(20) CHARACTER SET utf16 NULL,
  asc7 VARCHAR(20) CHARACTER SET ascii NULL,
  le   ENUM('ä', 'b|c') CHARACTER SET latin1 NULL,
  ls   SET('ä', 'b:c') CHARACTER SET latin1 NULL,
  tt   TINYTEXT NULL,
  mb   MEDIUMBLOB NULL,
  bn   BINARY(3) NULL,
  dd   DOUBLE NULL,
  d2   DOUBLE(10,2) NULL,
  d20  DOUBLE(20,4) NULL,
  f74  FLOAT(7,4) NULL,
  d0   DECIMAL(10,0) NULL,
  d4   DECIMAL(8,4) NULL,
  dt2  DATETIME(2) NULL,
  t3   TIME(3) NULL,
  ts3  TIMESTAMP(3) NULL DEFAULT NULL,
  y    YEAR NULL,
  b3   BIT(3) NULL,
  i4   INET4 NULL,
  i6   INET6 NULL,
  twice INT GENERATED ALWAYS AS (id * 2) VIRTUAL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO x_types (id, bin, mb3, u16, asc7, le, ls, tt, mb, bn, dd, d2, d20, f74, d0, d4, dt2, t3, ts3, y, b3, i4, i6) VALUES
  (1, 'Ab', CONVERT(X'C3A9' USING utf8mb3), CONVERT(X'F09F9880' USING utf8mb4), 'x', 'ä', 'ä,b:c', '|', X'', X'61',
      1336249649967395.2e0, 1.5, 1234567890123456.1234, 1.25, -100, 100, '2020-01-01 10:00:00.10', '-00:00:00.500', '0000-00-00 00:00:00', 0, b'101',
      '0.0.0.0', '::'),
  (2, '', '', '', '', 'b|c', '', '3:|x', X'00', X'610000', -1336249649967395.2e0, -0.01, NULL, -1.5, 100, 0.5, '2020-01-01 10:00:00.00',
      '838:59:59.000', '2020-01-01 00:00:00.001', 1901, b'0', '255.255.255.255', '::ffff:1.2.3.4'),
  (3, NULL, NULL, NULL, NULL, NULL, 'b:c', NULL, NULL, NULL, 4503599627370495.5e0, 99999999.99, 0.1, 999.9999, 0, -0.0001, NULL,
      '00:00:00', NULL, 2155, b'111', NULL, '2001:db8::1'),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1e15, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, 69, NULL, NULL, NULL),
  (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1234567890123456e0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 9.999999999999998e15, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (7, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1000000000000000.1e0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (8, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1.5e-16, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (9, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0.0000000000000015e0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (10, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, -1.2345678901234567e-15, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (11, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 123456789012345.67e0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE x_keys (
  k VARCHAR(10) NOT NULL,
  n INT NOT NULL,
  v VARCHAR(10) NULL,
  PRIMARY KEY (k, n)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
INSERT INTO x_keys VALUES ('a', 1, 'one'), ('B', 1, 'two'), ('b', 2, NULL), (CONVERT(X'C3A9' USING utf8mb4), 1, ''),
  ('Z', 3, 'x'), ('z', 1, 'y'), ('a', 2, 'z');
`;

const TABLES = [...`${TORTURE}\n${AWKWARD}\n${EXTRAS}`.matchAll(/CREATE TABLE (\w+)/g)].map(
  (match) => match[1]!,
);
const BATCH = { batchRows: 500, batchBytes: 8 << 20 };

const databases: TestDatabase[] = [];
const connectors: MysqlConnector[] = [];
const sessions: MysqlSession[] = [];

/** A database with the three fixtures loaded, its connector (the reader) and a session for the SQL. */
interface Loaded {
  connector: MysqlConnector;
  session: MysqlSession;
  tables: Map<string, Table>;
}

async function load(prefix: string): Promise<Loaded> {
  const database = await freshMysql(prefix);
  databases.push(database);
  await mysqlQuery(database.name, TORTURE);
  await mysqlQuery(database.name, AWKWARD);
  await mysqlQuery(database.name, EXTRAS);
  const url = parseConnectionUrl(database.url);
  const connector = new MysqlConnector(url);
  connectors.push(connector);
  await connector.connect();
  const session = new MysqlSession(url, url.display);
  sessions.push(session);
  await session.connect();
  const schema = await connector.introspect();
  return { connector, session, tables: new Map(schema.tables.map((table) => [table.name, table])) };
}

afterAll(async () => {
  await Promise.all(sessions.map((session) => session.close()));
  await Promise.all(connectors.map((connector) => connector.close()));
  await Promise.all(databases.map((database) => database.drop()));
});

function tableIn(loaded: Loaded, name: string): Table {
  const table = loaded.tables.get(name);
  if (!table) throw new Error(`table ${name} not loaded`);
  return table;
}

/** The columns the SQL renders in canonical mode: the copied ones it can render. */
function renderable(table: Table): Column[] {
  return copiedColumns(table).filter((column) => mysqlCanRender(column, 'canonical'));
}

/** A row's key as text, the same for a reader value and a value mysql2 returns. */
function keyText(values: unknown[]): string {
  return JSON.stringify(
    values.map((value) => (Buffer.isBuffer(value) ? value.toString('hex') : String(value))),
  );
}

/** The reader's rows of `range`, each as its key and the canonical row text of `columns`. */
async function readerTexts(
  loaded: Loaded,
  table: Table,
  columns: Column[],
  range?: KeyRange,
): Promise<Map<string, string>> {
  const copied = copiedColumns(table);
  const at = (name: string) => copied.findIndex((column) => column.name === name);
  const keyAt = table.primaryKey.map(at);
  const valueAt = columns.map((column) => at(column.name));
  const types = columns.map((column) => column.type);
  const texts = new Map<string, string>();
  const options = range ? { ...BATCH, key: table.primaryKey, range } : BATCH;
  for await (const batch of loaded.connector.read(table, options)) {
    for (const row of batch.rows) {
      const values: CanonicalValue[] = valueAt.map((index) => row[index] as CanonicalValue);
      texts.set(keyText(keyAt.map((index) => row[index])), canonicalRowText(values, types));
    }
  }
  return texts;
}

/** The bytes MD5 hashes (a row text of UTF-8 columns is utf8mb4 text, which mysql2 would decode). */
const asBytes = (sql: string) => `CAST(${sql} AS BINARY)`;

/** The server's row texts of `columns` (as bytes: never decoded), by key. */
async function sqlTexts(
  connection: MysqlConnection,
  table: Table,
  columns: Column[],
): Promise<Map<string, Buffer>> {
  const key = mysqlKeyColumns(table, table.primaryKey);
  const keyList = key.map((column) => quoteIdentifier(column.name)).join(', ');
  const sql = `SELECT ${keyList}, ${asBytes(mysqlRowTextSql(columns, 'canonical'))} FROM ${quoteIdentifier(table.name)}${mysqlKeyOrder(key.map(mysqlKeySql))}`;
  const [rows] = (await connection.query({ sql, rowsAsArray: true })) as unknown as [unknown[][]];
  const texts = new Map<string, Buffer>();
  for (const row of rows) {
    const text = row[key.length];
    texts.set(
      keyText(row.slice(0, key.length)),
      Buffer.isBuffer(text) ? text : Buffer.from(String(text), 'utf8'),
    );
  }
  return texts;
}

/** Byte equality, reporting the first differing place in a short window (values reach 4 MiB). */
function expectSameBytes(actual: Buffer, expected: string, where: string): void {
  const wanted = Buffer.from(expected, 'utf8');
  if (actual.equals(wanted)) return;
  let at = 0;
  while (at < actual.length && at < wanted.length && actual[at] === wanted[at]) at++;
  const window = (bytes: Buffer) => bytes.subarray(Math.max(0, at - 40), at + 40).toString('utf8');
  expect({ where, at, sql: window(actual) }).toEqual({ where, at, sql: window(wanted) });
}

function hasherOf(texts: Iterable<string>): ChunkChecksum {
  const hasher = new ChunkHasher();
  for (const text of texts) hasher.addRowText(text);
  return hasher.result();
}

function checksum(
  loaded: Loaded,
  table: Table,
  mode: ChecksumMode,
  extra: { key?: string[]; range?: KeyRange } = {},
): Promise<ChunkChecksum> {
  const columns = (mode === 'canonical' ? renderable(table) : copiedColumns(table)).map(
    (column) => column.name,
  );
  return loaded.session.use((connection) =>
    mysqlChunkChecksum(connection, table, { columns, mode, ...extra }),
  );
}

describe('MariaDB checksum SQL: the canonical row text equals the reader’s', () => {
  let source: Loaded;

  beforeAll(async () => {
    source = await load('cks');
  });

  it('renders every fixture column in canonical mode (the list of exceptions is pinned)', () => {
    const refused = [...source.tables.values()].flatMap((table) =>
      copiedColumns(table)
        .filter((column) => !mysqlCanRender(column, 'canonical'))
        .map((column) => `${table.name}.${column.name} ${column.nativeType}`),
    );
    // DOUBLE(M,D) with M > 15: the reader's D-place text need not be the shortest text of its double.
    expect(refused).toEqual(['x_types.d20 double(20,4)']);
    expect(TABLES.every((name) => source.tables.has(name))).toBe(true);
    // A type without a neutral counterpart whose reader value is not known text: hashed after reading.
    const vector: Column = {
      name: 'v',
      type: { kind: 'other', name: 'vector' },
      nativeType: 'vector(3)',
      nullable: true,
    };
    expect(mysqlCanRender(vector, 'canonical')).toBe(false);
    expect(mysqlCanRender(vector, 'native')).toBe(true);
    expect(() => mysqlRowTextSql([vector], 'canonical')).toThrow(/cannot be rendered/);
  });

  it.each(TABLES)('%s: the SQL row text is byte-equal to canonicalRowText of every row', async (name) => {
    const table = tableIn(source, name);
    const columns = renderable(table);
    const expected = await readerTexts(source, table, columns);
    const actual = await source.session.use((connection) => sqlTexts(connection, table, columns));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(expected.size).toBeGreaterThan(0);
    for (const [key, text] of expected) expectSameBytes(actual.get(key)!, text, `${name} ${key}`);
  });

  it.each(TABLES)('%s: the chunk checksum equals a ChunkHasher over the reader’s rows', async (name) => {
    const table = tableIn(source, name);
    const expected = hasherOf((await readerTexts(source, table, renderable(table))).values());
    expect(await checksum(source, table, 'canonical')).toEqual(expected);
  });

  it.each(TABLES)(
    '%s: two adjacent ranges cover the reader’s rows of each and merge to the whole',
    async (name) => {
      const table = tableIn(source, name);
      const columns = renderable(table);
      const all = await readerTexts(source, table, columns);
      // Split after the middle row in binary key order (as planChunks would).
      const keys = await source.session.use(async (connection) => {
        const key = mysqlKeyColumns(table, table.primaryKey);
        const sql = `SELECT ${key.map((column) => quoteIdentifier(column.name)).join(', ')} FROM ${quoteIdentifier(table.name)}${mysqlKeyOrder(key.map(mysqlKeySql))}`;
        const [rows] = (await connection.query({ sql, rowsAsArray: true })) as unknown as [unknown[][]];
        return rows;
      });
      const middle = keys[Math.floor((keys.length - 1) / 2)]!.map((value) =>
        typeof value === 'number' ? BigInt(value) : (value as CanonicalValue),
      );
      const ranges: KeyRange[] = [{ through: middle }, { after: middle }];
      const merged = new ChunkHasher();
      let rows = 0;
      for (const range of ranges) {
        const inRange = await readerTexts(source, table, columns, range);
        rows += inRange.size;
        expect(inRange.size).toBeGreaterThan(0);
        const part = await checksum(source, table, 'canonical', { key: table.primaryKey, range });
        expect(part).toEqual(hasherOf(inRange.values()));
        merged.merge(part);
      }
      expect(rows).toBe(all.size);
      expect(merged.result()).toEqual(await checksum(source, table, 'canonical'));
    },
  );

  it('splits a text key in binary order, not under its case-insensitive collation', async () => {
    const table = tableIn(source, 'x_keys');
    const range = { through: ['a', 1n] };
    const inRange = await readerTexts(source, table, renderable(table), range);
    expect([...inRange.keys()].sort()).toEqual(
      [keyText(['B', 1]), keyText(['Z', 3]), keyText(['a', 1])].sort(),
    );
    expect(await checksum(source, table, 'canonical', { key: table.primaryKey, range })).toEqual(
      hasherOf(inRange.values()),
    );
    expect(
      await checksum(source, table, 'canonical', { key: table.primaryKey, range: { after: ['zz', 0n] } }),
    ).toEqual(
      hasherOf(
        [...(await readerTexts(source, table, renderable(table))).entries()]
          .filter(([key]) => key.includes('é'))
          .map(([, text]) => text),
      ),
    );
  });

  it('spells a few values as the spec does (doubles near 1e15, trimmed fractions, YEAR, BIT, INET)', async () => {
    const table = tableIn(source, 'x_types');
    const pick = (names: string[]) =>
      names.map((name) => table.columns.find((column) => column.name === name)!);
    const sql = `SELECT ${asBytes(mysqlRowTextSql(pick(['dd', 'd2', 'd0', 'd4', 'dt2', 't3', 'ts3', 'y', 'b3', 'le']), 'canonical'))} FROM x_types ORDER BY id`;
    const rows = (
      await source.session.use((connection) => connection.query({ sql, rowsAsArray: true }))
    )[0] as Buffer[][];
    expect(rows.slice(0, 4).map((row) => row[0]!.toString('utf8'))).toEqual([
      '1.3362496499673952e15|1.5|-100|100|2020-01-01 10:00:00.1|-00:00:00.5|0000-00-00 00:00:00|0|101|2:ä',
      '-1.3362496499673952e15|-0.01|100|0.5|2020-01-01 10:00:00|838:59:59|2020-01-01 00:00:00.001|1901|000|3:b|c',
      '4.5035996273704955e15|99999999.99|0|-0.0001|\\N|00:00:00|\\N|2155|111|\\N',
      '1e15|\\N|\\N|0|\\N|\\N|\\N|2069|\\N|\\N',
    ]);
    expect(rows.slice(4).map((row) => row[0]!.toString('utf8').split('|')[0])).toEqual([
      '1.234567890123456e15',
      '9.999999999999998e15',
      '1.0000000000000001e15',
      '1.5e-16',
      '0.0000000000000015',
      '-0.0000000000000012345678901234568',
      '123456789012345.67',
    ]);
  });
});

/** One change of one stored value, and the statement that undoes it. */
interface Mutation {
  what: string;
  table: string;
  change: string;
  undo: string;
  /** A check that the change is what it claims (e.g. the collation calls both values equal). */
  proof?: { sql: string; expected: unknown[] };
}

/** The next float32 / float64 above a positive value. */
function nextUp(value: number, bits: 32 | 64): number {
  const bytes = Buffer.alloc(8);
  if (bits === 32) {
    bytes.writeFloatLE(value);
    bytes.writeUInt32LE(bytes.readUInt32LE() + 1);
    return bytes.readFloatLE();
  }
  bytes.writeDoubleLE(value);
  bytes.writeBigUInt64LE(bytes.readBigUInt64LE() + 1n);
  return bytes.readDoubleLE();
}

const FLOAT_UP = nextUp(4056.666748046875, 32);
const DOUBLE_UP = nextUp(0.30000000000000004, 64);

const MUTATIONS: Mutation[] = [
  {
    what: 'a FLOAT by one ulp of single precision',
    table: 't_floats',
    change: `UPDATE t_floats SET f = ${FLOAT_UP}e0 WHERE id = 7`,
    undo: 'UPDATE t_floats SET f = 4056.666748046875e0 WHERE id = 7',
    // The text protocol's 6 digits cannot tell the two apart.
    proof: { sql: 'SELECT CONCAT(f) AS v FROM t_floats WHERE id = 7', expected: [{ v: '4056.67' }] },
  },
  {
    what: 'a DOUBLE by one ulp',
    table: 't_floats',
    change: `UPDATE t_floats SET d = ${DOUBLE_UP}e0 WHERE id = 5`,
    undo: 'UPDATE t_floats SET d = 0.30000000000000004e0 WHERE id = 5',
    proof: {
      sql: 'SELECT CAST(d AS DOUBLE) = 0.30000000000000004e0 AS same FROM t_floats WHERE id = 5',
      expected: [{ same: 0 }],
    },
  },
  {
    what: 'a trailing space (PAD SPACE collations call them equal)',
    table: 't_text',
    change: "UPDATE t_text SET v = '  abc    ' WHERE id = 7",
    undo: "UPDATE t_text SET v = '  abc   ' WHERE id = 7",
    proof: { sql: "SELECT v = '  abc   ' AS same FROM t_text WHERE id = 7", expected: [{ same: 1 }] },
  },
  {
    what: "a letter's case in a case-insensitive collation",
    table: 't_text',
    change: "UPDATE t_text SET v = '  Abc   ' WHERE id = 7",
    undo: "UPDATE t_text SET v = '  abc   ' WHERE id = 7",
    proof: { sql: "SELECT v = '  abc   ' AS same FROM t_text WHERE id = 7", expected: [{ same: 1 }] },
  },
  {
    what: 'one microsecond',
    table: 't_temporal',
    change: "UPDATE t_temporal SET dt = '2020-01-01 00:00:00.123457' WHERE id = 9",
    undo: "UPDATE t_temporal SET dt = '2020-01-01 00:00:00.123456' WHERE id = 9",
  },
  {
    what: 'one byte of a BLOB',
    table: 't_binary',
    change: "UPDATE t_binary SET b = INSERT(b, 1500001, 1, X'01') WHERE id = 5",
    undo: "UPDATE t_binary SET b = INSERT(b, 1500001, 1, X'00') WHERE id = 5",
    proof: {
      sql: 'SELECT HEX(SUBSTRING(b, 1500001, 1)) AS byte FROM t_binary WHERE id = 5',
      expected: [{ byte: '01' }],
    },
  },
];

describe('MariaDB checksum SQL: native mode between two copies of the fixtures', () => {
  let left: Loaded;
  let right: Loaded;

  beforeAll(async () => {
    [left, right] = await Promise.all([load('ckl'), load('ckr')]);
  });

  it.each(TABLES)('%s: equal in both databases, canonical and native', async (name) => {
    for (const mode of ['canonical', 'native'] as const) {
      const a = await checksum(left, tableIn(left, name), mode);
      expect(a.rows).toBeGreaterThan(0);
      expect(await checksum(right, tableIn(right, name), mode)).toEqual(a);
    }
  });

  it('native field texts keep NULL, empty, "\\N" and "NULL" apart', async () => {
    const table = tableIn(left, 't_text');
    const sql = `SELECT ${asBytes(mysqlRowTextSql(copiedColumns(table), 'native'))} FROM t_text ORDER BY id`;
    const rows = (
      await left.session.use((connection) => connection.query({ sql, rowsAsArray: true }))
    )[0] as Buffer[][];
    const texts = rows.map((row) => createHash('md5').update(row[0]!).digest('hex'));
    expect(new Set(texts).size).toBe(texts.length);
    // Values joined raw, NULLs left out; then each text column's length (-1 for NULL).
    expect(rows.slice(0, 4).map((row) => row[0]!.toString('utf8'))).toEqual([
      '1|||||0|0|0|0',
      '2|-1|-1|-1|-1',
      '3|NULL|NULL|NULL|NULL|4|4|4|4',
      '4|\\N|\\N|\\N|\\N|2|2|2|2',
    ]);
  });

  it('native row texts keep a separator inside a value apart from the one between values', async () => {
    const table = tableIn(left, 't_text');
    const rowText = mysqlRowTextSql(copiedColumns(table), 'native');
    const values = [
      ["'a|'", "'b'", 'NULL'],
      ["'a'", "'|b'", 'NULL'],
      ["'a'", 'NULL', "'|b'"],
      ['NULL', "'a'", "'|b'"],
    ];
    const rows = values
      .map(([c, v, t]) => `SELECT 1 AS id, ${c} AS c, ${v} AS v, ${t} AS t, NULL AS l`)
      .join(' UNION ALL ');
    const sql = `SELECT ${asBytes(rowText)} FROM (${rows}) AS t_text`;
    const texts = (
      (await left.session.use((connection) => connection.query({ sql, rowsAsArray: true })))[0] as Buffer[][]
    ).map((row) => row[0]!.toString('utf8'));
    expect(new Set(texts).size).toBe(values.length);
  });

  it.each(MUTATIONS)('changing $what changes the canonical and the native checksum', async (mutation) => {
    const before = {
      canonical: await checksum(left, tableIn(left, mutation.table), 'canonical'),
      native: await checksum(left, tableIn(left, mutation.table), 'native'),
    };
    const rightTable = tableIn(right, mutation.table);
    await right.session.use((connection) => connection.query(mutation.change));
    try {
      if (mutation.proof) {
        const [rows] = await right.session.use((connection) => connection.query(mutation.proof!.sql));
        expect(rows).toEqual(mutation.proof.expected);
      }
      for (const mode of ['canonical', 'native'] as const) {
        const after = await checksum(right, rightTable, mode);
        expect(after.rows).toBe(before[mode].rows);
        expect(after).not.toEqual(before[mode]);
      }
    } finally {
      await right.session.use((connection) => connection.query(mutation.undo));
    }
    for (const mode of ['canonical', 'native'] as const)
      expect(await checksum(right, rightTable, mode)).toEqual(before[mode]);
  });

  it('reads the changed values back as the reader yields them (the changes are exact)', async () => {
    const table = tableIn(right, 't_floats');
    await right.session.use((connection) =>
      connection.query(`UPDATE t_floats SET f = ${FLOAT_UP}e0, d = ${DOUBLE_UP}e0 WHERE id = 7`),
    );
    try {
      const rows: Row[] = [];
      for await (const batch of right.connector.read(table, {
        ...BATCH,
        key: ['id'],
        range: { after: [6n], through: [7n] },
      }))
        rows.push(...batch.rows);
      expect(rows).toEqual([[7n, FLOAT_UP, DOUBLE_UP]]);
    } finally {
      await right.session.use((connection) =>
        connection.query(
          'UPDATE t_floats SET f = 4056.666748046875e0, d = 123456789.12345679e0 WHERE id = 7',
        ),
      );
    }
  });
});
