/**
 * The SQLite type-torture fixture (test/fixtures/sqlite/torture.sql) through the connector: every
 * interesting cell read back as its exact canonical value, the whole fixture copied SQLite → SQLite
 * with every value and storage class kept (storage-class mixes only under a policy, counted), and
 * values from other dialects that SQLite cannot hold stopped with LOSSY_* errors or handled by
 * the policy chosen, and counted.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../../src/connectors/connector.js';
import type { Column, DatabaseSchema, Table } from '../../../src/schema/table.js';
import type { CanonicalValue } from '../../../src/values/canonical.js';
import { type CoercionRule, Coercions } from '../../../src/values/coercions.js';
import { batchesOf, collectRows as collect } from '../../helpers/batches.js';
import type { TestDatabase } from '../../helpers/servers.js';
import { sqliteFiles } from '../../helpers/sqlite-files.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TORTURE = readFileSync(join(root, 'test', 'fixtures', 'sqlite', 'torture.sql'), 'utf8');
const BATCH = { batchRows: 4, batchBytes: 1 << 20 };

const { fresh, connect, releaseAll } = sqliteFiles();
afterAll(releaseAll);

/** Loads the fixture with the sqlite3 CLI, as the cross-engine tests do. */
async function tortureFile(): Promise<TestDatabase> {
  const db = await fresh('torture');
  const loaded = spawnSync('sqlite3', [db.name], { input: TORTURE, encoding: 'utf8' });
  if (loaded.status !== 0) throw new Error(`sqlite3 failed: ${loaded.stderr}`);
  return db;
}

function raw(path: string, sql: string): unknown[][] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.defaultSafeIntegers(true);
  try {
    return db.prepare(sql).raw(true).all() as unknown[][];
  } finally {
    db.close();
  }
}

/** Where two raw result sets differ (value and storage class), or undefined; fast on MB-sized cells. */
function same(actual: unknown[][], expected: unknown[][]): string | undefined {
  const key = (v: unknown) =>
    Buffer.isBuffer(v)
      ? `blob:${v.toString('hex')}`
      : Object.is(v, -0)
        ? 'number:-0'
        : `${typeof v}:${String(v)}`;
  if (actual.length !== expected.length) return `${actual.length} rows instead of ${expected.length}`;
  for (const [r, row] of expected.entries()) {
    for (const [c, value] of row.entries()) {
      if (key(actual[r]![c]) !== key(value)) return `row ${r + 1}, column ${c + 1}`;
    }
  }
  return undefined;
}

/** Rows as `id → the row's only non-NULL cell` (each fixture row sets one column). */
function cells(rows: CanonicalValue[][]): Map<bigint, CanonicalValue> {
  return new Map(rows.map((row) => [row[0] as bigint, row.slice(1).find((v) => v !== null) ?? null]));
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const MIX_NULLED = { n: 3, s: 1, b: 2, i8: 1, r: 1, d: 1, ubi: 1 };

describe('SQLite type-torture fixture', () => {
  let source: TestDatabase;
  let connector: Connector;
  let schema: DatabaseSchema;
  const tables = new Map<string, Table>();
  const read = (name: string, rules: CoercionRule[] = []) =>
    collect(connector.read(tables.get(name)!, { ...BATCH, coercions: new Coercions(rules) }));

  beforeAll(async () => {
    source = await tortureFile();
    connector = await connect(source.url);
    schema = await connector.introspect();
    for (const table of schema.tables) tables.set(table.name, table);
  });

  it('reads integers, decimals and floats exactly', async () => {
    expect([...cells(await read('t_integers'))]).toEqual([
      [1n, -9223372036854775808n],
      [2n, 9223372036854775807n],
      [3n, -9223372036854775808n],
      [4n, 9223372036854775807n],
      [5n, 9007199254740993n],
      [6n, -9007199254740993n],
      [7n, -2147483648n],
      [8n, 2147483647n],
      [9n, -8388608n],
      [10n, 8388607n],
      [11n, -32768n],
      [12n, 32767n],
      [13n, -128n],
      [14n, 127n],
      [15n, 0n],
      [16n, 255n],
      [17n, 0n],
      [18n, 65535n],
      [19n, 0n],
      [20n, 16777215n],
      [21n, 0n],
      [22n, 4294967295n],
      [23n, 0n],
      [24n, 9223372036854775807n],
      [25n, 0n],
      [26n, 18446744073709551615n],
      [27n, 9007199254740993n],
      [28n, false],
      [29n, true],
      [30n, null],
    ]);
    expect([...cells(await read('t_decimals')).values()]).toEqual([
      '99999999999999999999999999999999999.999999999999999999999999999999',
      '-99999999999999999999999999999999999.999999999999999999999999999999',
      '-0.000000000000000000000000000001',
      '0.000000000000000000000000000000',
      '18446744073709551615',
      '-99999999999999999999',
      '1234567890.0987654321',
      '-0.5',
      '0.99',
      '5',
      '12345678.9',
    ]);
    const floats = [...cells(await read('t_floats')).values()];
    const expected = [
      5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 0.30000000000000004, 2.2250738585072014e-308,
      1.0000000000000002, 123456789.12345679, 0, -2.5, 0.10000000149011612, 4056.666748046875, 16777216,
      3.4028234663852886e38, 1e308, -1.5e-300, 0.1,
    ];
    expect(floats).toHaveLength(expected.length);
    for (const [i, value] of expected.entries()) {
      expect(Object.is(floats[i], value), `t_floats row ${i + 1}`).toBe(true);
    }
    expect(await read('t_special_floats')).toEqual([
      [1n, Number.POSITIVE_INFINITY],
      [2n, Number.NEGATIVE_INFINITY],
    ]);
  });

  it('reads text and binary byte for byte', async () => {
    const text = cells(await read('t_text'));
    expect(text.get(1n)).toBe('');
    expect(text.get(2n)).toBeNull();
    expect(text.get(3n)).toBe('NULL');
    expect(text.get(4n)).toBe('\\N');
    const controls = [...Array.from({ length: 31 }, (_, i) => i + 1), 127];
    expect(text.get(5n)).toBe(String.fromCharCode(...controls));
    expect(text.get(6n)).toBe('emoji 😀 𝄞 and e\u0301 ñ');
    expect(text.get(7n)).toBe('abcdefghi😀'.repeat(350000));
    expect(text.get(8n)).toBe('it\'s "quoted" `back` \\slash');
    expect(text.get(9n)).toBe('trailing  ');
    expect(text.get(11n)).toBe('tab\tcr\r\n');
    expect(text.get(12n)).toBe('ñandú 𝄞');
    expect(text.get(13n)).toBe('ab   ');
    expect(await read('t_nul_text')).toEqual([
      [1n, 'a\u0000b'],
      [2n, '\u0000'],
    ]);
    const binary = cells(await read('t_binary'));
    expect(binary.get(1n)).toEqual(Buffer.alloc(0));
    expect(binary.get(2n)).toEqual(Buffer.alloc(2));
    expect(binary.get(3n)).toEqual(ALL_BYTES);
    expect((binary.get(4n) as Buffer).equals(Buffer.concat(Array(12288).fill(ALL_BYTES)))).toBe(true);
    expect(binary.get(5n)).toEqual(Buffer.from('00ff00ff', 'hex'));
    expect([...cells(await read('t_bits')).values()]).toEqual([
      '0',
      '1',
      `1${'0'.repeat(62)}1`,
      '1'.repeat(64),
      '0'.repeat(64),
    ]);
  });

  it('reads dates and times as stored, zero dates and TIME beyond 24 h included', async () => {
    const dates = cells(await read('t_dates'));
    expect([1n, 2n, 5n, 7n, 14n, 16n, 17n, 19n, 22n, 23n].map((id) => dates.get(id))).toEqual([
      '0001-01-01',
      '9999-12-31',
      '23:59:59.999999',
      '12:34:56.789',
      '2020-01-01 10:00:00.123456',
      '9999-12-31 23:59:59.999999',
      '2021-03-28 02:30:00',
      '2021-03-28 01:30:00.000001',
      '2021-03-28 01:30:00',
      '2021-10-31 00:30:00.25',
    ]);
    expect([...cells(await read('t_zero_dates')).values()]).toEqual([
      '0000-00-00',
      '2020-00-15',
      '2020-01-00',
      '0000-00-00 00:00:00',
    ]);
    expect([...cells(await read('t_time_range')).values()]).toEqual([
      '838:59:59',
      '-838:59:59',
      '-00:00:01',
      '24:00:00',
    ]);
  });

  it('reads JSON, enum and UUID text unchanged', async () => {
    const json = cells(await read('t_json'));
    expect(json.get(2n)).toBe('{"a": 1, "a": 2}');
    expect(json.get(3n)).toBe('{"n": 12345678901234567890123, "f": 1.0000000000000000001}');
    expect(json.get(4n)).toBe('{"s": "\\u00e9\\ud83d\\ude00\\u0000"}');
    expect(json.get(7n)).toBe('null');
    expect(tables.get('t_enum')!.columns[1]!.type).toEqual({
      kind: 'enum',
      values: ['a b', 'c,d', "it's", '', 'x"y'],
    });
    expect(await read('t_enum')).toEqual([
      [1n, 'a b'],
      [2n, 'c,d'],
      [3n, "it's"],
      [4n, ''],
      [5n, 'x"y'],
    ]);
    expect([...cells(await read('t_uuid')).values()]).toEqual([
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
    ]);
  });

  it('reads a column without a declared type in each value’s own storage class', async () => {
    expect(tables.get('t_untyped')!.columns.map((c) => c.type)).toEqual([
      { kind: 'integer', bits: 64, unsigned: false },
      { kind: 'other', name: '' },
      { kind: 'other', name: '' },
      { kind: 'other', name: 'MONEY' },
    ]);
    const values = [...cells(await read('t_untyped')).values()];
    expect(values).toEqual([
      null,
      5n,
      -9223372036854775808n,
      2.5,
      -0,
      1e308,
      '5',
      'text',
      '',
      Buffer.from('00ff', 'hex'),
      Buffer.alloc(0),
      9223372036854775807n,
      'x',
      12n,
      12.5,
      'n/a',
    ]);
    expect(Object.is(values[4], -0)).toBe(true);
  });

  it('stops a storage-class mix with LOSSY_STORAGE_CLASS, and NULLs exactly the mismatched cells under a policy', async () => {
    await expect(read('t_storage_mix')).rejects.toMatchObject({
      code: 'LOSSY_STORAGE_CLASS',
      column: 'n',
      message: expect.stringContaining('table t_storage_mix, column n, key id=2:'),
    });
    const coercions = new Coercions([{ loss: 'storage-class', action: 'null' }]);
    const rows = await collect(connector.read(tables.get('t_storage_mix')!, { ...BATCH, coercions }));
    expect(rows[0]).toEqual([1n, 5n, 'text', true, -1n, 2.5, '2020-01-15', 1n]);
    expect(rows.slice(1).every((row) => row.slice(1).every((value) => value === null))).toBe(true);
    expect(Object.fromEntries(coercions.counts().map((c) => [c.column, c.values]))).toEqual(MIX_NULLED);
  });

  it('stops TEXT whose bytes are not valid UTF-8 with LOSSY_INVALID_TEXT; null and substitute counted', async () => {
    await expect(read('t_invalid_utf8')).rejects.toMatchObject({
      code: 'LOSSY_INVALID_TEXT',
      table: 't_invalid_utf8',
      column: 't',
      message: expect.stringContaining(
        "table t_invalid_utf8, column t, key id=1: text that is not valid Unicode (invalid UTF-8 bytes or a lone surrogate) cannot be stored in text (this SQLite value's bytes are not valid UTF-8)",
      ),
    });
    const nulled = new Coercions([{ loss: 'invalid-text', action: 'null' }]);
    const rows = await collect(
      connector.read(tables.get('t_invalid_utf8')!, { ...BATCH, coercions: nulled }),
    );
    // Row 3 is a genuine U+FFFD (EF BF BD): valid, read as itself and not counted.
    expect(rows).toEqual([
      [1n, null],
      [2n, null],
      [3n, '\uFFFD'],
    ]);
    expect(nulled.counts()).toEqual([
      { table: 't_invalid_utf8', column: 't', loss: 'invalid-text', action: 'null', values: 2 },
    ]);
    const substituted = new Coercions([
      { loss: 'invalid-text', action: 'substitute', table: 't_invalid_utf8', column: 't' },
    ]);
    const replaced = await collect(
      connector.read(tables.get('t_invalid_utf8')!, { ...BATCH, coercions: substituted }),
    );
    expect(replaced).toEqual([
      [1n, 'A\uFFFDB'],
      [2n, '\uFFFD\uFFFD\uFFFD'],
      [3n, '\uFFFD'],
    ]);
    expect(substituted.counts().map((c) => [c.action, c.values])).toEqual([['substitute', 2]]);
  });

  it('finds the bytes of invalid text by primary key in a WITHOUT ROWID table', async () => {
    const db = await fresh('without_rowid');
    const file = new Database(db.name);
    file.exec(`CREATE TABLE w (k TEXT, n INTEGER, t TEXT NOT NULL, PRIMARY KEY (k, n)) WITHOUT ROWID;
      INSERT INTO w VALUES ('a', 1, CAST(x'efbfbd' AS TEXT)), ('a', 2, CAST(x'ff' AS TEXT));`);
    file.close();
    const from = await connect(db.url);
    const [w] = (await from.introspect()).tables;
    await expect(collect(from.read(w!, BATCH))).rejects.toMatchObject({
      code: 'LOSSY_INVALID_TEXT',
      message: expect.stringContaining('table w, column t, key k="a", n=2:'),
    });
    // NULL cannot go into the NOT NULL column: the error stays.
    const nulled = new Coercions([{ loss: 'invalid-text', action: 'null' }]);
    await expect(collect(from.read(w!, { ...BATCH, coercions: nulled }))).rejects.toMatchObject({
      code: 'LOSSY_INVALID_TEXT',
    });
    const handed = await collect(from.read(w!, { ...BATCH, targetDialect: 'sqlite' }));
    expect(handed).toEqual([
      ['a', 1n, '\uFFFD'],
      ['a', 2n, Buffer.from('ff', 'hex')],
    ]);
  });

  it('copies the whole fixture SQLite → SQLite keeping every value, storage class and declared type', async () => {
    const target = await fresh('torture_copy');
    const to = await connect(target.url);
    const policies = new Coercions(
      Object.keys(MIX_NULLED).map((column) => ({
        loss: 'storage-class' as const,
        action: 'null' as const,
        table: 't_storage_mix',
        column,
      })),
    );
    const request = { sourceDialect: 'sqlite' as const, tables: schema.tables, coercions: policies };
    expect(await to.createSchema(request, 'tables')).toEqual([]);
    for (const table of schema.tables) {
      // Text that is not valid UTF-8 travels as its bytes only to a SQLite target (as the engine says).
      const sqlite = table.name === 't_invalid_utf8' ? { targetDialect: 'sqlite' as const } : {};
      const batches = connector.read(table, { ...BATCH, coercions: policies, ...sqlite });
      await to.write(table, batches, { coercions: policies });
    }
    expect(await to.createSchema(request, 'constraints')).toEqual([]);
    await to.close();

    expect(Object.fromEntries(policies.counts().map((c) => [c.column, c.values]))).toEqual(MIX_NULLED);

    for (const table of schema.tables) {
      const columns = table.columns.map((c: Column) => `"${c.name}", typeof("${c.name}")`).join(', ');
      const sql = `SELECT ${columns} FROM "${table.name}" ORDER BY id`;
      const copied = raw(target.name, sql);
      if (table.name === 't_storage_mix') {
        expect(same(copied.slice(0, 1), raw(source.name, sql).slice(0, 1))).toBeUndefined();
        expect(copied.slice(1).every((row) => row.slice(2).every((v) => v === null || v === 'null'))).toBe(
          true,
        );
      } else {
        expect(same(copied, raw(source.name, sql)), table.name).toBeUndefined();
      }
    }
    const bytes = 'SELECT typeof(t), hex(t) FROM t_invalid_utf8 ORDER BY id';
    expect(raw(target.name, bytes)).toEqual([
      ['text', '41FF42'],
      ['text', 'EDA080'],
      ['text', 'EFBFBD'],
    ]);
    const [minusZero] = raw(target.name, 'SELECT u FROM t_untyped WHERE id = 5')[0]!;
    expect(Object.is(minusZero, -0)).toBe(true);
    const again = await connect(target.url);
    expect((await again.introspect()).tables).toEqual(schema.tables);
  });
});

describe('values from other dialects that SQLite cannot hold', () => {
  const column = (name: string, type: Column['type'], nativeType: string, nullable = true): Column => ({
    name,
    type,
    nativeType,
    nullable,
  });
  const pgTable: Table = {
    name: 'pg_losses',
    primaryKey: ['id'],
    indexes: [],
    foreignKeys: [],
    columns: [
      column('id', { kind: 'integer', bits: 64, unsigned: false }, 'bigint', false),
      column('f', { kind: 'float', bits: 64 }, 'double precision'),
      column('d', { kind: 'date' }, 'date'),
      column('tz', { kind: 'timestamptz', fsp: 3 }, 'timestamp(3) with time zone'),
      column('g', { kind: 'other', name: 'point' }, 'point'),
      column('t', { kind: 'text' }, 'text'),
      column('strict', { kind: 'float', bits: 64 }, 'double precision', false),
    ],
  };
  const ok: CanonicalValue[] = [1n, 1.5, '2020-01-01', '2020-01-01 00:00:00.5', null, 'x', 0];

  async function target(coercions?: Coercions): Promise<{ db: TestDatabase; to: Connector }> {
    const db = await fresh('from_pg');
    const to = await connect(db.url);
    await to.createSchema({ sourceDialect: 'postgres', tables: [pgTable], coercions }, 'tables');
    return { db, to };
  }

  it('creates the columns THE mapping names', async () => {
    const { db } = await target();
    expect(raw(db.name, "SELECT name, type FROM pragma_table_info('pg_losses')")).toEqual([
      ['id', 'BIGINT'],
      ['f', 'DOUBLE'],
      ['d', 'DATE'],
      ['tz', 'TIMESTAMPTZ(3)'],
      ['g', 'TEXT'],
      ['t', 'TEXT'],
      ['strict', 'DOUBLE'],
    ]);
  });

  it.each<[string, number, CanonicalValue, string, string]>([
    ['NaN', 1, Number.NaN, 'LOSSY_SPECIAL_FLOAT', 'SQLite DOUBLE'],
    ['-0', 1, -0, 'LOSSY_SPECIAL_FLOAT', 'SQLite DOUBLE'],
    ['infinity', 2, 'infinity', 'LOSSY_INFINITE_DATE', 'SQLite DATE'],
    ['a BC date', 2, '0044-03-15 BC', 'LOSSY_INFINITE_DATE', 'SQLite DATE'],
    ['-infinity', 3, '-infinity', 'LOSSY_INFINITE_DATE', 'SQLite TIMESTAMPTZ(3)'],
    ['a point', 4, '(1,2)', 'LOSSY_NO_TARGET_TYPE', 'SQLite TEXT'],
    ['a lone surrogate', 5, 'a\uD800', 'LOSSY_INVALID_TEXT', 'SQLite TEXT'],
  ])(
    'stops %s by default, naming table, column, key and type; nothing is kept',
    async (_, at, value, code, type) => {
      const { db, to } = await target();
      const bad = [...ok];
      bad[0] = 7n;
      bad[at] = value;
      const writing = to.write(pgTable, batchesOf([ok, bad]));
      const name = pgTable.columns[at]!.name;
      await expect(writing).rejects.toMatchObject({ code, table: 'pg_losses', column: name });
      await expect(writing).rejects.toThrow(`table pg_losses, column ${name}, key id=7: `);
      await expect(writing).rejects.toThrow(`cannot be stored in ${type} without changing it`);
      expect(raw(db.name, 'SELECT count(*) FROM pg_losses')).toEqual([[0n]]);
    },
  );

  it('applies the policies chosen, per run or per column, and counts what they changed', async () => {
    const coercions = new Coercions([
      { loss: 'special-float', action: 'substitute' },
      { loss: 'infinite-date', action: 'substitute' },
      { loss: 'infinite-date', action: 'null', table: 'pg_losses', column: 'tz' },
      { loss: 'no-target-type', action: 'widen' },
      { loss: 'invalid-text', action: 'null' },
    ]);
    const { db, to } = await target(coercions);
    const rows: CanonicalValue[][] = [
      [1n, Number.NaN, 'infinity', 'infinity', '(1,2)', 'a\uD800', -0],
      [2n, -0, '-infinity', '-infinity', '((0,0),(1,1))', 'fine', 2.5],
      [3n, Number.POSITIVE_INFINITY, '0044-03-15 BC', '2021-10-31 00:30:00.25', null, null, 1],
    ];
    await to.write(pgTable, batchesOf(rows), { coercions });
    expect(raw(db.name, 'SELECT * FROM pg_losses ORDER BY id')).toEqual([
      [1n, null, '9999-12-31', null, '(1,2)', null, 0],
      [2n, 0, '0001-01-01', null, '((0,0),(1,1))', 'fine', 2.5],
      [3n, Number.POSITIVE_INFINITY, '0001-01-01', '2021-10-31 00:30:00.25', null, null, 1],
    ]);
    const counts = coercions.counts().map((c) => `${c.column}:${c.loss}=${c.action}×${c.values}`);
    expect(counts.sort()).toEqual([
      'd:infinite-date=substitute×3',
      'f:special-float=substitute×2',
      'g:no-target-type=widen×2',
      'strict:special-float=substitute×1',
      't:invalid-text=null×1',
      'tz:infinite-date=null×2',
    ]);
  });

  it('refuses `null` for a NOT NULL column, and a policy that cannot apply', async () => {
    const coercions = new Coercions([
      { loss: 'special-float', action: 'null' },
      { loss: 'no-target-type', action: 'null' },
    ]);
    const { to } = await target(coercions);
    const nan = [...ok];
    nan[6] = Number.NaN;
    await expect(to.write(pgTable, batchesOf([nan]), { coercions })).rejects.toMatchObject({
      code: 'LOSSY_SPECIAL_FLOAT',
      column: 'strict',
    });
    // `widen` on a column that was not created wider (data-only into an existing table) cannot help.
    const widen = new Coercions([{ loss: 'out-of-range', action: 'widen' }]);
    const ints: Table = {
      ...pgTable,
      name: 'ints',
      columns: [
        pgTable.columns[0]!,
        column('n', { kind: 'integer', bits: 64, unsigned: true }, 'bigint unsigned'),
      ],
    };
    const db = await fresh('ints');
    const existing = await connect(db.url);
    await existing.createSchema({ sourceDialect: 'sqlite', tables: [ints] }, 'tables');
    await expect(
      existing.write(ints, batchesOf([[1n, 18446744073709551615n]]), { coercions: widen }),
    ).rejects.toMatchObject({
      code: 'LOSSY_OUT_OF_RANGE',
      message: expect.stringContaining('SQLite bigint unsigned'),
    });
    expect(widen.counts()).toEqual([]);
  });
});
