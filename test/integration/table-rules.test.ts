import { afterAll, describe, expect, it } from 'vitest';
import { copyDatabase } from '../../src/engine/copy.js';
import { planCopy } from '../../src/engine/plan-copy.js';
import type { TableRule } from '../../src/engine/table-rules.js';
import { UsageError } from '../../src/errors.js';
import { copiedColumns } from '../../src/schema/table.js';
import { verifyDatabases } from '../../src/verify/verify.js';
import { comparable, readDatabase, type TableData } from '../helpers/compare.js';
import { ENGINES, freshDatabase, runOn, type TestDatabase } from '../helpers/servers.js';

type Engine = 'sqlite' | 'postgres' | 'mysql';
const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

const CUSTOMERS = 30;
const ORDERS = 20;

const SCHEMA: Record<Engine, string[]> = {
  sqlite: [
    'CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, secret TEXT NOT NULL, region TEXT NOT NULL)',
    'CREATE INDEX customers_name ON customers (name)',
    'CREATE TABLE logs (id INTEGER PRIMARY KEY, line TEXT)',
    ...['orders_2023', 'orders_2024', 'orders_tmp'].map(
      (name) =>
        `CREATE TABLE ${name} (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, total INTEGER NOT NULL)`,
    ),
  ],
  postgres: [
    'CREATE TABLE customers (id integer PRIMARY KEY, name varchar(40) NOT NULL, secret varchar(40) NOT NULL, region varchar(8) NOT NULL)',
    'CREATE INDEX customers_name ON customers (name)',
    'CREATE TABLE logs (id integer PRIMARY KEY, line text)',
    ...['orders_2023', 'orders_2024', 'orders_tmp'].map(
      (name) =>
        `CREATE TABLE ${name} (id integer PRIMARY KEY, customer_id integer NOT NULL, total integer NOT NULL)`,
    ),
  ],
  mysql: [
    'CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, secret VARCHAR(40) NOT NULL, region VARCHAR(8) NOT NULL, KEY customers_name (name))',
    'CREATE TABLE logs (id INT PRIMARY KEY, line TEXT)',
    ...['orders_2023', 'orders_2024', 'orders_tmp'].map(
      (name) => `CREATE TABLE ${name} (id INT PRIMARY KEY, customer_id INT NOT NULL, total INT NOT NULL)`,
    ),
  ],
};

const regionOf = (id: number) => (id % 3 === 0 ? 'eu' : 'us');

async function insert(engine: Engine, db: TestDatabase, table: string, rows: unknown[][]): Promise<void> {
  const tuples = rows.map((row) => `(${row.map(() => '?').join(', ')})`).join(', ');
  await runOn(engine, db, `INSERT INTO ${table} VALUES ${tuples}`, rows.flat());
}

async function seed(engine: Engine): Promise<TestDatabase> {
  const db = await freshDatabase(engine, 'rules_src');
  cleanup.push(db);
  for (const statement of SCHEMA[engine]) await runOn(engine, db, statement);
  const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  await insert(
    engine,
    db,
    'customers',
    ids(CUSTOMERS).map((id) => [id, `Name ${id}`, `secret ${id}`, regionOf(id)]),
  );
  await insert(engine, db, 'logs', [
    [1, 'a'],
    [2, 'b'],
  ]);
  await insert(
    engine,
    db,
    'orders_2023',
    ids(ORDERS).map((id) => [id, id, id * 3]),
  );
  await insert(
    engine,
    db,
    'orders_2024',
    ids(ORDERS).map((id) => [id, id + 1, id]),
  );
  await insert(engine, db, 'orders_tmp', [[1, 1, 1]]);
  return db;
}

const RULES: TableRule[] = [
  {
    include: 'customers',
    rename: 'clients',
    where: "region = 'eu'",
    columns: { exclude: ['secret'], rename: { name: 'full_name' } },
  },
  { include: 'orders_*' },
  { exclude: '*_tmp' },
  // The exact name wins over the pattern above for this table's rules.
  { include: 'orders_2024', where: 'total > 10' },
];

/** A table's column names and rows as comparable text. */
function plain(data: TableData | undefined): { columns: string[]; rows: string[][] } {
  if (!data) return { columns: [], rows: [] };
  const columns = copiedColumns(data.table);
  return {
    columns: columns.map((column) => column.name),
    rows: data.rows.map((row) => row.map((value, at) => String(comparable(value, columns[at]!.type)))),
  };
}

const PAIRS: Array<[Engine, Engine]> = (
  [
    ['sqlite', 'sqlite'],
    ['sqlite', 'postgres'],
    ['postgres', 'postgres'],
    ['postgres', 'mysql'],
    ['mysql', 'mysql'],
    ['mysql', 'sqlite'],
  ] as Array<[Engine, Engine]>
).filter(([from, to]) => ENGINES.includes(from) && ENGINES.includes(to));

describe.each(PAIRS)('table rules from %s into %s', (from, to) => {
  it('copies the chosen tables, columns and rows under the plan names, and verify agrees', async () => {
    const source = await seed(from);
    const target = await freshDatabase(to, 'rules_dst');
    cleanup.push(target);
    const common = { source: source.url, target: target.url, tableRules: RULES, chunkRows: 4 };

    const result = await copyDatabase({ ...common, parallel: 2 });
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.tables.map((t) => [t.table, t.targetTable, t.rows])).toEqual([
      ['customers', 'clients', CUSTOMERS / 3],
      ['orders_2023', 'orders_2023', ORDERS],
      ['orders_2024', 'orders_2024', ORDERS - 10],
    ]);
    expect(result.renames).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'table',
          from: 'customers',
          to: 'clients',
          reason: 'renamed by the plan',
        }),
        expect.objectContaining({
          kind: 'column',
          from: 'name',
          to: 'full_name',
          reason: 'renamed by the plan',
        }),
      ]),
    );

    const copied = await readDatabase(target.url);
    expect([...copied.keys()].sort()).toEqual(['clients', 'orders_2023', 'orders_2024']);
    const eu = Array.from({ length: CUSTOMERS }, (_, i) => i + 1).filter((id) => regionOf(id) === 'eu');
    expect(plain(copied.get('clients'))).toEqual({
      columns: ['id', 'full_name', 'region'],
      rows: eu.map((id) => [String(id), `Name ${id}`, 'eu']),
    });
    expect(plain(copied.get('orders_2023'))).toEqual({
      columns: ['id', 'customer_id', 'total'],
      rows: Array.from({ length: ORDERS }, (_, i) => [String(i + 1), String(i + 1), String((i + 1) * 3)]),
    });
    expect(plain(copied.get('orders_2024')).rows).toEqual(
      Array.from({ length: ORDERS - 10 }, (_, i) => [String(i + 11), String(i + 12), String(i + 11)]),
    );

    const verified = await verifyDatabases(common);
    expect(
      verified.tables.map((t) => [t.table, t.targetTable, t.status, t.sourceRows, t.targetRows]),
    ).toEqual([
      ['customers', 'clients', 'equal', CUSTOMERS / 3, CUSTOMERS / 3],
      ['orders_2023', 'orders_2023', 'equal', ORDERS, ORDERS],
      ['orders_2024', 'orders_2024', 'equal', ORDERS - 10, ORDERS - 10],
    ]);
    expect(verified.ok).toBe(true);

    // One filtered-in row changed on the target: verify names exactly that key and column.
    await runOn(to, target, "UPDATE clients SET full_name = 'changed' WHERE id = 6");
    const changed = await verifyDatabases(common);
    expect(changed.ok).toBe(false);
    const differing = changed.tables.filter((t) => t.status !== 'equal');
    expect(differing.map((t) => t.table)).toEqual(['customers']);
    expect(differing[0]?.differences).toEqual([{ kind: 'different', key: { id: '6' }, columns: ['name'] }]);
    expect(differing[0]?.counts).toEqual({ missing: 0, extra: 0, different: 1 });
  });
});

describe.each(ENGINES.map((engine) => [engine] as [Engine]))('table rules on a %s source', (engine) => {
  it('fails only the table whose condition the server refuses, naming the table and the condition', async () => {
    const source = await seed(engine);
    const target = await freshDatabase('sqlite', 'rules_bad');
    cleanup.push(target);
    // One reader: the failed read's snapshot connection must serve the next table.
    const result = await copyDatabase({
      source: source.url,
      target: target.url,
      parallel: 1,
      retries: 0,
      tableRules: [{ include: 'customers', where: 'no_such_column > 0' }, { include: 'orders_2023' }],
    });
    expect(result.ok).toBe(false);
    const [customers, orders] = result.tables;
    expect(customers?.status).toBe('failed');
    expect(customers?.error?.message).toContain('customers');
    expect(customers?.error?.message).toContain('no_such_column > 0');
    expect(orders).toMatchObject({ table: 'orders_2023', status: 'copied', rows: ORDERS });
  });

  it('refuses names and patterns of the plan that match no table, and plans the renames', async () => {
    const source = await seed(engine);
    const target = await freshDatabase('sqlite', 'rules_plan');
    cleanup.push(target);
    const options = { source: source.url, target: target.url };
    await expect(copyDatabase({ ...options, tableRules: [{ include: 'customer' }] })).rejects.toThrow(
      UsageError,
    );
    await expect(copyDatabase({ ...options, tableRules: [{ exclude: 'nothing_*' }] })).rejects.toThrow(
      'the pattern "nothing_*" matches no table',
    );
    await expect(
      copyDatabase({ ...options, tableRules: [{ include: 'customers', columns: { exclude: ['id'] } }] }),
    ).rejects.toThrow('column id is left out, but the primary key of customers needs it');

    const plan = await planCopy({ ...options, tableRules: RULES, tables: ['customers', 'orders_2023'] });
    expect(plan.tables.map((t) => [t.table, t.targetTable, t.where])).toEqual([
      ['customers', 'clients', "region = 'eu'"],
      ['orders_2023', 'orders_2023', undefined],
    ]);
    expect(plan.tables[0]?.columns.map((c) => [c.column, c.targetColumn])).toEqual([
      ['id', 'id'],
      ['name', 'full_name'],
      ['region', 'region'],
    ]);
  });
});
