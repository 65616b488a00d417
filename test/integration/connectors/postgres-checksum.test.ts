/**
 * Conformance of the PostgreSQL checksum SQL (src/connectors/postgres/checksum.ts) on the real
 * server: for every row of the torture and awkward fixtures (and generated float edges), the row
 * text rendered in SQL equals canonicalRowText of the reader's values byte for byte, the chunk
 * checksum equals a ChunkHasher over those texts, ranges split and merge, and one changed value
 * changes both the canonical and the native checksum of a copy.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, KeyRange } from '../../../src/connectors/connector.js';
import {
  postgresCanRender,
  postgresChunkChecksum,
  postgresRowTextSql,
} from '../../../src/connectors/postgres/checksum.js';
import { qualify } from '../../../src/connectors/postgres/identifiers.js';
import { createPostgresConnector } from '../../../src/connectors/postgres/index.js';
import { acquirePostgres, postgresPoolConfig } from '../../../src/connectors/postgres/session.js';
import { parseConnectionUrl } from '../../../src/connectors/url.js';
import { type Column, copiedColumns, type Table } from '../../../src/schema/table.js';
import type { CanonicalValue, Row } from '../../../src/values/canonical.js';
import {
  type ChecksumMode,
  type ChunkChecksum,
  ChunkHasher,
  canonicalRowText,
} from '../../../src/values/canonical-text.js';
import { freshPostgres, PG_BASE, pgQuery, type TestDatabase } from '../../helpers/servers.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/postgres/${name}`, import.meta.url), 'utf8');

/** PostgreSQL's input text of a double (String(-0) is `0`). */
const floatLiteral = (value: number) => (Object.is(value, -0) ? '-0' : String(value));

/** The adjacent double above or below `value` (one unit in the last place). */
function ulpStep(value: number, up: boolean): number {
  const bits = new BigInt64Array(new Float64Array([value]).buffer);
  bits[0] = bits[0]! + (value >= 0 === up ? 1n : -1n);
  return new Float64Array(bits.buffer)[0]!;
}

/** Doubles around every decimal exponent and the notation switches, and random bit patterns. */
function floatEdges(): number[] {
  const values: number[] = [];
  for (let exponent = -325; exponent <= 309; exponent++) {
    for (const mantissa of ['1', '-1.5', '1.2345678901234567', '9.999999999999999']) {
      const value = Number(`${mantissa}e${exponent}`);
      values.push(value);
      if (Number.isFinite(value) && value !== 0) values.push(ulpStep(value, true), ulpStep(value, false));
    }
  }
  // Short decimals among large integers: where a rounding bound can be the shortest text (1e23).
  for (let exponent = 15; exponent <= 40; exponent++) {
    for (let mantissa = 1; mantissa < 100; mantissa++) values.push(Number(`${mantissa}e${exponent}`));
  }
  // A fixed seed: the same values on every run (xorshift64).
  let state = 0x9e3779b97f4a7c15n;
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 500; i++) {
    state ^= (state << 13n) & 0xffffffffffffffffn;
    state ^= state >> 7n;
    state ^= (state << 17n) & 0xffffffffffffffffn;
    view.setBigUint64(0, state);
    values.push(view.getFloat64(0));
  }
  return values.filter((value) => !Number.isNaN(value));
}

/** A table of generated float edges, single precision holding the rounded double. */
function floatEdgesSql(): string {
  const rows = floatEdges().map((value, index) => {
    const single = Math.fround(value);
    return `(${index + 1}, '${floatLiteral(value)}', '${floatLiteral(single)}')`;
  });
  return `CREATE TABLE g_floats (id integer PRIMARY KEY, c_double double precision, c_real real);
INSERT INTO g_floats VALUES ${rows.join(',\n')};`;
}

/** Text keys whose binary order differs from any collation's, for the range WHERE. */
const TEXT_KEYS_SQL = `
CREATE TABLE k_text (k text PRIMARY KEY, v integer);
INSERT INTO k_text VALUES ('a', 1), ('B', 2), ('b', 3), ('Z', 4), ('é', 5), ('e', 6), ('', 7), ('a b', 8), ('ab', 9), ('😀', 10);
`;

/** More columns than a function takes arguments (100): the row text joins groups of fields. */
const WIDE_SQL = (() => {
  const columns = Array.from({ length: 150 }, (_, i) => `c${i + 1}`);
  return `CREATE TABLE w_wide (id integer PRIMARY KEY, ${columns.map((c) => `${c} text`).join(', ')});
INSERT INTO w_wide VALUES (1, ${columns.map((c) => `'${c}|x'`).join(', ')}), (2, ${columns.map((_, i) => (i % 2 ? 'NULL' : `'${i}'`)).join(', ')});`;
})();

async function loadFixtures(database: string): Promise<void> {
  await pgQuery(database, fixture('torture.sql'));
  await pgQuery(database, fixture('awkward.sql'));
  await pgQuery(database, floatEdgesSql());
  await pgQuery(database, TEXT_KEYS_SQL);
  await pgQuery(database, WIDE_SQL);
}

/** A connector and a pool of sessions prepared exactly as the connector prepares its own. */
interface Side {
  connector: Connector;
  pool: pg.Pool;
  tables: Table[];
}

async function openSide(url: string): Promise<Side> {
  const connector = createPostgresConnector(parseConnectionUrl(url));
  await connector.connect();
  const pool = new pg.Pool(postgresPoolConfig(parseConnectionUrl(url)));
  pool.on('error', () => {});
  const { tables } = await connector.introspect();
  return { connector, pool, tables };
}

async function withSession<T>(side: Side, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await acquirePostgres(side.pool, 'public');
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

function checksum(
  side: Side,
  table: Table,
  options: { columns: string[]; mode: ChecksumMode; range?: KeyRange; key?: string[] },
): Promise<ChunkChecksum> {
  return withSession(side, (client) => postgresChunkChecksum({ client, schema: 'public' }, table, options));
}

async function readRows(side: Side, table: Table): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of side.connector.read(table, { batchRows: 500, batchBytes: 8 << 20 })) {
    rows.push(...batch.rows);
  }
  return rows;
}

const renderable = (table: Table, mode: ChecksumMode) =>
  copiedColumns(table).filter((column) => postgresCanRender(column, mode));

/** The JS row texts of a table's rows over `columns`, keyed by the key's text. */
function jsTexts(table: Table, rows: Row[], columns: Column[], key: string): Map<string, string> {
  const all = copiedColumns(table);
  const positions = columns.map((column) => all.indexOf(column));
  const keyAt = all.findIndex((column) => column.name === key);
  const texts = new Map<string, string>();
  for (const row of rows) {
    const values: CanonicalValue[] = positions.map((position) => row[position] ?? null);
    texts.set(
      String(row[keyAt]),
      canonicalRowText(
        values,
        columns.map((column) => column.type),
      ),
    );
  }
  return texts;
}

const md5 = (text: string) => createHash('md5').update(Buffer.from(text, 'utf8')).digest('hex');

function hasherOf(texts: Iterable<string>): ChunkChecksum {
  const hasher = new ChunkHasher();
  for (const text of texts) hasher.addRowText(text);
  return hasher.result();
}

let source: TestDatabase;
let copy: TestDatabase;
let sourceSide: Side;
let copySide: Side;

beforeAll(async () => {
  [source, copy] = await Promise.all([freshPostgres('pgcksum'), freshPostgres('pgcksumcopy')]);
  // The copy is the same fixture loaded again: the same types and values in another database.
  await Promise.all([loadFixtures(source.name), loadFixtures(copy.name)]);
  [sourceSide, copySide] = await Promise.all([openSide(source.url), openSide(copy.url)]);
});

afterAll(async () => {
  for (const side of [sourceSide, copySide]) {
    await side?.connector.close();
    await side?.pool.end();
  }
  await Promise.all([source?.drop(), copy?.drop()]);
});

const FIXTURE_TABLES = [
  'awkward',
  'g_floats',
  't_binary',
  't_bits',
  't_booleans',
  't_char',
  't_dates',
  't_decimals',
  't_enum',
  't_floats',
  't_infinity',
  't_integers',
  't_json',
  't_numeric_special',
  't_pg_types',
  't_special_floats',
  't_text',
  't_timestamptz_wide',
  't_uuid',
  't_varbit',
  'w_wide',
];

const tableOf = (side: Side, name: string) => {
  const table = side.tables.find((candidate) => candidate.name === name);
  if (!table) throw new Error(`table ${name} not introspected`);
  return table;
};

describe('PostgreSQL checksum: canonical row text', () => {
  it('reports exactly jsonb as not renderable in canonical mode, and every column in native mode', () => {
    const unrenderable = sourceSide.tables.flatMap((table) =>
      copiedColumns(table)
        .filter((column) => !postgresCanRender(column, 'canonical'))
        .map((column) => `${table.name}.${column.name} ${column.nativeType}`),
    );
    expect(unrenderable).toEqual(['t_json.c_jsonb jsonb']);
    const nativeTypes = new Set(
      sourceSide.tables.flatMap((table) =>
        copiedColumns(table)
          .filter((column) => !postgresCanRender(column, 'canonical'))
          .map((column) => column.nativeType),
      ),
    );
    expect([...nativeTypes]).toEqual(['jsonb']);
    for (const table of sourceSide.tables) {
      expect(renderable(table, 'native')).toEqual(copiedColumns(table));
    }
  });

  it.each(FIXTURE_TABLES)(
    '%s: the SQL row text is canonicalRowText of the read values, byte for byte',
    async (name) => {
      const table = tableOf(sourceSide, name);
      const columns = renderable(table, 'canonical');
      const expected = jsTexts(table, await readRows(sourceSide, table), columns, 'id');
      const text = postgresRowTextSql(columns, 'canonical');
      const rows = await withSession(
        sourceSide,
        async (client) =>
          (
            await client.query<{ id: string; text: string; hash: string }>(
              `SELECT id::text AS id, ${text} AS text, md5(${text}) AS hash FROM ${qualify('public', name)} AS src ORDER BY src.id`,
            )
          ).rows,
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((row) => row.id)).toEqual([...expected.keys()]);
      for (const row of rows) {
        const js = expected.get(row.id)!;
        // Compared as strings for a readable diff, then as the hash of the server's bytes.
        expect({ id: row.id, text: row.text }).toEqual({ id: row.id, text: js });
        expect(row.hash).toBe(md5(js));
      }
      // The whole table's checksum in SQL equals the JS hasher's over the same texts.
      const sql = await checksum(sourceSide, table, {
        columns: columns.map((c) => c.name),
        mode: 'canonical',
      });
      expect(sql).toEqual(hasherOf(expected.values()));
      expect(sql.rows).toBe(rows.length);
    },
  );

  it('renders examples as the spec spells them', async () => {
    const table = tableOf(sourceSide, 'g_floats');
    const expectations: Array<[number, string]> = [
      [1e15, '1e15'],
      [1e-5, '0.00001'],
      [1.5e-7, '0.00000015'],
      [1.5e-16, '1.5e-16'],
      [1e-15, '0.000000000000001'],
      [1e14, '100000000000000'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e308'],
      // PostgreSQL prints 9.999999999999999e+22: the shortest text lies on the rounding bound.
      [1e23, '1e23'],
      [-1e23, '-1e23'],
    ];
    const column = table.columns.find((c) => c.name === 'c_double')!;
    const text = postgresRowTextSql([column], 'canonical');
    for (const [value, spelt] of expectations) {
      const rows = await withSession(
        sourceSide,
        async (client) =>
          (
            await client.query<{ text: string }>(
              `SELECT ${text} AS text FROM (SELECT $1::float8 AS c_double) v`,
              [floatLiteral(value)],
            )
          ).rows,
      );
      expect(rows[0]?.text).toBe(spelt);
    }
    const real = tableOf(sourceSide, 't_floats').columns.find((c) => c.name === 'c_real')!;
    const rows = await withSession(
      sourceSide,
      async (client) =>
        (
          await client.query<{ text: string }>(
            `SELECT ${postgresRowTextSql([real], 'canonical')} AS text FROM (SELECT 657.435791015625::real AS c_real UNION ALL SELECT NULL) v`,
          )
        ).rows,
    );
    expect(rows.map((row) => row.text)).toEqual(['657.435791015625', '\\N']);
  });
});

describe('PostgreSQL checksum: chunks', () => {
  it('splits at any key into two ranges that merge to the whole, each equal to the JS hasher', async () => {
    for (const name of ['t_dates', 'g_floats', 'awkward']) {
      const table = tableOf(sourceSide, name);
      const columns = renderable(table, 'canonical');
      const texts = jsTexts(table, await readRows(sourceSide, table), columns, 'id');
      const ids = [...texts.keys()].map(BigInt);
      const names = columns.map((c) => c.name);
      const whole = await checksum(sourceSide, table, { columns: names, mode: 'canonical' });
      for (const mid of [ids[0]!, ids[Math.floor(ids.length / 2)]!, ids.at(-1)!]) {
        const low = await checksum(sourceSide, table, {
          columns: names,
          mode: 'canonical',
          range: { through: [mid] },
        });
        const high = await checksum(sourceSide, table, {
          columns: names,
          mode: 'canonical',
          range: { after: [mid] },
        });
        expect(low).toEqual(hasherOf([...texts].filter(([id]) => BigInt(id) <= mid).map(([, text]) => text)));
        expect(low.rows + high.rows).toBe(ids.length);
        const merged = new ChunkHasher();
        merged.merge(low);
        merged.merge(high);
        expect(merged.result()).toEqual(whole);
      }
    }
  });

  it('covers a text key range in binary (UTF-8 byte) order, as the reader does', async () => {
    const table = tableOf(sourceSide, 'k_text');
    const columns = copiedColumns(table);
    const texts = jsTexts(table, await readRows(sourceSide, table), columns, 'k');
    const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
    const keys = [...texts.keys()].sort(byBytes);
    // The reader's order is the binary order.
    expect([...texts.keys()]).toEqual(keys);
    const range: KeyRange = { after: ['B'], through: ['é'] };
    const inside = keys.filter((key) => byBytes(key, 'B') > 0 && byBytes(key, 'é') <= 0);
    expect(inside).toEqual(['Z', 'a', 'a b', 'ab', 'b', 'e', 'é']);
    const sql = await checksum(sourceSide, table, { columns: ['k', 'v'], mode: 'canonical', range });
    expect(sql).toEqual(hasherOf(inside.map((key) => texts.get(key)!)));
    const rows: string[] = [];
    for await (const batch of sourceSide.connector.read(table, {
      batchRows: 100,
      batchBytes: 1 << 20,
      range,
    })) {
      rows.push(...batch.rows.map((row) => String(row[0])));
    }
    expect(rows).toEqual(inside);
  });

  it('counts an empty range as zero rows and zero sums', async () => {
    const table = tableOf(sourceSide, 't_uuid');
    for (const mode of ['canonical', 'native'] as const) {
      const empty = await checksum(sourceSide, table, {
        columns: ['c_uuid'],
        mode,
        range: { after: [1000n] },
      });
      expect(empty).toEqual({ rows: 0, high: '0000000000000000', low: '0000000000000000' });
    }
  });

  it("runs in the caller's open transaction and sees its snapshot", async () => {
    const table = tableOf(copySide, 't_uuid');
    const options = { columns: ['c_uuid'], mode: 'canonical' as const };
    const before = await checksum(copySide, table, options);
    const client = await acquirePostgres(copySide.pool, 'public');
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const session = { client, schema: 'public' };
      expect(await postgresChunkChecksum(session, table, options)).toEqual(before);
      await pgQuery(
        copy.name,
        `UPDATE t_uuid SET c_uuid = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12' WHERE id = 3`,
      );
      expect(await postgresChunkChecksum(session, table, options)).toEqual(before);
      await client.query('COMMIT');
      expect(await postgresChunkChecksum(session, table, options)).not.toEqual(before);
    } finally {
      client.release();
      await pgQuery(
        copy.name,
        `UPDATE t_uuid SET c_uuid = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' WHERE id = 3`,
      );
    }
    expect(await checksum(copySide, table, options)).toEqual(before);
  });

  it('refuses an unknown column, a jsonb column in canonical mode and a range without a key', async () => {
    const json = tableOf(sourceSide, 't_json');
    await expect(checksum(sourceSide, json, { columns: ['nope'], mode: 'canonical' })).rejects.toMatchObject({
      code: 'PG_CHECKSUM_COLUMN',
    });
    await expect(
      checksum(sourceSide, json, { columns: ['c_jsonb'], mode: 'canonical' }),
    ).rejects.toMatchObject({
      code: 'PG_CHECKSUM_COLUMN',
    });
    const keyless: Table = { ...json, primaryKey: [] };
    await expect(
      checksum(sourceSide, keyless, { columns: ['c_json'], mode: 'canonical', range: { after: [1n] } }),
    ).rejects.toMatchObject({ code: 'PG_CHUNK_KEY' });
  });
});

/** One changed value in the copy, the statement that restores it, and the table it is in. */
interface Change {
  what: string;
  table: string;
  change: string;
  restore: string;
}

const CHANGES: Change[] = [
  {
    what: 'one ulp of a float8',
    table: 't_floats',
    change: `UPDATE t_floats SET c_double = '${floatLiteral(ulpStep(0.1 + 0.2, true))}' WHERE id = 12`,
    restore: `UPDATE t_floats SET c_double = '${floatLiteral(0.1 + 0.2)}' WHERE id = 12`,
  },
  {
    what: 'one ulp of a real',
    table: 't_floats',
    change: `UPDATE t_floats SET c_real = '4056.6670' WHERE id = 5`,
    restore: `UPDATE t_floats SET c_real = 4056.666748046875 WHERE id = 5`,
  },
  {
    what: 'a trailing space',
    table: 't_text',
    change: `UPDATE t_text SET c_varchar = c_varchar || ' ' WHERE id = 11`,
    restore: `UPDATE t_text SET c_varchar = 'trailing   ' WHERE id = 11`,
  },
  {
    what: "a letter's case",
    table: 't_text',
    change: `UPDATE t_text SET c_text = 'NULl' WHERE id = 3`,
    restore: `UPDATE t_text SET c_text = 'NULL' WHERE id = 3`,
  },
  {
    what: 'one microsecond of a timestamp',
    table: 't_dates',
    change: `UPDATE t_dates SET c_timestamp = c_timestamp + interval '1 microsecond' WHERE id = 12`,
    restore: `UPDATE t_dates SET c_timestamp = c_timestamp - interval '1 microsecond' WHERE id = 12`,
  },
  {
    what: 'one microsecond of a timestamptz',
    table: 't_dates',
    change: `UPDATE t_dates SET c_timestamptz = c_timestamptz - interval '1 microsecond' WHERE id = 19`,
    restore: `UPDATE t_dates SET c_timestamptz = c_timestamptz + interval '1 microsecond' WHERE id = 19`,
  },
  {
    what: 'one byte of a bytea',
    table: 't_binary',
    change: `UPDATE t_binary SET c_bytea = set_byte(c_bytea, 100, (get_byte(c_bytea, 100) + 1) % 256) WHERE id = 3`,
    restore: `UPDATE t_binary SET c_bytea = set_byte(c_bytea, 100, (get_byte(c_bytea, 100) + 255) % 256) WHERE id = 3`,
  },
  {
    what: 'a NULL for an empty string',
    table: 't_text',
    change: `UPDATE t_text SET c_text = NULL WHERE id = 1`,
    restore: `UPDATE t_text SET c_text = '' WHERE id = 1`,
  },
  {
    what: 'a value moved to the neighbouring column',
    table: 't_text',
    change: `UPDATE t_text SET c_text = NULL, c_varchar = 'NULL' WHERE id = 3`,
    restore: `UPDATE t_text SET c_text = 'NULL', c_varchar = NULL WHERE id = 3`,
  },
  {
    what: 'a key order in jsonb (native only: canonical leaves jsonb out)',
    table: 't_json',
    change: `UPDATE t_json SET c_jsonb = '{"b": 1, "a": 3}' WHERE id = 7`,
    restore: `UPDATE t_json SET c_jsonb = '{"b": 1, "a": 2}' WHERE id = 7`,
  },
];

describe('PostgreSQL checksum: native mode and changed values', () => {
  const both = async (table: Table, mode: ChecksumMode) => {
    const columns = renderable(table, mode).map((column) => column.name);
    return Promise.all([
      checksum(sourceSide, table, { columns, mode }),
      checksum(copySide, tableOf(copySide, table.name), { columns, mode }),
    ]);
  };

  it.each(FIXTURE_TABLES)('%s: equal in a copy, in both modes', async (name) => {
    const table = tableOf(sourceSide, name);
    for (const mode of ['canonical', 'native'] as const) {
      const [a, b] = await both(table, mode);
      expect(b).toEqual(a);
      expect(a.rows).toBeGreaterThan(0);
    }
  });

  it('native mode hashes the record text of exactly the requested columns, in order', async () => {
    const table = tableOf(sourceSide, 't_text');
    const forward = await checksum(sourceSide, table, { columns: ['c_text', 'c_varchar'], mode: 'native' });
    const backward = await checksum(sourceSide, table, { columns: ['c_varchar', 'c_text'], mode: 'native' });
    expect(backward).not.toEqual(forward);
    const rows = await pgQuery<{ h: string }>(
      source.name,
      'SELECT md5(ROW(c_text, c_varchar)::text) AS h FROM t_text',
    );
    const hasher = new ChunkHasher();
    for (const row of rows) hasher.addRowHash(row.h);
    expect(forward).toEqual(hasher.result());
  });

  it.each(CHANGES)('$what changes the checksum', async ({ table: name, change, restore, what }) => {
    const table = tableOf(sourceSide, name);
    await pgQuery(copy.name, change);
    try {
      const [canonicalA, canonicalB] = await both(table, 'canonical');
      const [nativeA, nativeB] = await both(table, 'native');
      expect(nativeB).not.toEqual(nativeA);
      expect(nativeB.rows).toBe(nativeA.rows);
      if (what.includes('native only')) expect(canonicalB).toEqual(canonicalA);
      else expect(canonicalB).not.toEqual(canonicalA);
    } finally {
      await pgQuery(copy.name, restore);
    }
    const [canonicalA, canonicalB] = await both(table, 'canonical');
    const [nativeA, nativeB] = await both(table, 'native');
    expect(canonicalB).toEqual(canonicalA);
    expect(nativeB).toEqual(nativeA);
  });
});

describe('PostgreSQL checksum: a database not in UTF-8', () => {
  let latin: string | undefined;
  let side: Side | undefined;

  afterAll(async () => {
    await side?.connector.close();
    await side?.pool.end();
    if (latin) await pgQuery('postgres', `DROP DATABASE IF EXISTS "${latin}" WITH (FORCE)`);
  });

  it('hashes the UTF-8 bytes of its text, as the other side does', async () => {
    latin = `${source.name}_latin1`;
    await pgQuery(
      'postgres',
      `CREATE DATABASE "${latin}" ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`,
    );
    await pgQuery(
      latin,
      `CREATE TABLE t (id integer PRIMARY KEY, c_text text, c_char char(8), c_arr text[]);
       INSERT INTO t VALUES (1, 'héllo', 'ñ', '{"ü x",b}'), (2, NULL, NULL, NULL), (3, 'plain', 'a', '{}');`,
    );
    side = await openSide(`${PG_BASE}/${latin}`);
    const table = tableOf(side, 't');
    const columns = copiedColumns(table);
    const texts = jsTexts(table, await readRows(side, table), columns, 'id');
    expect(texts.get('1')).toBe('1|6:héllo|9:ñ       |10:{"ü x",b}');
    const sql = await checksum(side, table, { columns: columns.map((c) => c.name), mode: 'canonical' });
    expect(sql).toEqual(hasherOf(texts.values()));
  });
});
