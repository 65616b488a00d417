/**
 * The MariaDB type-torture fixture against the real server: introspection gives exactly the
 * catalog's logical types, the reader gives exact canonical values, a same-engine copy keeps every
 * value; and a cross-dialect write stops on each value the target would change, or applies and
 * counts the policy the run chose (lossless or fail).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaRequest } from '../../../src/connectors/connector.js';
import { createMysqlConnector, type MysqlConnector } from '../../../src/connectors/mysql/index.js';
import { MYSQL_TYPE_SYSTEM } from '../../../src/connectors/mysql/types.js';
import { parseConnectionUrl } from '../../../src/connectors/url.js';
import { ValueError } from '../../../src/errors.js';
import type { LogicalType } from '../../../src/schema/logical-type.js';
import type { Column, Table } from '../../../src/schema/table.js';
import type { Row } from '../../../src/values/canonical.js';
import { Coercions, parseCoercionRule } from '../../../src/values/coercions.js';
import { batchesOf } from '../../helpers/batches.js';
import { freshMysql, mysqlQuery, type TestDatabase } from '../../helpers/servers.js';

const TORTURE = readFileSync(new URL('../../fixtures/mysql/torture.sql', import.meta.url), 'utf8');
const BATCH = { batchRows: 3, batchBytes: 1 << 20 };

const databases: TestDatabase[] = [];
const connectors: MysqlConnector[] = [];

async function connect(prefix: string, sql?: string): Promise<{ connector: MysqlConnector; name: string }> {
  const database = await freshMysql(prefix);
  databases.push(database);
  if (sql) await mysqlQuery(database.name, sql);
  const connector = createMysqlConnector(parseConnectionUrl(database.url)) as MysqlConnector;
  connectors.push(connector);
  await connector.connect();
  return { connector, name: database.name };
}

async function readAll(connector: MysqlConnector, table: Table): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of connector.read(table, BATCH)) rows.push(...batch.rows);
  return rows;
}

/** Rows with large Buffers as their SHA-256 (vitest compares Buffers byte by byte, slowly). */
function comparable(rows: Row[]): unknown[][] {
  return rows.map((row) =>
    row.map((value) =>
      Buffer.isBuffer(value) && value.length > 4096
        ? { bytes: value.length, sha256: createHash('sha256').update(value).digest('hex') }
        : value,
    ),
  );
}

afterAll(async () => {
  await Promise.all(connectors.map((connector) => connector.close()));
  await Promise.all(databases.map((database) => database.drop()));
});

/** COLUMN_TYPE as the catalog spells it: no integer display widths (but TINYINT(1)), the character set. */
function catalogSpelling(column: Column): string {
  if (column.type.kind === 'json') return 'json';
  let native = column.nativeType.toLowerCase();
  if (native !== 'tinyint(1)')
    native = native.replace(/^(tinyint|smallint|mediumint|int|bigint|year)\(\d+\)/, '$1');
  const charset = column.collation?.split('_')[0];
  return charset && charset !== 'utf8mb4' ? `${native} character set ${charset}` : native;
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const CONTROLS = `${Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('')}\u007f`;
const LATIN1_HIGH =
  '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ\u00a0¡¢£¤¥¦§¨©ª«¬\u00ad®¯°±²³´µ¶·¸¹º»¼½¾¿' +
  'ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ';
const ASCII_1_127 = Array.from({ length: 127 }, (_, i) => String.fromCharCode(i + 1)).join('');

/** Exact canonical values of the interesting tables (others are spot-checked below). */
const EXPECTED: Record<string, Row[]> = {
  t_integers: [
    [1n, -128n, 0n, -32768n, 0n, -8388608n, 0n, -2147483648n, 0n, -9223372036854775808n, 0n, -128n],
    [
      2n,
      127n,
      255n,
      32767n,
      65535n,
      8388607n,
      16777215n,
      2147483647n,
      4294967295n,
      9223372036854775807n,
      18446744073709551615n,
      127n,
    ],
    [3n, null, null, null, null, null, null, null, null, 9007199254740993n, 9007199254740993n, null],
    [4n, null, null, null, null, null, null, null, null, -9007199254740993n, 9223372036854775808n, 2n],
    [5n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, -1n],
    [6n, null, null, null, null, null, null, null, null, null, null, 1n],
  ],
  t_decimals: [
    [1n, `${'9'.repeat(35)}.${'9'.repeat(30)}`, '99999999.99', '9'.repeat(65), '0.99999'],
    [2n, `-${'9'.repeat(35)}.${'9'.repeat(30)}`, '-99999999.99', `-${'9'.repeat(65)}`, '-0.99999'],
    [3n, `0.${'0'.repeat(29)}1`, '0.01', '1', '0.00001'],
    [4n, `0.${'0'.repeat(30)}`, '0.00', '0', '0.00000'],
    [5n, `18446744073709551616.5${'0'.repeat(29)}`, '-12.50', '18446744073709551616', null],
  ],
  t_floats: [
    [1n, 3.4028234663852886e38, 1.7976931348623157e308],
    [2n, 1.401298464324817e-45, 5e-324],
    [3n, -3.4028234663852886e38, -1.7976931348623157e308],
    [4n, 1.1754943508222875e-38, 2.2250738585072014e-308],
    [5n, 0.10000000149011612, 0.30000000000000004],
    [6n, 16777216, 1.0000000000000002],
    [7n, 4056.666748046875, 123456789.12345679],
    [8n, -2.5, -1.2345678901234567e-100],
    [9n, 0, 0],
    [10n, null, 1e21],
  ],
  t_bits: [
    [1n, '0', '0000000000', '0'.repeat(64)],
    [2n, '1', '1111111111', '1'.repeat(64)],
    [3n, null, '1000000001', `1${'0'.repeat(62)}1`],
  ],
  t_dst: [
    [1n, '2021-03-28 01:30:00', '2021-03-28 00:30:00'],
    [2n, '2021-03-28 02:30:00', '2021-03-28 01:30:00'],
    [3n, '2021-10-31 02:30:00', '2021-10-31 00:30:00'],
    [4n, '2021-10-31 02:30:00.5', '2021-10-31 01:30:00.5'],
  ],
  t_zero_dates: [
    [1n, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00'],
    [2n, '2020-00-15', '2020-00-15 12:00:00.5', '2020-01-00 00:00:00', null],
    [3n, '2020-01-00', '0000-01-01 00:00:00', '2020-00-00 10:00:00', null],
  ],
  t_time_range: [
    [1n, '838:59:59', '838:59:59.999999'],
    [2n, '-838:59:59', '-838:59:59.999999'],
    [3n, '-00:00:01', '-00:00:00.5'],
    [4n, '100:00:00', '24:00:00.000001'],
  ],
  t_json: [
    [1n, '{"b": 1, "a": [1, 2.50, -0.0], "c": {"z": null, "y": true}}'],
    [2n, '{"a": 1, "a": 2}'],
    [3n, '{"big": 12345678901234567890123, "exact": 1.0000000000000000001, "tiny": 1e-400}'],
    [4n, '{"s": "\\u00e9\\ud83d\\ude00 \\"q\\" \\t"}'],
    [5n, '[]'],
    [6n, 'null'],
    [7n, '"text"'],
  ],
  t_enum_set: [
    [1n, 'a b', 'a b'],
    [2n, 'a,b', "a b,it's"],
    [3n, "it's", 'it\'s,x"y'],
    [4n, '', ''],
    [5n, 'x"y', 'a b,it\'s,x"y'],
    [6n, 'plain', null],
  ],
  t_uuid: [
    [1n, '00000000-0000-0000-0000-000000000000'],
    [2n, 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
    [3n, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  ],
  t_geometry: [
    [1n, 'LINESTRING(0 0,1 1,2 0)', 'POINT(1.5 -2.25)', null],
    [2n, 'POINT(1 2)', null, 'POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,4 2,4 4,2 4,2 2))'],
  ],
  t_nul_text: [
    [1n, 'a\u0000b', 'a\u0000b'],
    [2n, '\u0000', '\u0000\u0000'],
  ],
};

describe('MariaDB type-torture fixture', () => {
  let source: MysqlConnector;
  let tables: Map<string, Table>;

  beforeAll(async () => {
    ({ connector: source } = await connect('torture', TORTURE));
    tables = new Map((await source.introspect()).tables.map((table) => [table.name, table]));
  });

  it("introspects every column to exactly the catalog's logical type, and the catalog lists nothing else", () => {
    const catalog = new Map(MYSQL_TYPE_SYSTEM.catalog.map((entry) => [entry.native, entry.logical]));
    const seen = new Set<string>();
    for (const table of tables.values()) {
      for (const column of table.columns) {
        const native = catalogSpelling(column);
        seen.add(native);
        expect([table.name, column.name, native, catalog.get(native)]).toEqual([
          table.name,
          column.name,
          native,
          column.type,
        ]);
      }
    }
    expect([...seen].sort()).toEqual([...catalog.keys()].sort());
  });

  it('reads the exact canonical values', async () => {
    for (const [name, rows] of Object.entries(EXPECTED)) {
      expect([name, await readAll(source, tables.get(name)!)]).toEqual([name, rows]);
    }
    const temporal = await readAll(source, tables.get('t_temporal')!);
    expect(temporal[0]).toEqual([
      1n,
      '0001-01-01',
      '00:00:00',
      '00:00:00',
      '0001-01-01 00:00:00',
      '0001-01-01 00:00:00',
      '0001-01-01 00:00:00',
      '1970-01-01 00:00:01',
      '1970-01-01 00:00:01',
      1901n,
    ]);
    expect(temporal[1]).toEqual([
      2n,
      '9999-12-31',
      '23:59:59.999999',
      '24:00:00',
      '9999-12-31 23:59:59.999999',
      '9999-12-31 23:59:59',
      '9999-12-31 23:59:59.999',
      '2038-01-19 03:14:07.999999',
      '2038-01-19 03:14:07',
      2155n,
    ]);
    expect(temporal.map((row) => row[4])).toEqual([
      '0001-01-01 00:00:00',
      '9999-12-31 23:59:59.999999',
      '2020-01-01 00:00:00',
      '2020-01-01 00:00:00.1',
      '2020-01-01 00:00:00.12',
      '2020-01-01 00:00:00.123',
      '2020-01-01 00:00:00.1234',
      '2020-01-01 00:00:00.12345',
      '2020-01-01 00:00:00.123456',
      '1970-01-01 00:00:00.000001',
    ]);
    expect(temporal[2]![9]).toBe(0n);
    const text = await readAll(source, tables.get('t_text')!);
    expect(text.slice(0, 4)).toEqual([
      [1n, '', '', '', ''],
      [2n, null, null, null, null],
      [3n, 'NULL', 'NULL', 'NULL', 'NULL'],
      [4n, '\\N', '\\N', '\\N', '\\N'],
    ]);
    expect(text[4]).toEqual([5n, null, CONTROLS, CONTROLS, CONTROLS]);
    expect(text[5]).toEqual([
      6n,
      '\u{1F600}\u{1D11E}',
      '\u{1F600} \u{1D11E} \u00f1 e\u0301',
      '\u{1F600} \u{1D11E} \u00f1 e\u0301',
      null,
    ]);
    // CHAR strips trailing spaces; VARCHAR, TEXT and latin1 keep them.
    expect(text[6]).toEqual([7n, '  abc', '  abc   ', '  abc   ', '  abc   ']);
    expect(text[7]).toEqual([8n, null, 'it\'s "q" `b` \\ \\\\', 'it\'s "q" `b` \\ \\\\', null]);
    expect(text[8]).toEqual([9n, null, null, null, `${ASCII_1_127}${LATIN1_HIGH}`]);
    expect(text[9]).toEqual([10n, null, null, '0123456789abcdef'.repeat(262144), null]);
    const binary = comparable(await readAll(source, tables.get('t_binary')!));
    expect(binary).toEqual([
      [1n, Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(4)],
      [2n, Buffer.alloc(3), Buffer.alloc(1), Buffer.from('00010203', 'hex')],
      [3n, ALL_BYTES, ALL_BYTES, null],
      [
        4n,
        Buffer.from('c328a0a1fffe', 'hex'),
        Buffer.from('c328a0a1fffe', 'hex'),
        Buffer.from('fffefdfc', 'hex'),
      ],
      [5n, null, comparable([[Buffer.from('00ff7f80'.repeat(786432), 'hex')]])[0]![0], null],
    ]);
  });

  it('copies every table same-engine, value for value, native types kept', async () => {
    const { connector: target } = await connect('torture_copy');
    const all = [...tables.values()];
    const request: SchemaRequest = { sourceDialect: 'mysql', tables: all };
    expect(await target.createSchema(request, 'tables')).toEqual([]);
    for (const table of all) await target.write(table, source.read(table, BATCH));
    const copied = new Map((await target.introspect()).tables.map((table) => [table.name, table]));
    for (const table of all) {
      const copy = copied.get(table.name)!;
      expect(copy.columns.map((column) => column.nativeType)).toEqual(
        table.columns.map((column) => column.nativeType),
      );
      expect([table.name, comparable(await readAll(target, copy))]).toEqual([
        table.name,
        comparable(await readAll(source, table)),
      ]);
    }
  });
});

/** A one-column table described the way another dialect's introspection describes it. */
function foreignTable(name: string, type: LogicalType, nativeType: string, nullable = true): Table {
  return {
    name,
    columns: [
      {
        name: 'id',
        type: { kind: 'integer', bits: 32, unsigned: false },
        nativeType: 'integer',
        nullable: false,
      },
      { name: 'v', type, nativeType, nullable },
    ],
    primaryKey: ['id'],
    indexes: [],
    foreignKeys: [],
  };
}

describe('MariaDB connector: lossless or fail, with coercion policies', () => {
  let target: MysqlConnector;
  let dbName: string;
  let counter = 0;

  beforeAll(async () => {
    ({ connector: target, name: dbName } = await connect('lossy'));
  });

  /** Creates the table from PostgreSQL's description under the policies, writes the values, reads them back. */
  async function copy(
    type: LogicalType,
    nativeType: string,
    values: Row[number][],
    rules: string[] = [],
    nullable = true,
  ) {
    const table = foreignTable(`t${++counter}`, type, nativeType, nullable);
    const coercions = new Coercions(rules.map(parseCoercionRule));
    await target.createSchema({ sourceDialect: 'postgres', tables: [table], coercions }, 'tables');
    const rows = values.map((value, index): Row => [BigInt(index + 1), value]);
    const written = await target
      .write(table, batchesOf(rows), { coercions })
      .then(() => undefined)
      .catch((error: unknown) => error);
    const [created] = (await target.introspect({ tables: [table.name] })).tables;
    const back = (await readAll(target, created!)).map((row) => row[1]);
    return {
      error: written as ValueError | undefined,
      back,
      native: created!.columns[1]!.nativeType,
      counts: coercions.counts(),
    };
  }

  it('stops on infinity, names table, column, key and the way out, and writes nothing', async () => {
    const result = await copy({ kind: 'date' }, 'date', ['2020-01-01', 'infinity']);
    expect(result.error).toBeInstanceOf(ValueError);
    expect(result.error!.code).toBe('LOSSY_INFINITE_DATE');
    expect(result.error!.message).toMatch(
      /^table t\d+, column v, key id=2: an infinite .* MariaDB date .*--coerce infinite-date=null\|substitute/,
    );
    expect(result.error!.message).not.toContain('2020-01-01');
    expect(result.back).toEqual([]);
  });

  it('substitutes infinity and BC dates with the first or last value and counts them', async () => {
    const result = await copy(
      { kind: 'datetime', fsp: 6 },
      'timestamp',
      ['infinity', '-infinity', '0044-03-15 12:00:00 BC', '2020-01-01 00:00:00'],
      ['infinite-date=substitute'],
    );
    expect(result.error).toBeUndefined();
    expect(result.back).toEqual([
      '9999-12-31 23:59:59.999999',
      '0001-01-01 00:00:00',
      '0001-01-01 00:00:00',
      '2020-01-01 00:00:00',
    ]);
    expect(result.counts).toEqual([
      { table: `t${counter}`, column: 'v', loss: 'infinite-date', action: 'substitute', values: 3 },
    ]);
  });

  it('keeps instants outside TIMESTAMP range only when widened to DATETIME (UTC)', async () => {
    const instants = ['1969-07-20 20:17:40', '2100-01-01 00:00:00.5', '2021-10-31 01:30:00'];
    const stopped = await copy({ kind: 'timestamptz', fsp: 6 }, 'timestamp with time zone', instants);
    expect(stopped.error!.code).toBe('LOSSY_OUT_OF_RANGE');
    expect(stopped.error!.message).toContain('key id=1');
    expect(stopped.native).toBe('timestamp(6)');
    const widened = await copy({ kind: 'timestamptz', fsp: 6 }, 'timestamp with time zone', instants, [
      'out-of-range=widen',
    ]);
    expect(widened.native).toBe('datetime(6)');
    expect(widened.back).toEqual(instants);
    expect(widened.counts).toEqual([]);
    const clamped = await copy({ kind: 'timestamptz', fsp: 6 }, 'timestamp with time zone', instants, [
      'out-of-range=substitute',
    ]);
    expect(clamped.back).toEqual([
      '1970-01-01 00:00:01',
      '2038-01-19 03:14:07.999999',
      '2021-10-31 01:30:00',
    ]);
  });

  it('handles NaN, ±Infinity and -0 by policy: error, null, substitute', async () => {
    const values = [Number.NaN, Number.POSITIVE_INFINITY, -0, 1.5];
    const stopped = await copy({ kind: 'float', bits: 64 }, 'double precision', values);
    expect(stopped.error!.code).toBe('LOSSY_SPECIAL_FLOAT');
    const nulled = await copy({ kind: 'float', bits: 64 }, 'double precision', values, [
      'special-float=null',
    ]);
    expect(nulled.back).toEqual([null, null, null, 1.5]);
    expect(nulled.counts[0]!.values).toBe(3);
    const substituted = await copy({ kind: 'float', bits: 64 }, 'double precision', values, [
      'special-float=substitute',
    ]);
    expect(substituted.back).toEqual([null, 1.7976931348623157e308, 0, 1.5]);
    // NULL is no way out for a NOT NULL column.
    const notNull = await copy(
      { kind: 'float', bits: 64 },
      'double precision',
      values,
      ['special-float=null'],
      false,
    );
    expect(notNull.error!.code).toBe('LOSSY_SPECIAL_FLOAT');
  });

  it('fits unbounded numerics into DECIMAL(65,30) or stops; widened, every digit stays', async () => {
    const values = ['1.0000000000000000000000000000000000001', `1${'0'.repeat(40)}`, 'NaN', '-12.5'];
    const stopped = await copy({ kind: 'decimal' }, 'numeric', values);
    expect(stopped.error!.code).toBe('LOSSY_PRECISION');
    const rounded = await copy({ kind: 'decimal' }, 'numeric', values.slice(0, 1), ['precision=substitute']);
    expect(rounded.back).toEqual([`1.${'0'.repeat(30)}`]);
    const widened = await copy({ kind: 'decimal' }, 'numeric', values, [
      'precision=widen',
      'out-of-range=widen',
    ]);
    expect(widened.native).toBe('longtext');
    expect(widened.back).toEqual(values);
  });

  it('carries a type without counterpart only when widened to its text', async () => {
    const stopped = await copy({ kind: 'other', name: 'inet' }, 'inet', ['192.168.0.1/24']);
    expect(stopped.error!.code).toBe('LOSSY_NO_TARGET_TYPE');
    const widened = await copy(
      { kind: 'other', name: 'inet' },
      'inet',
      ['192.168.0.1/24', null],
      ['no-target-type=widen'],
    );
    expect(widened.back).toEqual(['192.168.0.1/24', null]);
    expect(widened.counts).toEqual([
      { table: `t${counter}`, column: 'v', loss: 'no-target-type', action: 'widen', values: 1 },
    ]);
    const nulled = await copy(
      { kind: 'other', name: 'int4range' },
      'int4range',
      ['[1,5)'],
      ['no-target-type=null'],
    );
    expect(nulled.back).toEqual([null]);
  });

  it('cuts text longer than a SQLite column declared, or widens the column', async () => {
    const table = foreignTable(`t${++counter}`, { kind: 'text', length: 3 }, 'VARCHAR(3)');
    const coercions = new Coercions([parseCoercionRule('too-long=substitute')]);
    await target.createSchema({ sourceDialect: 'sqlite', tables: [table], coercions }, 'tables');
    await target.write(table, batchesOf([[1n, '😀bcd']]), { coercions });
    expect(await mysqlQuery(dbName, `SELECT v FROM ${table.name}`)).toEqual([{ v: '😀bc' }]);
    const wide = foreignTable(`t${++counter}`, { kind: 'text', length: 3 }, 'VARCHAR(3)');
    const widen = new Coercions([parseCoercionRule('too-long=widen')]);
    await target.createSchema({ sourceDialect: 'sqlite', tables: [wide], coercions: widen }, 'tables');
    await target.write(wide, batchesOf([[1n, 'abcdef']]), { coercions: widen });
    expect(await mysqlQuery(dbName, `SELECT v FROM ${wide.name}`)).toEqual([{ v: 'abcdef' }]);
  });
});
