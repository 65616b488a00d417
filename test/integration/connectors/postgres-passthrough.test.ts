/**
 * The PostgreSQL → PostgreSQL fast path: binary COPY between columns of the same types, offered
 * only where every value arrives bit for bit, and falling back to decoded rows elsewhere.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../../src/connectors/connector.js';
import { createConnector } from '../../../src/connectors/registry.js';
import { copyDatabase } from '../../../src/engine/copy.js';
import { freshPostgres, pgQuery, type TestDatabase } from '../../helpers/servers.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

const SCHEMA = `
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TYPE pair AS (a int, b text);
  CREATE DOMAIN positive AS numeric(12,3) CHECK (VALUE > 0);
  CREATE TABLE plain (
    id bigint PRIMARY KEY, f4 real, f8 double precision, n numeric(30,10), t text, b bytea,
    ts timestamp(6), tz timestamptz, j jsonb, u uuid, iv interval, arr int[], txt text[],
    m mood, p positive, r int4range);
  CREATE TABLE with_composite (id int PRIMARY KEY, v pair);
  CREATE TABLE with_enum_array (id int PRIMARY KEY, v mood[]);`;

const ROWS = `
  INSERT INTO plain
  SELECT i, (i / 7.0)::real, i / 3.0, i::numeric / 7, 'row ' || i || E'\\t\\n\\\\', decode(lpad(to_hex(i), 8, '0'), 'hex'),
         '2026-01-01 00:00:00.000001'::timestamp + i * interval '1 second 1 microsecond',
         '2026-01-01 00:00:00+00'::timestamptz + i * interval '1 hour', jsonb_build_object('i', i, 'k', 'v'),
         md5(i::text)::uuid, i * interval '1 minute', ARRAY[i, -i, NULL], ARRAY['a' || i, NULL],
         (ARRAY['sad','ok','happy'])[1 + i % 3]::mood, i + 0.5, int4range(i, i + 10)
  FROM generate_series(1, 2500) AS i;
  INSERT INTO plain (id) VALUES (0);
  INSERT INTO plain (id, f4, f8, n) VALUES (-1, 'NaN', '-Infinity', 'NaN'), (-2, '-0', '5e-324', 0.0000000001);
  INSERT INTO with_composite VALUES (1, ROW(1, 'x')), (2, NULL);
  INSERT INTO with_enum_array VALUES (1, ARRAY['sad', 'happy']::mood[]);`;

async function connected(db: TestDatabase): Promise<Connector> {
  const connector = await createConnector(db.url);
  await connector.connect();
  cleanup.push(() => connector.close());
  return connector;
}

describe('PostgreSQL binary COPY passthrough', () => {
  it('is offered for built-in types, enums and domains, never for composites or arrays of user types', async () => {
    const db = await freshPostgres('pt_src');
    cleanup.push(() => db.drop());
    await pgQuery(db.name, SCHEMA);
    const connector = await connected(db);
    const tables = new Map((await connector.introspect()).tables.map((t) => [t.name, t]));
    expect(await connector.rowEncodings(tables.get('plain')!)).toEqual(['postgres-binary/UTF8']);
    expect(await connector.rowEncodings(tables.get('with_composite')!)).toEqual([]);
    expect(await connector.rowEncodings(tables.get('with_enum_array')!)).toEqual([]);
  });

  it('copies bit for bit, chunk by chunk, and the target refuses it where a type differs', async () => {
    const source = await freshPostgres('pt_src');
    const target = await freshPostgres('pt_dst');
    cleanup.push(
      () => source.drop(),
      () => target.drop(),
    );
    await pgQuery(source.name, SCHEMA);
    await pgQuery(source.name, ROWS);
    // Composite types are not recreated by the schema phase (yet): the target has its own.
    await pgQuery(target.name, 'CREATE TYPE pair AS (a int, b text)');

    const result = await copyDatabase({
      source: source.url,
      target: target.url,
      chunkRows: 700,
      parallel: 2,
    });
    expect(result.tables.map((t) => [t.table, t.error?.message ?? t.status, t.encoding])).toEqual([
      ['plain', 'copied', 'postgres-binary/UTF8'],
      ['with_composite', 'copied', undefined],
      ['with_enum_array', 'copied', undefined],
    ]);
    expect(result.tables[0]!.chunks).toBe(4);
    expect(result.tables[0]!.rows).toBe(2503);
    // Every column's exact text (float bits included) is the same on both sides.
    const dump = `SELECT id, f4::float8::text, float8send(f8)::text, n::text, t, b, ts::text, tz::text, j::text, u,
                         iv::text, arr::text, txt::text, m::text, p::text, r::text
                  FROM plain ORDER BY id`;
    expect(await pgQuery(target.name, dump)).toEqual(await pgQuery(source.name, dump));

    // A target column of another typmod would round numeric(30,10): no passthrough then.
    const connector = await connected(target);
    const plain = (await (await connected(source)).introspect({ tables: ['plain'] })).tables[0]!;
    expect(await connector.acceptsEncoding(plain, 'postgres-binary/UTF8')).toBe(true);
    expect(await connector.acceptsEncoding(plain, 'postgres-binary/LATIN1')).toBe(false);
    await pgQuery(target.name, 'ALTER TABLE plain ALTER COLUMN n TYPE numeric(30,2)');
    expect(await connector.acceptsEncoding(plain, 'postgres-binary/UTF8')).toBe(false);
  });
});
