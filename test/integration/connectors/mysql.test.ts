/**
 * The MariaDB/MySQL connector against the real server: introspection and exact canonical values of
 * the awkward fixture, same- and cross-dialect writes read back value for value, LOAD DATA warnings
 * turned into errors that name the column and roll back, objects, AUTO_INCREMENT positions, and
 * connection errors.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaRequest } from '../../../src/connectors/connector.js';
import { createMysqlConnector, type MysqlConnector } from '../../../src/connectors/mysql/index.js';
import { parseConnectionUrl } from '../../../src/connectors/url.js';
import { ConnectionError, ValueError } from '../../../src/errors.js';
import type { Table } from '../../../src/schema/table.js';
import { normalizeDecimal, type Row } from '../../../src/values/canonical.js';
import { awkwardRows } from '../../fixtures/awkward-rows.js';
import { batchesOf } from '../../helpers/batches.js';
import { freshMysql, MYSQL_BASE, mysqlQuery, type TestDatabase } from '../../helpers/servers.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/mysql/${name}`, import.meta.url), 'utf8');

const BATCH = { batchRows: 2, batchBytes: 1 << 20 };

const AWKWARD_ROWS = awkwardRows({ ubig: 'bigint', paddedDecimals: true });

const databases: TestDatabase[] = [];
const connectors: MysqlConnector[] = [];

async function fresh(prefix: string): Promise<TestDatabase> {
  const database = await freshMysql(prefix);
  databases.push(database);
  return database;
}

async function connect(database: TestDatabase): Promise<MysqlConnector> {
  const connector = createMysqlConnector(parseConnectionUrl(database.url)) as MysqlConnector;
  connectors.push(connector);
  await connector.connect();
  return connector;
}

async function readAll(connector: MysqlConnector, table: Table): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of connector.read(table, BATCH)) rows.push(...batch.rows);
  return rows;
}

async function tableOf(connector: MysqlConnector, name: string): Promise<Table> {
  const schema = await connector.introspect({ tables: [name] });
  const table = schema.tables.find((candidate) => candidate.name === name);
  if (!table) throw new Error(`table ${name} not found`);
  return table;
}

/** Copies tables (schema, data, constraints) between two connectors of this dialect. */
async function copyTables(source: MysqlConnector, target: MysqlConnector, tables: Table[]): Promise<void> {
  const request: SchemaRequest = { sourceDialect: 'mysql', tables };
  expect(await target.createSchema(request, 'tables')).toEqual([]);
  for (const table of tables) await target.write(table, source.read(table, BATCH));
  expect(await target.createSchema(request, 'constraints')).toEqual([]);
}

afterAll(async () => {
  await Promise.all(connectors.map((connector) => connector.close()));
  await Promise.all(databases.map((database) => database.drop()));
});

describe('MariaDB connector: the awkward fixture', () => {
  let source: MysqlConnector;
  let awkward: Table;

  beforeAll(async () => {
    const database = await fresh('awk');
    await mysqlQuery(database.name, fixture('awkward.sql'));
    source = await connect(database);
    awkward = await tableOf(source, 'awkward');
  });

  it('introspects the logical types, native types and key', async () => {
    const schema = await source.introspect();
    expect(schema.serverVersion).toMatch(/^MariaDB \d+\.\d+\.\d+$/);
    expect(source.flavor).toBe('mariadb');
    expect(awkward.primaryKey).toEqual(['id']);
    expect(
      awkward.columns.map((column) => [column.name, column.type, column.nativeType, column.nullable]),
    ).toEqual([
      ['id', { kind: 'integer', bits: 32, unsigned: false }, 'int(11)', false],
      ['label', { kind: 'text', length: 100 }, 'varchar(100)', true],
      ['body', { kind: 'text' }, 'longtext', true],
      ['data', { kind: 'binary' }, 'longblob', true],
      ['big', { kind: 'integer', bits: 64, unsigned: false }, 'bigint(20)', true],
      ['ubig', { kind: 'integer', bits: 64, unsigned: true }, 'bigint(20) unsigned', true],
      ['dec', { kind: 'decimal', precision: 40, scale: 30 }, 'decimal(40,30)', true],
      ['f32', { kind: 'float', bits: 32 }, 'float', true],
      ['f64', { kind: 'float', bits: 64 }, 'double', true],
      ['flag', { kind: 'integer', bits: 8, unsigned: false }, 'tinyint(1)', true],
      ['ts', { kind: 'datetime', fsp: 6 }, 'datetime(6)', true],
    ]);
    expect(
      awkward.columns.every((column) => column.default === undefined && column.collation === undefined),
    ).toBe(true);
  });

  it('reads every value exactly, in key order, in batches', async () => {
    const sizes: number[] = [];
    const rows: Row[] = [];
    for await (const batch of source.read(awkward, BATCH)) {
      sizes.push(batch.rows.length);
      rows.push(...batch.rows);
    }
    expect(sizes).toEqual([2, 2, 2]);
    expect(rows).toEqual(AWKWARD_ROWS);
    // Byte-bounded batches: a batch closes with the row that reaches the limit (row 5's 256 bytes).
    const small: number[] = [];
    for await (const batch of source.read(awkward, { batchRows: 100, batchBytes: 500 }))
      small.push(batch.rows.length);
    expect(small).toEqual([5, 1]);
    // A reader left early gives its connection up; the next read works.
    for await (const batch of source.read(awkward, BATCH)) {
      expect(batch.rows).toHaveLength(2);
      break;
    }
    expect(await readAll(source, awkward)).toEqual(AWKWARD_ROWS);
  });

  it('refuses a stored value its type cannot describe, naming column and key', async () => {
    const database = await fresh('badenum');
    await mysqlQuery(
      database.name,
      "CREATE TABLE e (id INT PRIMARY KEY, e ENUM('a','b')); SET sql_mode = ''; INSERT INTO e VALUES (1, 'a'), (2, 'zzz')",
    );
    const connector = await connect(database);
    const error = await readAll(connector, await tableOf(connector, 'e')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValueError);
    expect((error as ValueError).column).toBe('e');
    expect((error as ValueError).message).toContain('key id=2');
  });

  it('writes the values into a fresh database and reads them back equal', async () => {
    const target = await connect(await fresh('awk_copy'));
    await copyTables(source, target, [awkward]);
    const copied = await tableOf(target, 'awkward');
    expect(copied.columns.map((column) => column.nativeType)).toEqual(
      awkward.columns.map((column) => column.nativeType),
    );
    expect(await readAll(target, copied)).toEqual(AWKWARD_ROWS);
    expect(await target.existingTables(['awkward', 'missing'])).toEqual([{ name: 'awkward', hasRows: true }]);
    await target.truncateTables(['awkward']);
    expect(await target.existingTables(['awkward'])).toEqual([{ name: 'awkward', hasRows: false }]);
    await target.dropTables(['awkward']);
    expect(await target.existingTables(['awkward'])).toEqual([]);
  });
});

/** MariaDB types beyond the shared fixture, with the features only a same-engine copy carries. */
const KINDS_SQL = String.raw`
CREATE TABLE kinds (
  id INT NOT NULL AUTO_INCREMENT,
  b BIT(10) NULL,
  b64 BIT(64) NULL,
  e ENUM('a,b', 'it''s', '', 'x\\y', 'tab\there') NULL,
  s SET('p', 'q', 'r') NULL,
  y YEAR NULL,
  u UUID NULL,
  j JSON NULL,
  g GEOMETRY NULL,
  l VARCHAR(20) CHARACTER SET latin1 NULL,
  ts TIMESTAMP(3) NULL DEFAULT NULL,
  tm TIME(6) NULL,
  d DATE NULL,
  vb VARBINARY(8) NULL,
  fx CHAR(4) NULL,
  dflt VARCHAR(10) NOT NULL DEFAULT 'a''b\\c' COMMENT 'quoted ''default''',
  made DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  gen INT AS (id * 2) VIRTUAL,
  ci VARCHAR(10) COLLATE utf8mb4_unicode_ci NULL,
  PRIMARY KEY (id),
  INDEX pre (ci(3)),
  FULLTEXT INDEX ft (l)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='kinds of things';
SET time_zone = '+02:00';
INSERT INTO kinds (b, b64, e, s, y, u, j, g, l, ts, tm, d, vb, fx, made, ci) VALUES
  (b'1000000001', b'1111111111111111111111111111111111111111111111111111111111111111', 'it''s', 'r,p', 2016,
   'C1A3E4A0-1111-2222-3333-444455556666', '{"k": [1, 2.50]}', ST_GeomFromText('POINT(1 2)'),
   CONVERT(X'f1e9' USING latin1), '2021-06-01 12:00:00.123', '-838:59:59', '2024-02-29', X'00ff', 'ab',
   '2020-01-02 03:04:05.000006', 'Abc');
INSERT INTO kinds (id, e, made) VALUES (7, 'tab\there', '2020-01-01 00:00:00');
`;

describe('MariaDB connector: native types and same-engine features', () => {
  it('introspects, reads and copies BIT, ENUM, SET, YEAR, UUID, JSON, GEOMETRY, latin1, TIMESTAMP, defaults', async () => {
    const sourceDb = await fresh('kinds');
    await mysqlQuery(sourceDb.name, KINDS_SQL);
    const source = await connect(sourceDb);
    const kinds = await tableOf(source, 'kinds');
    const column = (name: string) => kinds.columns.find((candidate) => candidate.name === name)!;
    expect(column('b').type).toEqual({ kind: 'bit', length: 10 });
    expect(column('e').type).toEqual({ kind: 'enum', values: ['a,b', "it's", '', 'x\\y', 'tab\there'] });
    expect(column('s').type).toEqual({ kind: 'set', values: ['p', 'q', 'r'] });
    expect(column('y').type).toEqual({ kind: 'integer', bits: 16, unsigned: false });
    expect(column('u').type).toEqual({ kind: 'uuid' });
    expect(column('j').type).toEqual({ kind: 'json' });
    expect(column('g').type).toEqual({ kind: 'other', name: 'geometry' });
    expect(column('l')).toMatchObject({ type: { kind: 'text', length: 20 }, collation: 'latin1_swedish_ci' });
    expect(column('ts').type).toEqual({ kind: 'timestamptz', fsp: 3 });
    expect(column('fx').type).toEqual({ kind: 'text', length: 4, fixed: true });
    expect(column('dflt')).toMatchObject({
      default: { kind: 'literal', value: "a'b\\c" },
      comment: "quoted 'default'",
    });
    expect(column('made').default).toEqual({
      kind: 'expression',
      sql: 'current_timestamp(6)',
      dialect: 'mysql',
    });
    expect(column('gen').generated).toEqual({ expression: '`id` * 2', stored: false, dialect: 'mysql' });
    expect(column('ci').collation).toBe('utf8mb4_unicode_ci');
    expect(column('id').autoIncrement).toEqual({ nextValue: '8' });
    expect(kinds.comment).toBe('kinds of things');
    expect(kinds.indexes).toEqual([
      {
        name: 'ft',
        columns: [{ name: 'l' }],
        unique: false,
        definition: { sql: 'FULLTEXT INDEX `ft` (`l`)', dialect: 'mysql' },
      },
      { name: 'pre', columns: [{ name: 'ci', prefixLength: 3 }], unique: false },
    ]);

    const expected: Row[] = [
      [
        1n,
        '1000000001',
        '1'.repeat(64),
        "it's",
        'p,r',
        2016n,
        'c1a3e4a0-1111-2222-3333-444455556666',
        '{"k": [1, 2.50]}',
        'POINT(1 2)',
        'ñé',
        '2021-06-01 10:00:00.123',
        '-838:59:59',
        '2024-02-29',
        Buffer.from('00ff', 'hex'),
        'ab',
        "a'b\\c",
        '2020-01-02 03:04:05.000006',
        'Abc',
      ],
      [
        7n,
        null,
        null,
        'tab\there',
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        "a'b\\c",
        '2020-01-01 00:00:00',
        null,
      ],
    ];
    expect(await readAll(source, kinds)).toEqual(expected);

    const targetDb = await fresh('kinds_copy');
    const target = await connect(targetDb);
    await copyTables(source, target, [kinds]);
    const copied = await tableOf(target, 'kinds');
    expect(copied).toEqual({ ...kinds, estimatedRows: expect.any(Number) });
    expect(await readAll(target, copied)).toEqual(expected);
    expect(await mysqlQuery(targetDb.name, 'SELECT gen FROM kinds ORDER BY id')).toEqual([
      { gen: 2 },
      { gen: 14 },
    ]);
  });
});

describe('MariaDB connector: cross-dialect writes', () => {
  it('creates and fills a table described the way PostgreSQL describes it', async () => {
    const target = await connect(await fresh('cross'));
    const table: Table = {
      name: 'pg_things',
      columns: [
        { name: 'code', type: { kind: 'text' }, nativeType: 'text', nullable: false },
        { name: 'amount', type: { kind: 'decimal' }, nativeType: 'numeric', nullable: true },
        { name: 'ok', type: { kind: 'boolean' }, nativeType: 'boolean', nullable: true },
        {
          name: 'at',
          type: { kind: 'timestamptz', fsp: 6 },
          nativeType: 'timestamp with time zone',
          nullable: true,
        },
        { name: 'doc', type: { kind: 'json', binary: true }, nativeType: 'jsonb', nullable: true },
        { name: 'uid', type: { kind: 'uuid' }, nativeType: 'uuid', nullable: true },
        {
          name: 'created',
          type: { kind: 'timestamptz', fsp: 6 },
          nativeType: 'timestamp with time zone',
          nullable: false,
          default: { kind: 'expression', sql: 'now()', dialect: 'postgres' },
        },
        {
          name: 'tag',
          type: { kind: 'text', length: 20 },
          nativeType: 'character varying(20)',
          nullable: true,
          default: { kind: 'expression', sql: "upper('x'::text)", dialect: 'postgres' },
        },
      ],
      primaryKey: ['code'],
      indexes: [{ name: 'pg_things_tag_idx', columns: [{ name: 'tag' }], unique: false }],
      foreignKeys: [],
    };
    const request: SchemaRequest = { sourceDialect: 'postgres', tables: [table] };
    const notes = await target.createSchema(request, 'tables');
    expect(notes).toEqual([
      { table: 'pg_things', object: 'tag', message: expect.stringContaining("upper('x'::text)") },
    ]);

    const rows: Row[] = [
      [
        'a',
        '123.45',
        true,
        '2024-02-29 23:59:59.123456',
        '{"a": [1, 2.50], "b": null}',
        'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
        '2000-01-01 00:00:00',
        'x',
      ],
      // 'A' next to 'a': the key keeps PostgreSQL's case-sensitive uniqueness (utf8mb4_bin).
      [
        'A',
        '-0.000000000000000000000000000001',
        false,
        '1970-01-01 00:00:01',
        '[]',
        null,
        '2038-01-19 03:14:07.999999',
        null,
      ],
      ['k'.repeat(700), null, null, null, null, null, '2001-02-03 04:05:06', null],
    ];
    expect(
      await target.write(
        table,
        batchesOf(rows, 2, () => 64),
      ),
    ).toEqual({ rows: 3, bytes: 128 });
    expect(await target.createSchema(request, 'constraints')).toEqual([]);

    const copied = await tableOf(target, 'pg_things');
    expect(copied.columns.map((column) => [column.name, column.nativeType, column.type.kind])).toEqual([
      ['code', 'varchar(768)', 'text'],
      ['amount', 'decimal(65,30)', 'decimal'],
      ['ok', 'tinyint(1)', 'integer'],
      ['at', 'timestamp(6)', 'timestamptz'],
      ['doc', 'longtext', 'json'],
      ['uid', 'uuid', 'uuid'],
      ['created', 'timestamp(6)', 'timestamptz'],
      ['tag', 'varchar(20)', 'text'],
    ]);
    expect(copied.columns[0]!.collation).toBe('utf8mb4_bin');
    expect(copied.columns[6]!.default).toEqual({
      kind: 'expression',
      sql: 'current_timestamp(6)',
      dialect: 'mysql',
    });
    expect(copied.indexes).toEqual([
      { name: 'pg_things_tag_idx', columns: [{ name: 'tag' }], unique: false },
    ]);

    const back = await readAll(target, copied);
    expect(back.map((row) => row[0])).toEqual(['A', 'a', 'k'.repeat(700)]);
    const byCode = new Map(back.map((row) => [row[0], row]));
    const a = byCode.get('a')!;
    expect(normalizeDecimal(a[1] as string)).toBe('123.45');
    expect(a.slice(2)).toEqual([
      1n,
      '2024-02-29 23:59:59.123456',
      rows[0]![4],
      rows[0]![5],
      '2000-01-01 00:00:00',
      'x',
    ]);
    const upper = byCode.get('A')!;
    expect(upper[1]).toBe('-0.000000000000000000000000000001');
    expect(upper.slice(2)).toEqual([
      0n,
      '1970-01-01 00:00:01',
      '[]',
      null,
      '2038-01-19 03:14:07.999999',
      null,
    ]);
  });

  it('positions AUTO_INCREMENT past both the source next value and the highest id', async () => {
    const database = await fresh('autoinc');
    const target = await connect(database);
    const table = (name: string, nextValue: string): Table => ({
      name,
      columns: [
        {
          name: 'id',
          type: { kind: 'integer', bits: 64, unsigned: false },
          nativeType: 'bigint',
          nullable: false,
          autoIncrement: { nextValue },
        },
        { name: 'v', type: { kind: 'text' }, nativeType: 'text', nullable: true },
      ],
      primaryKey: ['id'],
      indexes: [],
      foreignKeys: [],
    });
    const low = table('low_next', '10');
    const high = table('high_next', '100');
    // An AUTO_INCREMENT column second in the key needs an index of its own to be created at all.
    const second: Table = { ...table('second_in_key', '1'), primaryKey: ['v', 'id'] };
    second.columns[1] = { ...second.columns[1]!, type: { kind: 'text', length: 10 }, nullable: false };
    const request: SchemaRequest = { sourceDialect: 'sqlite', tables: [low, high, second] };
    await target.createSchema(request, 'tables');
    // id 0 must stay 0 (NO_AUTO_VALUE_ON_ZERO), not become a new number.
    await target.write(
      low,
      batchesOf(
        [
          [0n, 'zero'],
          [20n, 'x'],
        ],
        2,
      ),
    );
    await target.write(high, batchesOf([[5n, 'y']], 2));
    await target.createSchema(request, 'constraints');
    const dbName = database.name;
    await mysqlQuery(
      dbName,
      "INSERT INTO low_next (v) VALUES ('new'); INSERT INTO high_next (v) VALUES ('new')",
    );
    expect(await mysqlQuery(dbName, 'SELECT id FROM low_next ORDER BY id')).toEqual([
      { id: '0' },
      { id: '20' },
      { id: '21' },
    ]);
    expect(await mysqlQuery(dbName, 'SELECT id FROM high_next ORDER BY id')).toEqual([
      { id: '5' },
      { id: '100' },
    ]);
  });

  it('round-trips random doubles and float32 values exactly', async () => {
    const target = await connect(await fresh('floats'));
    const table: Table = {
      name: 'floats',
      columns: [
        {
          name: 'id',
          type: { kind: 'integer', bits: 32, unsigned: false },
          nativeType: 'int',
          nullable: false,
        },
        { name: 'd', type: { kind: 'float', bits: 64 }, nativeType: 'double', nullable: false },
        { name: 'f', type: { kind: 'float', bits: 32 }, nativeType: 'float', nullable: false },
      ],
      primaryKey: ['id'],
      indexes: [],
      foreignKeys: [],
    };
    await target.createSchema({ sourceDialect: 'sqlite', tables: [table] }, 'tables');
    const bytes = Buffer.alloc(8);
    const rows: Row[] = [];
    for (let id = 0; id < 3000; id++) {
      let value: number;
      if (id % 2 === 0) {
        for (let at = 0; at < 8; at++) bytes[at] = Math.floor(Math.random() * 256);
        value = bytes.readDoubleLE(0);
      } else {
        value = Number((Math.random() * 10_000).toFixed(12));
      }
      if (!Number.isFinite(value) || value === 0) value = 1.5;
      const single = Math.fround(value);
      rows.push([BigInt(id), value, Number.isFinite(single) && single !== 0 ? single : 2.5]);
    }
    await target.write(table, batchesOf(rows, 1000));
    expect(await readAll(target, await tableOf(target, 'floats'))).toEqual(rows);
  });
});

describe('MariaDB connector: values that would change fail the write', () => {
  let target: MysqlConnector;
  let strict: Table;
  let dbName: string;

  beforeAll(async () => {
    const database = await fresh('warn');
    dbName = database.name;
    await mysqlQuery(
      dbName,
      'CREATE TABLE strict_t (id INT PRIMARY KEY, small TINYINT, name VARCHAR(5), f DOUBLE)',
    );
    target = await connect(database);
    strict = await tableOf(target, 'strict_t');
  });

  const cases: Array<[string, Row[], string, string, RegExp]> = [
    [
      '300 into a TINYINT',
      [
        [1n, 1n, 'ok', 1],
        [2n, 300n, 'ok', 1],
      ],
      'small',
      'LOSSY_OUT_OF_RANGE',
      /column small, key id=2: a number or instant outside .* MariaDB tinyint\(4\).*--coerce out-of-range=null\|substitute\|widen/,
    ],
    [
      'a too-long string into VARCHAR(5)',
      [[1n, 1n, 'toolong', 1]],
      'name',
      'LOSSY_TOO_LONG',
      /key id=1: a text or binary value longer .* MariaDB varchar\(5\)/,
    ],
    [
      'a duplicate primary key (the server warning is the backstop)',
      [
        [1n, 1n, 'a', 1],
        [1n, 2n, 'b', 1],
      ],
      'id',
      'VALUE_CHANGED_BY_TARGET',
      /Duplicate entry for key 'PRIMARY'/,
    ],
    [
      'NaN into a DOUBLE',
      [
        [1n, 1n, 'a', 1],
        [2n, 1n, 'b', Number.NaN],
      ],
      'f',
      'LOSSY_SPECIAL_FLOAT',
      /key id=2: a float NaN, ±Infinity or -0 .* MariaDB double/,
    ],
  ];

  it.each(cases)(
    '%s throws ValueError naming the column and leaves the table empty',
    async (_name, rows, column, code, message) => {
      const error = await target.write(strict, batchesOf(rows, 1)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValueError);
      expect((error as ValueError).code).toBe(code);
      expect((error as ValueError).column).toBe(column);
      expect((error as ValueError).table).toBe('strict_t');
      expect((error as ValueError).message).toMatch(message);
      expect((error as ValueError).message).not.toMatch(/toolong/);
      expect(await mysqlQuery(dbName, 'SELECT COUNT(*) AS n FROM strict_t')).toEqual([{ n: '0' }]);
    },
  );
});

describe('MariaDB connector: objects', () => {
  it('copies tables, views, the trigger and the function same-engine', async () => {
    const sourceDb = await fresh('obj');
    await mysqlQuery(sourceDb.name, fixture('objects.sql'));
    // Beyond the shared fixture: a procedure, an event, and a view on a view that sorts first.
    await mysqlQuery(
      sourceDb.name,
      `CREATE PROCEDURE add_author(n VARCHAR(80)) INSERT INTO author (name) VALUES (n);
       CREATE EVENT tidy ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM \`${sourceDb.name}\`.book WHERE 1 = 0;
       CREATE VIEW a_titles AS SELECT title FROM book_titles WHERE author = 'Ursula'`,
    );
    const source = await connect(sourceDb);
    const schema = await source.introspect();
    expect(schema.objects.map((object) => [object.kind, object.name, object.table])).toEqual([
      ['routine', 'add_author', undefined],
      ['routine', 'books_of', undefined],
      ['view', 'a_titles', undefined],
      ['view', 'book_titles', undefined],
      ['trigger', 'book_count_up', 'book'],
      ['event', 'tidy', undefined],
    ]);
    for (const object of schema.objects) {
      expect(object.definition).not.toMatch(/DEFINER\s*=/i);
      expect(object.definition).not.toContain(sourceDb.name);
    }
    const book = schema.tables.find((table) => table.name === 'book')!;
    expect(book.indexes).toEqual([
      {
        name: 'book_author_title',
        columns: [{ name: 'author_id' }, { name: 'title', descending: true }],
        unique: false,
      },
      { name: 'isbn', columns: [{ name: 'isbn' }], unique: true },
      { name: 'ix_name', columns: [{ name: 'title' }], unique: false },
    ]);
    expect(book.foreignKeys).toEqual([
      {
        name: 'book_author_fk',
        columns: ['author_id'],
        referencedTable: 'author',
        referencedColumns: ['id'],
        onDelete: 'CASCADE',
        onUpdate: 'RESTRICT',
      },
    ]);
    expect(book.columns[0]!.autoIncrement).toEqual({ nextValue: '4' });

    const targetDb = await fresh('obj_copy');
    const target = await connect(targetDb);
    await copyTables(source, target, schema.tables);
    await target.createObjects(schema.objects);

    const copied = await target.introspect();
    expect(copied.tables).toEqual(
      schema.tables.map((table) => ({ ...table, estimatedRows: expect.any(Number) })),
    );
    expect(await mysqlQuery(targetDb.name, 'SELECT title, author FROM book_titles ORDER BY title')).toEqual([
      { title: 'A Wizard of Earthsea', author: 'Ursula' },
      { title: 'Solaris', author: 'Stanisław' },
      { title: 'The Dispossessed', author: 'Ursula' },
    ]);
    // The trigger fires, the function answers, and a new row gets max(id) + 1.
    await mysqlQuery(targetDb.name, "INSERT INTO book (author_id, title) VALUES (2, 'Fiasco')");
    expect(await mysqlQuery(targetDb.name, 'SELECT id, books FROM author ORDER BY id')).toEqual([
      { id: 1, books: 2 },
      { id: 2, books: 2 },
    ]);
    expect(await mysqlQuery(targetDb.name, "SELECT id FROM book WHERE title = 'Fiasco'")).toEqual([
      { id: 4 },
    ]);
    expect(await mysqlQuery(targetDb.name, 'SELECT books_of(2) AS n')).toEqual([{ n: 2 }]);
    await mysqlQuery(targetDb.name, "CALL add_author('Octavia')");
    expect(await mysqlQuery(targetDb.name, 'SELECT id, name FROM author WHERE id = 3')).toEqual([
      { id: 3, name: 'Octavia' },
    ]);
    expect(await mysqlQuery(targetDb.name, 'SELECT COUNT(*) AS n FROM a_titles')).toEqual([{ n: '2' }]);
    expect(
      await mysqlQuery(
        targetDb.name,
        'SELECT EVENT_DEFINITION AS sql_text FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()',
      ),
    ).toEqual([{ sql_text: 'DELETE FROM book WHERE 1 = 0' }]);
  });
});

describe('MariaDB connector: connection errors', () => {
  it('names host and port when the server refuses the connection', async () => {
    const connector = createMysqlConnector(
      parseConnectionUrl('mysql://root:s3cret-pw@127.0.0.1:3999/nothing'),
    );
    const error = await connector.connect().catch((caught: unknown) => caught);
    await connector.close();
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('127.0.0.1:3999');
    expect((error as Error).message).not.toContain('s3cret-pw');
  });

  it('says access was denied without showing the password', async () => {
    const connector = createMysqlConnector(
      parseConnectionUrl('mysql://ferry_nobody:s3cret-pw@127.0.0.1:3306/mysql'),
    );
    const error = await connector.connect().catch((caught: unknown) => caught);
    await connector.close();
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe('ACCESS_DENIED');
    expect((error as Error).message).toContain('127.0.0.1:3306');
    expect((error as Error).message).not.toContain('s3cret-pw');
  });

  it('names the database when it does not exist', async () => {
    const connector = createMysqlConnector(parseConnectionUrl(`${MYSQL_BASE}/ferry_no_such_db`));
    const error = await connector.connect().catch((caught: unknown) => caught);
    await connector.close();
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe('DATABASE_NOT_FOUND');
    expect((error as Error).message).toContain('ferry_no_such_db');
  });
});
