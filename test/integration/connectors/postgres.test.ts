/**
 * The PostgreSQL connector against the real server: introspection, exact canonical values of the
 * awkward fixture, same- and cross-dialect writes read back value for value, errors that name
 * the column without the value, objects (views, triggers, routines) and sequence positions.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../../src/connectors/connector.js';
import { createPostgresConnector } from '../../../src/connectors/postgres/index.js';
import { parseConnectionUrl } from '../../../src/connectors/url.js';
import { ConnectionError, DatabaseError, ValueError } from '../../../src/errors.js';
import type { Column, Table } from '../../../src/schema/table.js';
import type { CanonicalValue, Row, RowBatch } from '../../../src/values/canonical.js';
import { Coercions, parseCoercionRule } from '../../../src/values/coercions.js';
import { awkwardRows } from '../../fixtures/awkward-rows.js';
import { batchesOf } from '../../helpers/batches.js';
import { freshPostgres, PG_BASE, pgQuery, type TestDatabase } from '../../helpers/servers.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/postgres/${name}`, import.meta.url), 'utf8');

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

const AWKWARD_ROWS = awkwardRows({ ubig: 'decimal', paddedDecimals: true });

/** A table built with the source schema's features that only a same-dialect copy carries. */
const FEATURES_SQL = `
CREATE TYPE mood AS ENUM ('sad', 'ok, fine', 'it''s');
CREATE SEQUENCE shared_seq INCREMENT BY 5 START WITH 100;
CREATE TABLE features (
  id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  m     mood NOT NULL DEFAULT 'ok, fine',
  doc   jsonb,
  price numeric(10,2) DEFAULT 0,
  total numeric GENERATED ALWAYS AS (price * 2) STORED,
  name  text COLLATE "C",
  at    timestamptz(3) DEFAULT now(),
  f     real,
  d     double precision,
  code  bigint DEFAULT nextval('shared_seq')
);
COMMENT ON TABLE features IS 'feature table';
COMMENT ON COLUMN features.name IS 'the name';
CREATE UNIQUE INDEX features_lower_name ON features (lower(name)) WHERE id > 0;
INSERT INTO features (m, doc, price, name, at, f, d) VALUES
  ('it''s', '{"b": 1, "a": [1.0, 2]}', 12.5, 'x', '2020-01-01 12:00:00.123+02', '-0', '-0'),
  ('sad', NULL, 0, NULL, NULL, 'NaN', '-Infinity'),
  ('ok, fine', '"\\u00e9"', NULL, 'Y', '1999-12-31 23:59:59+00', 'Infinity', 'NaN');
`;

async function connect(url: string): Promise<Connector> {
  const connector = createPostgresConnector(parseConnectionUrl(url));
  await connector.connect();
  return connector;
}

async function readAll(
  connector: Connector,
  table: Table,
  batchRows = 1000,
  batchBytes = 1 << 20,
): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of connector.read(table, { batchRows, batchBytes })) rows.push(...batch.rows);
  return rows;
}

function tableNamed(tables: Table[], name: string): Table {
  const table = tables.find((candidate) => candidate.name === name);
  if (!table) throw new Error(`table ${name} not introspected`);
  return table;
}

let source: TestDatabase;
let target: TestDatabase;
let sourceConnector: Connector;
const opened: Connector[] = [];

beforeAll(async () => {
  [source, target] = await Promise.all([freshPostgres('pgsrc'), freshPostgres('pgdst')]);
  await pgQuery(source.name, fixture('awkward.sql'));
  await pgQuery(source.name, fixture('objects.sql'));
  await pgQuery(source.name, FEATURES_SQL);
  sourceConnector = await connect(source.url);
  opened.push(sourceConnector);
});

afterAll(async () => {
  for (const connector of opened) await connector.close();
  await Promise.all([source?.drop(), target?.drop()]);
});

async function targetConnector(schema: string): Promise<Connector> {
  const connector = await connect(`${target.url}?schema=${schema}`);
  opened.push(connector);
  return connector;
}

describe('PostgreSQL connector: introspection', () => {
  it('describes the awkward table with logical types', async () => {
    const schema = await sourceConnector.introspect({ tables: ['awkward'] });
    expect(schema.dialect).toBe('postgres');
    expect(schema.serverVersion).toMatch(/^PostgreSQL 15\.\d+$/);
    const awkward = tableNamed(schema.tables, 'awkward');
    expect(schema.tables).toHaveLength(1);
    expect(awkward.primaryKey).toEqual(['id']);
    expect(awkward.primaryKeyName).toBe('awkward_pkey');
    expect(awkward.columns.map((c) => [c.name, c.type, c.nativeType, c.nullable])).toEqual([
      ['id', { kind: 'integer', bits: 32, unsigned: false }, 'integer', false],
      ['label', { kind: 'text', length: 100 }, 'character varying(100)', true],
      ['body', { kind: 'text' }, 'text', true],
      ['data', { kind: 'binary' }, 'bytea', true],
      ['big', { kind: 'integer', bits: 64, unsigned: false }, 'bigint', true],
      ['ubig', { kind: 'decimal', precision: 20, scale: 0 }, 'numeric(20,0)', true],
      ['dec', { kind: 'decimal', precision: 40, scale: 30 }, 'numeric(40,30)', true],
      ['f32', { kind: 'float', bits: 32 }, 'real', true],
      ['f64', { kind: 'float', bits: 64 }, 'double precision', true],
      ['flag', { kind: 'integer', bits: 16, unsigned: false }, 'smallint', true],
      ['ts', { kind: 'datetime', fsp: 6 }, 'timestamp(6) without time zone', true],
    ]);
  });

  it('describes keys, indexes, foreign keys, identities, enums, defaults, comments and objects', async () => {
    const schema = await sourceConnector.introspect();
    expect(schema.tables.map((t) => t.name)).toEqual(['author', 'awkward', 'book', 'features']);
    const author = tableNamed(schema.tables, 'author');
    const book = tableNamed(schema.tables, 'book');
    const features = tableNamed(schema.tables, 'features');
    // Explicit ids never called the identity's sequence; the trigger-inserted books did.
    expect(author.columns[0]?.autoIncrement).toEqual({ nextValue: '1' });
    expect(author.columns[2]?.default).toEqual({ kind: 'literal', value: '0' });
    expect(book.columns[0]?.autoIncrement).toEqual({ nextValue: '4' });
    expect(book.indexes.map((i) => [i.name, i.unique, i.columns])).toEqual([
      ['book_author_title', false, [{ name: 'author_id' }, { name: 'title', descending: true }]],
      ['book_isbn_key', true, [{ name: 'isbn' }]],
      ['book_title_ix', false, [{ name: 'title' }]],
    ]);
    expect(book.indexes[1]?.definition?.sql).toBe('CONSTRAINT "book_isbn_key" UNIQUE (isbn)');
    expect(book.foreignKeys).toEqual([
      {
        name: 'book_author_id_fkey',
        columns: ['author_id'],
        referencedTable: 'author',
        referencedColumns: ['id'],
        onDelete: 'CASCADE',
        onUpdate: 'NO ACTION',
      },
    ]);
    const byName = (name: string) => features.columns.find((c) => c.name === name) as Column;
    expect(byName('id').autoIncrement).toEqual({ always: true, nextValue: '4' });
    expect(byName('m').type).toEqual({ kind: 'enum', values: ['sad', 'ok, fine', "it's"] });
    expect(byName('m').default).toEqual({ kind: 'literal', value: 'ok, fine' });
    expect(byName('doc').type).toEqual({ kind: 'json', binary: true });
    expect(byName('total').generated).toEqual({
      expression: '(price * (2)::numeric)',
      stored: true,
      dialect: 'postgres',
    });
    expect(byName('name').collation).toBe('C');
    expect(byName('name').comment).toBe('the name');
    expect(byName('at').type).toEqual({ kind: 'timestamptz', fsp: 3 });
    expect(byName('at').default).toEqual({ kind: 'expression', sql: 'now()', dialect: 'postgres' });
    expect(features.comment).toBe('feature table');
    expect(features.indexes).toEqual([
      {
        name: 'features_lower_name',
        unique: true,
        columns: [],
        definition: {
          sql: 'CREATE UNIQUE INDEX features_lower_name ON public.features USING btree (lower(name)) WHERE (id > 0)',
          dialect: 'postgres',
        },
      },
    ]);
    expect(byName('code').default).toEqual({
      kind: 'expression',
      sql: "nextval('shared_seq'::regclass)",
      dialect: 'postgres',
    });
    expect(schema.objects.map((o) => [o.kind, o.name, o.table])).toEqual([
      ['sequence', 'shared_seq', undefined],
      ['view', 'book_titles', undefined],
      // The trigger function travels inside the trigger's definition, not as a routine of its own.
      ['routine', 'books_of', undefined],
      ['trigger', 'book_count_up', 'book'],
    ]);
  });
});

describe('PostgreSQL connector: reading', () => {
  it('reads every awkward value in its exact canonical form, in bounded batches', async () => {
    const [awkward] = (await sourceConnector.introspect({ tables: ['awkward'] })).tables;
    const batches: RowBatch[] = [];
    for await (const batch of sourceConnector.read(awkward!, { batchRows: 2, batchBytes: 1 << 20 }))
      batches.push(batch);
    expect(batches.map((b) => b.rows.length)).toEqual([2, 2, 2]);
    const rows = batches.flatMap((b) => b.rows);
    expect(rows).toEqual(AWKWARD_ROWS);
    for (const [i, row] of rows.entries()) {
      for (const column of [7, 8]) expect(Object.is(row[column], AWKWARD_ROWS[i]![column])).toBe(true);
    }
    // A byte bound smaller than one row closes a batch after every row.
    const small = [];
    for await (const batch of sourceConnector.read(awkward!, { batchRows: 100, batchBytes: 10 }))
      small.push(batch);
    expect(small.map((b) => b.rows.length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(small[5]!.bytes).toBeGreaterThan(100000 + 140000);
  });

  it('gives the connection back when the consumer stops early', async () => {
    const [awkward] = (await sourceConnector.introspect({ tables: ['awkward'] })).tables;
    // More early stops than the pool has connections: a leak would hang here.
    for (let i = 0; i < 12; i++) {
      for await (const batch of sourceConnector.read(awkward!, { batchRows: 1, batchBytes: 1 << 20 })) {
        expect(batch.rows).toHaveLength(1);
        break;
      }
    }
    expect(await sourceConnector.existingTables(['awkward'])).toEqual([{ name: 'awkward', hasRows: true }]);
  });
});

describe('PostgreSQL connector: read failures', () => {
  it('wraps a server error in a DatabaseError naming the table, and the pool stays usable', async () => {
    const [awkward] = (await sourceConnector.introspect({ tables: ['awkward'] })).tables;
    const missing = { ...awkward!, name: 'no_such_table' };
    const error = await readAll(sourceConnector, missing).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toContain('Reading table "no_such_table" failed');
    expect(await readAll(sourceConnector, awkward!)).toHaveLength(6);
  });
});

describe('PostgreSQL connector: same-dialect copy', () => {
  it('writes the awkward rows and the features table and reads them back equal', async () => {
    const destination = await targetConnector('public');
    const schema = await sourceConnector.introspect({ tables: ['awkward', 'features'] });
    const request = { sourceDialect: 'postgres' as const, tables: schema.tables };
    expect(await destination.createSchema(request, 'tables')).toEqual([]);
    for (const table of schema.tables) {
      const rows = await readAll(sourceConnector, table);
      const result = await destination.write(table, batchesOf(rows, 2));
      expect(result.rows).toBe(rows.length);
      expect(result.bytes).toBeGreaterThan(0);
    }
    expect(await destination.createSchema(request, 'constraints')).toEqual([]);
    const copied = await destination.introspect({ tables: ['awkward', 'features'] });
    for (const table of schema.tables) {
      const back = await readAll(destination, tableNamed(copied.tables, table.name));
      const original = await readAll(sourceConnector, table);
      expect(back).toEqual(original);
      back.forEach((row, i) => {
        row.forEach((value, j) => {
          if (typeof value === 'number') expect(Object.is(value, original[i]![j])).toBe(true);
        });
      });
    }
    expect(await readAll(destination, tableNamed(copied.tables, 'awkward'))).toEqual(AWKWARD_ROWS);
    // Types, identity, generated column, collation, comments and the expression index came across.
    const features = tableNamed(copied.tables, 'features');
    const original = tableNamed(schema.tables, 'features');
    expect(features.columns).toEqual(original.columns);
    expect(features.comment).toBe('feature table');
    expect(features.indexes).toEqual(original.indexes);
    const inserted = await pgQuery(
      target.name,
      `INSERT INTO features (m, price) VALUES ('sad', 1.25) RETURNING id::text, total::text`,
    );
    expect(inserted).toEqual([{ id: '4', total: '2.50' }]);
  });
});

const column = (
  name: string,
  type: Column['type'],
  nativeType: string,
  extra: Partial<Column> = {},
): Column => ({
  name,
  type,
  nativeType,
  nullable: true,
  ...extra,
});

/** A table as a MySQL source would describe it. */
const FROM_MYSQL: Table = {
  name: 'from_mysql',
  columns: [
    column('id', { kind: 'integer', bits: 32, unsigned: false }, 'int(11)', {
      nullable: false,
      autoIncrement: { nextValue: '100' },
    }),
    column('ubig', { kind: 'integer', bits: 64, unsigned: true }, 'bigint(20) unsigned'),
    column('f', { kind: 'float', bits: 32 }, 'float'),
    column('d', { kind: 'float', bits: 64 }, 'double'),
    column('dt', { kind: 'datetime', fsp: 6 }, 'datetime(6)', {
      default: { kind: 'expression', sql: 'current_timestamp(6)', dialect: 'mysql' },
    }),
    column('e', { kind: 'enum', values: ['a,b', "it's", 'plain'] }, "enum('a,b','it''s','plain')"),
    column('flag', { kind: 'integer', bits: 8, unsigned: false }, 'tinyint(1)', {
      default: { kind: 'literal', value: '1' },
    }),
    column('u32', { kind: 'integer', bits: 32, unsigned: true }, 'int(10) unsigned'),
    column('amount', { kind: 'decimal', precision: 65, scale: 30 }, 'decimal(65,30)'),
    column('short', { kind: 'text', length: 5 }, 'varchar(5)'),
    column('body', { kind: 'text' }, 'longtext'),
    column('bin', { kind: 'binary', length: 4, fixed: true }, 'binary(4)'),
    column('born', { kind: 'date' }, 'date', { default: { kind: 'literal', value: '0000-00-00' } }),
    column('t', { kind: 'time', fsp: 0 }, 'time'),
    column('stamp', { kind: 'timestamptz', fsp: 0 }, 'timestamp'),
    column('doc', { kind: 'json' }, 'json'),
    column('tags', { kind: 'set', values: ['x', 'y'] }, "set('x','y')"),
    column('bits', { kind: 'bit', length: 8 }, 'bit(8)'),
    column('uid', { kind: 'uuid' }, 'uuid', {
      default: { kind: 'expression', sql: 'uuid()', dialect: 'mysql' },
    }),
    column('r', { kind: 'float', bits: 64 }, 'double', {
      default: { kind: 'expression', sql: 'rand()', dialect: 'mysql' },
    }),
  ],
  primaryKey: ['id'],
  primaryKeyName: 'PRIMARY',
  indexes: [
    {
      name: 'from_mysql_short_dt',
      unique: false,
      columns: [{ name: 'short' }, { name: 'dt', descending: true }],
    },
    {
      name: 'from_mysql_expr',
      unique: false,
      columns: [],
      definition: { sql: '(lower(body))', dialect: 'mysql' },
    },
    { name: 'from_mysql_body_prefix', unique: true, columns: [{ name: 'body', prefixLength: 3 }] },
  ],
  foreignKeys: [],
};

const FROM_MYSQL_ROWS: Row[] = [
  [
    1n,
    18446744073709551615n,
    4056.666748046875,
    -0,
    '2020-02-29 12:34:56.123456',
    'a,b',
    1n,
    4294967295n,
    '-12345678901234567890123456789012345.123456789012345678901234567890',
    'abcde',
    'line\n\\N\ttab',
    Buffer.from([0, 1, 2, 3]),
    '2020-01-01',
    '23:59:59',
    '2020-01-01 00:00:00',
    '{"a": [1, 2.50]}',
    'x,y',
    '10100101',
    '0b8f3a2e-5d1c-4f6a-9b7e-1c2d3e4f5a6b',
    Number.NaN,
  ],
  [
    2n,
    0n,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '0001-01-01 00:00:00',
    "it's",
    -128n,
    0n,
    '0.000000000000000000000000000001',
    'ñ😀é',
    '',
    Buffer.alloc(4),
    '9999-12-31',
    '00:00:00',
    '2038-01-19 03:14:07',
    'null',
    '',
    '00000000',
    null,
    Number.NEGATIVE_INFINITY,
  ],
  [3n, ...new Array<null>(19).fill(null)],
];

describe('PostgreSQL connector: cross-dialect copy', () => {
  it('creates a table from a MySQL description, notes what it cannot carry, and keeps every value', async () => {
    const destination = await targetConnector('cross');
    const request = { sourceDialect: 'mysql' as const, tables: [FROM_MYSQL] };
    const notes = await destination.createSchema(request, 'tables');
    expect(notes.map((n) => [n.table, n.object])).toEqual([
      ['from_mysql', 'born'],
      ['from_mysql', 'r'],
    ]);
    expect(notes[0]?.message).toContain("'0000-00-00' was not carried");
    const result = await destination.write(FROM_MYSQL, batchesOf(FROM_MYSQL_ROWS, 2));
    expect(result.rows).toBe(3);
    const constraintNotes = await destination.createSchema(request, 'constraints');
    expect(constraintNotes.map((n) => n.object)).toEqual(['from_mysql_expr']);

    const back = await readAll(destination, FROM_MYSQL);
    expect(back).toEqual(FROM_MYSQL_ROWS);
    expect(Object.is(back[0]![3], -0)).toBe(true);

    const [created] = (await destination.introspect()).tables;
    const native = Object.fromEntries(created!.columns.map((c) => [c.name, c.nativeType]));
    expect(native).toMatchObject({
      id: 'integer',
      ubig: 'numeric(20,0)',
      f: 'real',
      d: 'double precision',
      dt: 'timestamp(6) without time zone',
      e: 'text',
      flag: 'smallint',
      u32: 'bigint',
      amount: 'numeric(65,30)',
      short: 'character varying(5)',
      body: 'text',
      bin: 'bytea',
      born: 'date',
      t: 'time(0) without time zone',
      stamp: 'timestamp(0) with time zone',
      doc: 'json',
      tags: 'text',
      bits: 'bit(8)',
      uid: 'uuid',
    });
    expect(created!.indexes.map((i) => [i.name, i.unique, i.columns])).toEqual([
      ['from_mysql_body_prefix', true, []],
      ['from_mysql_short_dt', false, [{ name: 'short' }, { name: 'dt', descending: true }]],
    ]);
    // A unique prefix index is exactly as strict as in MySQL: 'lin…' is taken by row 1.
    await expect(
      pgQuery(target.name, `INSERT INTO "cross".from_mysql (id, body) VALUES (50, 'lint')`),
    ).rejects.toThrow(/from_mysql_body_prefix/);
    // The identity continues past the source's next value; defaults were translated.
    const [row] = await pgQuery(
      target.name,
      `INSERT INTO "cross".from_mysql (e) VALUES ('plain') RETURNING id, flag, dt IS NOT NULL AS has_dt, uid IS NOT NULL AS has_uid`,
    );
    expect(row).toEqual({ id: 100, flag: 1, has_dt: true, has_uid: true });
  });
});

describe('PostgreSQL connector: values the target would change', () => {
  const STRICT: Table = {
    name: 'strict',
    columns: [
      column('id', { kind: 'integer', bits: 32, unsigned: false }, 'int', { nullable: false }),
      column('short', { kind: 'text', length: 5 }, 'varchar(5)'),
      column('flag', { kind: 'integer', bits: 16, unsigned: false }, 'smallint'),
      column('born', { kind: 'date' }, 'date'),
      column('e', { kind: 'enum', values: ['a', 'b'] }, "enum('a','b')"),
    ],
    primaryKey: ['id'],
    indexes: [],
    foreignKeys: [],
  };
  let destination: Connector;

  beforeAll(async () => {
    destination = await targetConnector('strict');
    await destination.createSchema({ sourceDialect: 'mysql', tables: [STRICT] }, 'tables');
  });

  async function failure(rows: Row[]): Promise<ValueError> {
    const error = await destination.write(STRICT, batchesOf(rows, 2)).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValueError);
    // Nothing of the failed write stays.
    expect(await pgQuery(target.name, 'SELECT count(*)::int AS n FROM strict.strict')).toEqual([{ n: 0 }]);
    return error as ValueError;
  }

  const good = (id: bigint): Row => [id, 'ok', 1n, '2020-01-01', 'a'];

  it('refuses a NUL character in text before sending it, naming table, column, key and the way out', async () => {
    const error = await failure([good(1n), [2n, 'a\u0000b', null, null, null]]);
    expect(error.code).toBe('LOSSY_NUL_IN_TEXT');
    expect(error.column).toBe('short');
    expect(error.table).toBe('strict');
    expect(error.message).toContain('table strict, column short, key id=2');
    expect(error.message).toContain('NUL');
    expect(error.message).toContain('PostgreSQL character varying(5)');
    expect(error.message).toContain('--coerce nul-in-text=');
  });

  it('refuses a value longer than varchar(5) without repeating the value', async () => {
    const error = await failure([good(1n), [7n, 'secret-too-long', null, null, null]]);
    expect(error.code).toBe('LOSSY_TOO_LONG');
    expect(error.column).toBe('short');
    expect(error.message).toContain('id=7');
    expect(error.message).not.toContain('secret');
  });

  it('finds out-of-range numbers and zero dates before COPY, after thousands of good rows', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => good(BigInt(i + 1)));
    const range = await failure([...many, [9001n, null, 654321n, null, null]]);
    expect(range.column).toBe('flag');
    expect(range.code).toBe('LOSSY_OUT_OF_RANGE');
    expect(range.message).toContain('id=9001');
    expect(range.message).not.toContain('654321');

    const date = await failure([good(1n), [2n, null, null, '1999-00-07', null]]);
    expect(date.code).toBe('LOSSY_ZERO_DATE');
    expect(date.column).toBe('born');
    expect(date.message).toContain('id=2');
    expect(date.message).not.toContain('1999');
  });

  it('turns what PostgreSQL itself refuses during COPY into ValueErrors naming column and key', async () => {
    const label = await failure([good(1n), [3n, null, null, null, 'secret-label']]);
    expect(label.column).toBe('e');
    expect(label.message).toContain('id=3');
    expect(label.message).not.toContain('secret');
  });

  it('builds the primary key after the data, naming the table when the rows break it', async () => {
    // Without the key the load takes duplicates; the key built afterwards refuses them.
    await destination.write(STRICT, batchesOf([good(1n), good(1n)], 2));
    const error = await destination
      .createSchema({ sourceDialect: 'mysql', tables: [STRICT] }, 'constraints')
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).message).toContain('primary key of table "strict"');
    await destination.truncateTables(['strict']);

    // Into a table that has its key (an append), a duplicate fails the write itself.
    await destination.createSchema({ sourceDialect: 'mysql', tables: [STRICT] }, 'constraints');
    const [key] = await pgQuery(
      target.name,
      `SELECT count(*)::int AS n FROM pg_index WHERE indrelid = 'strict.strict'::regclass AND indisprimary`,
    );
    expect(key).toEqual({ n: 1 });
    const duplicate = await failure([good(1n), good(1n)]);
    expect(duplicate.code).toBe('VALUE_DUPLICATE_KEY');
  });

  it('writes, finds, empties and drops tables', async () => {
    await destination.write(STRICT, batchesOf([good(1n)], 2));
    expect(await destination.existingTables(['strict', 'missing'])).toEqual([
      { name: 'strict', hasRows: true },
    ]);
    await destination.truncateTables(['strict']);
    expect(await destination.existingTables(['strict'])).toEqual([{ name: 'strict', hasRows: false }]);
    await destination.dropTables(['strict']);
    expect(await destination.existingTables(['strict'])).toEqual([]);
  });
});

describe('PostgreSQL connector: objects', () => {
  it('copies tables with views, routines and triggers into another schema, and identities continue', async () => {
    const destination = await targetConnector('objs');
    const schema = await sourceConnector.introspect({ tables: ['author', 'book'] });
    const request = { sourceDialect: 'postgres' as const, tables: schema.tables };
    await destination.createSchema(request, 'tables');
    for (const table of schema.tables)
      await destination.write(table, batchesOf(await readAll(sourceConnector, table), 2));
    expect(await destination.createSchema(request, 'constraints')).toEqual([]);
    await destination.createObjects(schema.objects);

    const copied = await destination.introspect();
    // Same indexes and keys; definitions now name the target schema.
    const shape = (tables: Table[], from: string) =>
      tables.map((t) => [
        t.name,
        t.indexes.map((i) => ({ ...i, definition: i.definition?.sql.replace(` ON ${from}.`, ' ON ') })),
        t.foreignKeys,
      ]);
    expect(shape(copied.tables, 'objs')).toEqual(shape(schema.tables, 'public'));
    expect(copied.objects.map((o) => [o.kind, o.name])).toEqual(schema.objects.map((o) => [o.kind, o.name]));
    expect(copied.objects.find((o) => o.kind === 'view')?.definition).toContain(
      'CREATE VIEW "objs"."book_titles"',
    );
    // The sequence no column owns kept its options and position (three rows took 100, 105, 110).
    expect(
      await pgQuery(
        target.name,
        `SELECT nextval('objs.shared_seq')::int AS n, nextval('objs.shared_seq')::int AS m`,
      ),
    ).toEqual([{ n: 115, m: 120 }]);

    // The trigger runs the function in the caller's search_path, as in the source.
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    let rows: unknown[];
    try {
      await client.query('SET search_path = objs');
      await client.query(`INSERT INTO author (name) VALUES ('Octavia')`);
      await client.query(
        `INSERT INTO book (author_id, title) VALUES (3, 'Kindred'), (1, 'The Lathe of Heaven')`,
      );
      const result = await client.query(
        `SELECT a.id, a.name, a.books, books_of(a.id) AS counted,
                (SELECT count(*)::int FROM book_titles t WHERE t.author = a.name) AS titled,
                (SELECT max(id) FROM book) AS last_book
         FROM author a ORDER BY a.id`,
      );
      rows = result.rows;
    } finally {
      await client.end();
    }
    expect(rows).toEqual([
      { id: 1, name: 'Ursula', books: 3, counted: 3, titled: 3, last_book: 5 },
      { id: 2, name: 'Stanisław', books: 1, counted: 1, titled: 1, last_book: 5 },
      { id: 3, name: 'Octavia', books: 1, counted: 1, titled: 1, last_book: 5 },
    ]);
  });
});

describe('PostgreSQL connector: connection errors', () => {
  it('names host and port when the connection is refused', async () => {
    const connector = createPostgresConnector(
      parseConnectionUrl('postgres://postgres@127.0.0.1:5999/nowhere'),
    );
    const error = await connector.connect().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('127.0.0.1:5999');
    expect((error as Error).message).toContain('connection refused');
  });

  it('names a missing database and says to create it, without the password', async () => {
    const url = `${source.url.replace('postgres@', 'postgres:s3cr3t-pw@')}_missing`;
    const connector = createPostgresConnector(parseConnectionUrl(url));
    const error = await connector.connect().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain(`"${source.name}_missing"`);
    expect((error as Error).message).toMatch(/Create it/);
    expect((error as Error).message).not.toContain('s3cr3t');
  });
});

describe('PostgreSQL connector: type-torture fixture', () => {
  let torture: TestDatabase;
  let connector: Connector;
  let tables: Table[];
  /** Every table's rows by id. */
  const rowsOf = new Map<string, Map<bigint, Row>>();

  beforeAll(async () => {
    torture = await freshPostgres('pgtort');
    await pgQuery(torture.name, fixture('torture.sql'));
    connector = await connect(torture.url);
    opened.push(connector);
    tables = (await connector.introspect()).tables;
    for (const table of tables) {
      const rows = await readAll(connector, table, 3, 1 << 20);
      rowsOf.set(table.name, new Map(rows.map((row) => [row[0] as bigint, row])));
    }
  });

  afterAll(async () => {
    await connector?.close();
    await torture?.drop();
  });

  /** The value of `column` in the row with `id` of `table`. */
  function cell(table: string, id: number, column: string): CanonicalValue | undefined {
    const index = tableNamed(tables, table).columns.findIndex((c) => c.name === column);
    return rowsOf.get(table)?.get(BigInt(id))?.[index];
  }
  const cells = (table: string, column: string, ids: number[]) => ids.map((id) => cell(table, id, column));

  it('reads integers, decimals and floats exactly', () => {
    expect(cells('t_integers', 'c_smallint', [1, 2])).toEqual([-32768n, 32767n]);
    expect(cells('t_integers', 'c_bigint', [6, 7, 8])).toEqual([
      -9223372036854775808n,
      9223372036854775807n,
      9007199254740993n,
    ]);
    expect(cells('t_decimals', 'c_numeric', [1, 2])).toEqual([
      '12345678901234567890.12345678901234567890',
      '-0.5',
    ]);
    expect(cell('t_decimals', 4, 'c_numeric_65_30')).toBe(`${'9'.repeat(35)}.${'9'.repeat(30)}`);
    expect(cells('t_decimals', 'c_numeric_20_0', [7])).toEqual(['18446744073709551615']);
    expect(cells('t_decimals', 'c_numeric_10_2', [9, 10])).toEqual(['-12.50', '0.00']);
    expect(cells('t_numeric_special', 'c_numeric', [1, 2, 3])).toEqual(['NaN', 'Infinity', '-Infinity']);
    expect(cell('t_numeric_special', 5, 'c_numeric')).toBe(`0.${'0'.repeat(99)}1`);
    expect(cells('t_numeric_special', 'c_numeric_neg', [6, 7])).toEqual(['1234500', '-9999900']);
    expect(cells('t_floats', 'c_real', [1, 3, 4, 5, 7])).toEqual([
      3.4028234663852886e38, 1.1754943508222875e-38, 1.401298464324817e-45, 4056.666748046875,
      0.10000000149011612,
    ]);
    expect(cells('t_floats', 'c_double', [8, 10, 11, 12, 13, 14, 15])).toEqual([
      1.7976931348623157e308, 2.2250738585072014e-308, 5e-324, 0.30000000000000004, 123456789.12345679,
      1.0000000000000002, 1e23,
    ]);
    const specials = [
      ...cells('t_special_floats', 'c_real', [1, 2, 3, 4]),
      ...cells('t_special_floats', 'c_double', [5, 6, 7, 8]),
    ];
    const expected = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0];
    specials.forEach((value, i) => {
      expect(Object.is(value, expected[i % 4])).toBe(true);
    });
  });

  it('reads text, CHAR padding, binary and bits exactly', () => {
    const controls = String.fromCharCode(...Array.from({ length: 31 }, (_, i) => i + 1), 127);
    expect(cells('t_text', 'c_text', [1, 2, 3, 4, 5, 6, 7, 8])).toEqual([
      '',
      null,
      'NULL',
      '\\N',
      controls,
      'emoji \u{1F600} \u{1D11E}',
      'combining e\u0301 a\u0308 \u00F1',
      'it\'s "quoted" `back` back\\slash',
    ]);
    expect(cell('t_text', 9, 'c_text')).toBe('ferry é😀 '.repeat(300000));
    expect(cells('t_text', 'c_varchar', [10, 11, 12, 13])).toEqual([
      '',
      'trailing   ',
      '   leading',
      'tab\there',
    ]);
    expect(cells('t_char', 'c_char', [1, 2, 3])).toEqual(['abc       ', '          ', 'a  b      ']);
    expect(cells('t_binary', 'c_bytea', [1, 2, 3])).toEqual([Buffer.alloc(0), Buffer.alloc(3), ALL_BYTES]);
    expect(
      (cell('t_binary', 4, 'c_bytea') as Buffer).equals(Buffer.concat(new Array(12288).fill(ALL_BYTES))),
    ).toBe(true);
    expect(cells('t_bits', 'c_bit1', [1, 2])).toEqual(['0', '1']);
    expect(cells('t_bits', 'c_bit64', [3, 4])).toEqual(['1'.repeat(64), `1${'0'.repeat(62)}1`]);
    expect(cells('t_varbit', 'c_varbit', [1, 2])).toEqual(['101', '']);
  });

  it('reads dates and times to the microsecond, instants in UTC across DST, and infinities', () => {
    expect(cells('t_dates', 'c_date', [1, 2])).toEqual(['0001-01-01', '9999-12-31']);
    expect(cells('t_dates', 'c_timestamp', [5, 6, 7, 10, 12, 13, 14])).toEqual([
      '9999-12-31 23:59:59.999999',
      '2021-01-01 12:00:00',
      '2021-01-01 12:00:00.1',
      '2021-01-01 12:00:00.1234',
      '2021-01-01 12:00:00.123456',
      '2021-03-28 02:30:00',
      '2021-10-31 02:30:00',
    ]);
    expect(cells('t_dates', 'c_timestamptz', [15, 16, 17, 18, 19])).toEqual([
      '2021-03-28 00:30:00',
      '2021-10-31 00:30:00',
      '2021-10-31 01:30:00',
      '1970-01-01 00:00:01',
      '2038-01-19 03:14:07.999999',
    ]);
    expect(cells('t_dates', 'c_time', [20, 21, 22, 23])).toEqual([
      '00:00:00',
      '23:59:59.999999',
      '24:00:00',
      '12:34:56.5',
    ]);
    expect([cell('t_dates', 24, 'c_timestamp0'), cell('t_dates', 24, 'c_time3')]).toEqual([
      '2021-06-01 12:00:00',
      '01:02:03.123',
    ]);
    expect(cells('t_infinity', 'c_date', [1, 2, 3, 5])).toEqual([
      'infinity',
      '-infinity',
      '0044-03-15 BC',
      '5874897-12-31',
    ]);
    expect(cells('t_infinity', 'c_timestamp', [8, 9])).toEqual([
      '0044-03-15 12:00:00 BC',
      '294276-12-31 23:59:59.999999',
    ]);
    expect(cells('t_infinity', 'c_timestamptz', [10, 12])).toEqual(['infinity', '0001-01-01 00:00:00 BC']);
  });

  it('reads JSON as printed, enum labels, UUIDs and PostgreSQL-only types as their text', () => {
    expect(cells('t_json', 'c_json', [1, 2, 4, 5])).toEqual([
      '{"b": 1, "a": 2}',
      '{"a": 1, "a": 2}',
      '"\\u00e9\\ud83d\\ude00"',
      ' { "spaced" : [ ] } ',
    ]);
    expect(cells('t_json', 'c_jsonb', [7, 8, 9, 10])).toEqual([
      '{"a": 2, "b": 1}',
      '{"a": 2}',
      '{"big": 12345678901234567890123, "precise": 1.0000000000000000001}',
      '"é😀"',
    ]);
    expect(cells('t_enum', 'c_enum', [1, 2, 3, 4, 5, 6, 7])).toEqual([
      'plain',
      'with space',
      'comma, inside',
      "quote's",
      'double"quote',
      '',
      null,
    ]);
    expect(cell('t_uuid', 3, 'c_uuid')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(cells('t_pg_types', 'c_interval', [1, 2, 3])).toEqual([
      '1 year 2 mons 3 days 04:05:06.789',
      '-838:59:59',
      '00:00:00.000001',
    ]);
    expect([cell('t_pg_types', 4, 'c_int_array'), cell('t_pg_types', 4, 'c_text_array')]).toEqual([
      '{1,NULL,-3}',
      '{"a,b","c\\"d",NULL,""}',
    ]);
    expect(cell('t_pg_types', 5, 'c_tstzrange')).toBe('["2021-03-28 00:30:00+00","2021-10-31 01:30:00+00")');
    expect(cells('t_pg_types', 'c_money', [9, 10])).toEqual(['$1,234.56', '-$0.01']);
    expect([cell('t_pg_types', 9, 'c_xml'), cell('t_pg_types', 9, 'c_point')]).toEqual([
      '<a x="1">t&amp;</a>',
      '(1.5,-2)',
    ]);
  });

  it('copies every torture table into another PostgreSQL database value for value', async () => {
    const destination = await targetConnector('torture');
    const request = { sourceDialect: 'postgres' as const, tables };
    expect(await destination.createSchema(request, 'tables')).toEqual([]);
    const coercions = new Coercions();
    for (const table of tables) {
      const rows = [...(rowsOf.get(table.name)?.values() ?? [])];
      expect((await destination.write(table, batchesOf(rows, 4), { coercions })).rows).toBe(rows.length);
    }
    expect(await destination.createSchema(request, 'constraints')).toEqual([]);
    expect(coercions.counts()).toEqual([]);
    const copied = await destination.introspect();
    expect(copied.tables.map((t) => [t.name, t.columns])).toEqual(tables.map((t) => [t.name, t.columns]));
    // Buffers compared as hex and floats by Object.is: deep equality of MB-sized Buffers is slow.
    const comparable = (rows: Row[]) =>
      rows.map((row) =>
        row.map((value) =>
          Buffer.isBuffer(value) ? `bytes ${value.toString('hex')}` : Object.is(value, -0) ? '-0' : value,
        ),
      );
    for (const table of copied.tables) {
      const back = await readAll(destination, table);
      const original = [...(rowsOf.get(table.name)?.values() ?? [])];
      expect(comparable(back), table.name).toEqual(comparable(original));
    }
  });
});

/** A table as another dialect describes it, with one column per lossy case. */
function lossyTable(name: string, columns: Column[]): Table {
  return {
    name,
    columns: [
      column('id', { kind: 'integer', bits: 32, unsigned: false }, 'int', { nullable: false }),
      ...columns,
    ],
    primaryKey: ['id'],
    indexes: [],
    foreignKeys: [],
  };
}

const MYSQL_LOSSY = lossyTable('mysql_lossy', [
  column('born', { kind: 'date' }, 'date'),
  column('span', { kind: 'time', fsp: 0 }, 'time'),
  column('body', { kind: 'text' }, 'longtext'),
  column('geo', { kind: 'other', name: 'point' }, 'point'),
]);
const MYSQL_LOSSY_ROWS: Row[] = [
  [1n, '2020-01-01', '12:00:00', 'plain', null],
  [2n, '0000-00-00', '-838:59:59', 'a\u0000b', null],
  [3n, '2020-00-15', '838:59:59', null, 'POLYGON((0 0,1 0,1 1,0 0))'],
];

const SQLITE_LOSSY = lossyTable('sqlite_lossy', [
  column('small', { kind: 'integer', bits: 32, unsigned: false }, 'INT'),
  column('short', { kind: 'text', length: 5 }, 'VARCHAR(5)'),
  column('price', { kind: 'decimal', precision: 5, scale: 2 }, 'DECIMAL TEXT(5,2)'),
]);
const SQLITE_LOSSY_ROWS: Row[] = [
  [1n, 1n, 'abc', '1.50'],
  [2n, 1099511627776n, 'abcdefgh', '1.505'],
];

describe('PostgreSQL connector: values another dialect’s column cannot bring', () => {
  let destination: Connector;

  beforeAll(async () => {
    destination = await targetConnector('lossy');
  });

  /** Creates `table` fresh as coming from `dialect` under `rules`, writes `rows`, returns the error or the rows read back. */
  async function copy(table: Table, dialect: 'mysql' | 'sqlite', rows: Row[], rules: string[] = []) {
    const coercions = new Coercions(rules.map(parseCoercionRule));
    await destination.dropTables([table.name]);
    await destination.createSchema({ sourceDialect: dialect, tables: [table], coercions }, 'tables');
    const error = await destination.write(table, batchesOf(rows, 2), { coercions }).then(
      () => undefined,
      (caught: unknown) => caught as ValueError,
    );
    const created = tableNamed((await destination.introspect({ tables: [table.name] })).tables, table.name);
    const back = error ? [] : await readAll(destination, created);
    const types = Object.fromEntries(created.columns.map((c) => [c.name, c.nativeType]));
    const counts = coercions.counts().map((c) => `${c.column}:${c.loss}=${c.action}×${c.values}`);
    return { error, back, types, counts };
  }

  it('stops at a MySQL zero date by default, naming table, column, key and the policy', async () => {
    const { error, types } = await copy(MYSQL_LOSSY, 'mysql', MYSQL_LOSSY_ROWS);
    expect(error).toBeInstanceOf(ValueError);
    expect(error?.code).toBe('LOSSY_ZERO_DATE');
    expect(error?.message).toContain('table mysql_lossy, column born, key id=2');
    expect(error?.message).toContain('--coerce zero-date=null|substitute');
    expect(types).toMatchObject({
      born: 'date',
      span: 'time(0) without time zone',
      body: 'text',
      geo: 'text',
    });
    expect(await pgQuery(target.name, 'SELECT count(*)::int AS n FROM lossy.mysql_lossy')).toEqual([
      { n: 0 },
    ]);
  });

  it('stops at TIME beyond 24 hours, NUL in text and a geometry, each with its own loss kind', async () => {
    const only = (rules: string[]) => copy(MYSQL_LOSSY, 'mysql', MYSQL_LOSSY_ROWS, rules);
    expect((await only(['zero-date=substitute'])).error?.code).toBe('LOSSY_TIME_RANGE');
    expect((await only(['zero-date=substitute', 'time-range=widen'])).error?.code).toBe('LOSSY_NUL_IN_TEXT');
    const geometry = await only(['zero-date=substitute', 'time-range=widen', 'nul-in-text=widen']);
    expect(geometry.error?.code).toBe('LOSSY_NO_TARGET_TYPE');
    expect(geometry.error?.message).toContain('key id=3');
  });

  it('substitutes zero dates and widens TIME to interval, text with NUL to bytea, geometry to WKT text', async () => {
    const { error, back, types, counts } = await copy(MYSQL_LOSSY, 'mysql', MYSQL_LOSSY_ROWS, [
      'zero-date=substitute',
      'time-range=widen',
      'nul-in-text=widen',
      'no-target-type=widen',
    ]);
    expect(error).toBeUndefined();
    expect(types).toMatchObject({ born: 'date', span: 'interval', body: 'bytea', geo: 'text' });
    expect(back).toEqual([
      [1n, '2020-01-01', '12:00:00', Buffer.from('plain'), null],
      [2n, '0001-01-01', '-838:59:59', Buffer.from('a\u0000b'), null],
      [3n, '2020-01-15', '838:59:59', null, 'POLYGON((0 0,1 0,1 1,0 0))'],
    ]);
    expect(counts).toEqual([
      'born:zero-date=substitute×2',
      'span:time-range=widen×2',
      'body:nul-in-text=widen×1',
      'geo:no-target-type=widen×1',
    ]);
  });

  it('stores NULL where the policy says so, and counts it per column', async () => {
    const { error, back, counts } = await copy(MYSQL_LOSSY, 'mysql', MYSQL_LOSSY_ROWS, [
      'zero-date=null',
      'time-range=null',
      'nul-in-text=null',
      'mysql_lossy.geo:no-target-type=null',
    ]);
    expect(error).toBeUndefined();
    expect(back).toEqual([
      [1n, '2020-01-01', '12:00:00', 'plain', null],
      [2n, null, null, null, null],
      [3n, null, null, null, null],
    ]);
    expect(counts).toEqual([
      'born:zero-date=null×2',
      'span:time-range=null×2',
      'body:nul-in-text=null×1',
      'geo:no-target-type=null×1',
    ]);
  });

  it('refuses NULL as the policy for a NOT NULL column', async () => {
    const strict = lossyTable('mysql_not_null', [
      column('born', { kind: 'date' }, 'date', { nullable: false }),
    ]);
    const { error } = await copy(strict, 'mysql', [[1n, '0000-00-00']], ['zero-date=null']);
    expect(error?.code).toBe('LOSSY_ZERO_DATE');
  });

  it('stops at SQLite values wider than their declared types, or widens and rounds them', async () => {
    const stopped = await copy(SQLITE_LOSSY, 'sqlite', SQLITE_LOSSY_ROWS);
    expect(stopped.error?.code).toBe('LOSSY_OUT_OF_RANGE');
    expect(stopped.error?.message).toContain('column small, key id=2');
    const { error, back, types, counts } = await copy(SQLITE_LOSSY, 'sqlite', SQLITE_LOSSY_ROWS, [
      'sqlite_lossy.small:out-of-range=widen',
      'too-long=widen',
      'sqlite_lossy.price:precision=substitute',
    ]);
    expect(error).toBeUndefined();
    expect(types).toMatchObject({ small: 'numeric', short: 'text', price: 'numeric(5,2)' });
    expect(back).toEqual([
      [1n, '1', 'abc', '1.50'],
      [2n, '1099511627776', 'abcdefgh', '1.51'],
    ]);
    expect(counts).toEqual([
      'small:out-of-range=widen×1',
      'short:too-long=widen×1',
      'price:precision=substitute×1',
    ]);
  });

  it('stops at 2^64−1 bound for an existing signed bigint column, or clamps it', async () => {
    await pgQuery(target.name, 'CREATE TABLE lossy.counters (id integer PRIMARY KEY, hits bigint)');
    const counters = lossyTable('counters', [
      column('hits', { kind: 'integer', bits: 64, unsigned: true }, 'bigint unsigned'),
    ]);
    const rows: Row[] = [[1n, 18446744073709551615n]];
    const error = await destination.write(counters, batchesOf(rows, 2)).catch((caught: unknown) => caught);
    expect((error as ValueError).code).toBe('LOSSY_OUT_OF_RANGE');
    expect((error as ValueError).message).toContain('PostgreSQL bigint');
    const coercions = new Coercions([parseCoercionRule('out-of-range=substitute')]);
    await destination.write(counters, batchesOf(rows, 2), { coercions });
    expect(await pgQuery(target.name, 'SELECT hits::text FROM lossy.counters')).toEqual([
      { hits: '9223372036854775807' },
    ]);
  });
});

describe('PostgreSQL connector: text that is not UTF-8 at the source', () => {
  const name = `ferry_pgascii_${process.pid}_${Date.now().toString(36)}`;
  let ascii: Connector;

  beforeAll(async () => {
    await pgQuery(
      'postgres',
      `CREATE DATABASE "${name}" ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`,
    );
    await pgQuery(
      name,
      `CREATE TABLE legacy (id integer PRIMARY KEY, note text);
      INSERT INTO legacy VALUES (1, 'fine'), (2, E'caf\\xe9'), (3, E'\\xff\\xfe')`,
    );
    ascii = await connect(`${PG_BASE}/${name}`);
    opened.push(ascii);
  });

  afterAll(async () => {
    await ascii?.close();
    await pgQuery('postgres', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  async function readLegacy(rules: string[]) {
    const [legacy] = (await ascii.introspect()).tables;
    const coercions = new Coercions(rules.map(parseCoercionRule));
    const rows: Row[] = [];
    for await (const batch of ascii.read(legacy!, { batchRows: 10, batchBytes: 1 << 20, coercions }))
      rows.push(...batch.rows);
    return { rows, counts: coercions.counts().map((c) => `${c.column}:${c.loss}=${c.action}×${c.values}`) };
  }

  it('stops by default, naming table, column and key', async () => {
    const error = await readLegacy([]).catch((caught: unknown) => caught as ValueError);
    expect(error).toBeInstanceOf(ValueError);
    expect((error as ValueError).code).toBe('LOSSY_INVALID_TEXT');
    expect((error as ValueError).message).toContain('table legacy, column note, key id=2');
  });

  it('replaces each invalid sequence with U+FFFD, or reads NULL, as the policy says', async () => {
    expect(await readLegacy(['invalid-text=substitute'])).toEqual({
      rows: [
        [1n, 'fine'],
        [2n, 'caf\uFFFD'],
        [3n, '\uFFFD\uFFFD'],
      ],
      counts: ['note:invalid-text=substitute×2'],
    });
    expect((await readLegacy(['legacy.note:invalid-text=null'])).rows).toEqual([
      [1n, 'fine'],
      [2n, null],
      [3n, null],
    ]);
  });
});
