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
import type { Row, RowBatch } from '../../../src/values/canonical.js';
import { freshPostgres, pgQuery, type TestDatabase } from '../../helpers/servers.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/postgres/${name}`, import.meta.url), 'utf8');

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const ZERO_30 = '0.000000000000000000000000000000';

/** The awkward rows exactly as read: bigint integers, decimal text, exact floats, Buffers. */
const AWKWARD_ROWS: Row[] = [
  [1n, null, null, null, null, null, null, null, null, null, null],
  [2n, '', '', Buffer.alloc(0), 0n, '0', ZERO_30, 0, 0, 0n, '2020-01-01 00:00:00'],
  [
    3n,
    'it\'s "quoted" `back`',
    'back\\slash \\N and NULL',
    Buffer.from('00010000ff', 'hex'),
    9007199254740993n,
    '18446744073709551615',
    '1234567890.123456789012345678901234567890',
    4056.666748046875,
    0.30000000000000004,
    2n,
    '2020-02-29 12:34:56.123456',
  ],
  [
    4n,
    'tab\there',
    'line1\nline2\r\nline3',
    Buffer.from('0a0d09005c4e', 'hex'),
    -9223372036854775808n,
    '9223372036854775808',
    '-0.000000000000000000000000000001',
    16777216,
    -1.5e-300,
    -1n,
    '9999-12-31 23:59:59.999999',
  ],
  [
    5n,
    'emoji \u{1F600} \u{1D11E} \u00F1 e\u0301',
    'NULL',
    ALL_BYTES,
    9223372036854775807n,
    '9007199254740993',
    '9999999999.999999999999999999999999999999',
    0.10000000149011612,
    123456789.12345679,
    1n,
    '0001-01-01 00:00:00.000001',
  ],
  [
    6n,
    '\\N',
    'abcdefghij'.repeat(10000),
    Buffer.alloc(70000),
    -1n,
    '1',
    '0.500000000000000000000000000000',
    -2.5,
    1e308,
    127n,
    '1970-01-01 00:00:00.5',
  ],
];

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

async function* batchesOf(rows: Row[], size = 2): AsyncGenerator<RowBatch> {
  for (let i = 0; i < rows.length; i += size) yield { rows: rows.slice(i, i + size), bytes: 0 };
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
      const result = await destination.write(table, batchesOf(rows));
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
    const result = await destination.write(FROM_MYSQL, batchesOf(FROM_MYSQL_ROWS));
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
    const error = await destination.write(STRICT, batchesOf(rows)).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValueError);
    // Nothing of the failed write stays.
    expect(await pgQuery(target.name, 'SELECT count(*)::int AS n FROM strict.strict')).toEqual([{ n: 0 }]);
    return error as ValueError;
  }

  const good = (id: bigint): Row => [id, 'ok', 1n, '2020-01-01', 'a'];

  it('refuses a NUL character in text, naming table, column and key', async () => {
    const error = await failure([good(1n), [2n, 'a\u0000b', null, null, null]]);
    expect(error.column).toBe('short');
    expect(error.table).toBe('strict');
    expect(error.message).toContain('column "short"');
    expect(error.message).toContain('id=2');
    expect(error.message).toContain('NUL');
  });

  it('refuses a value longer than varchar(5) without repeating the value', async () => {
    const error = await failure([good(1n), [7n, 'secret-too-long', null, null, null]]);
    expect(error.column).toBe('short');
    expect(error.message).toContain('id=7');
    expect(error.message).not.toContain('secret');
  });

  it('turns PostgreSQL data errors during COPY into ValueErrors naming column and key', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => good(BigInt(i + 1)));
    const range = await failure([...many, [9001n, null, 654321n, null, null]]);
    expect(range.column).toBe('flag');
    expect(range.code).toBe('VALUE_OUT_OF_RANGE');
    expect(range.message).toContain('id=9001');
    expect(range.message).not.toContain('654321');

    const date = await failure([good(1n), [2n, null, null, '0000-00-00', null]]);
    expect(date.column).toBe('born');
    expect(date.message).toContain('id=2');
    expect(date.message).not.toContain('0000');

    const label = await failure([good(1n), [3n, null, null, null, 'secret-label']]);
    expect(label.column).toBe('e');
    expect(label.message).toContain('id=3');
    expect(label.message).not.toContain('secret');

    const duplicate = await failure([good(1n), good(1n)]);
    expect(duplicate.code).toBe('VALUE_DUPLICATE_KEY');
  });

  it('writes, finds, empties and drops tables', async () => {
    await destination.write(STRICT, batchesOf([good(1n)]));
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
      await destination.write(table, batchesOf(await readAll(sourceConnector, table)));
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
