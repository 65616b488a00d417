/**
 * Connector.addColumns against the real servers, for every target engine and both source dialects
 * with a change log: columns added during a sync (nullable, NOT NULL with a constant default,
 * exact decimal) land at the end of the target table with the type the copy would give them, the
 * rows already there get NULL or the default, and adding them again changes nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../src/connectors/registry.js';
import { copiedColumns } from '../../src/schema/table.js';
import type { CanonicalValue, RowBatch } from '../../src/values/canonical.js';
import { ENGINES, freshDatabase, runOn, type TestDatabase } from '../helpers/servers.js';

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const database of databases) await database.drop();
});

const SOURCE_SQL = {
  postgres:
    'CREATE TABLE items (id integer PRIMARY KEY, name varchar(40) NOT NULL, note2 varchar(20) NULL, qty integer NOT NULL DEFAULT 7, price numeric(10,2) NULL)',
  mysql:
    'CREATE TABLE items (id int PRIMARY KEY, name varchar(40) NOT NULL, note2 varchar(20) NULL, qty int NOT NULL DEFAULT 7, price decimal(10,2) NULL) ENGINE=InnoDB',
};

async function readAll(url: string, table: string) {
  const connector = await createConnector(url);
  await connector.connect();
  try {
    const [described] = (await connector.introspect({ tables: [table] })).tables;
    const rows: CanonicalValue[][] = [];
    for await (const batch of connector.read(described!, { batchRows: 100, batchBytes: 1 << 20 })) {
      rows.push(...batch.rows);
    }
    return { table: described!, rows };
  } finally {
    await connector.close();
  }
}

describe.each(
  (['postgres', 'mysql'] as const).flatMap((source) => ENGINES.map((target) => [source, target] as const)),
)('addColumns from %s columns into %s', (sourceEngine, targetEngine) => {
  it('adds nullable and defaulted columns at the end, once', async () => {
    const source = await freshDatabase(sourceEngine, 'addcol_src');
    const target = await freshDatabase(targetEngine, 'addcol_dst');
    databases.push(source, target);
    await runOn(sourceEngine, source, SOURCE_SQL[sourceEngine]);
    const reader = await createConnector(source.url);
    await reader.connect();
    const [full] = (await reader.introspect({ tables: ['items'] })).tables;
    await reader.close();
    const added = full!.columns.filter((column) => ['note2', 'qty', 'price'].includes(column.name));
    const before = { ...full!, columns: full!.columns.filter((column) => !added.includes(column)) };

    const connector = await createConnector(target.url);
    await connector.connect();
    try {
      const request = { sourceDialect: sourceEngine, tables: [before] };
      await connector.createSchema(request, 'tables');
      async function* batches(): AsyncGenerator<RowBatch> {
        yield {
          rows: [
            [1n, 'one'],
            [2n, 'two'],
          ],
          bytes: 20,
        };
      }
      await connector.write(before, batches());
      await connector.createSchema(request, 'constraints');
      expect(connector.addColumns).toBeDefined();
      await connector.addColumns!('items', added, { sourceDialect: sourceEngine });
      await connector.addColumns!('items', added, { sourceDialect: sourceEngine });
    } finally {
      await connector.close();
    }
    const { table, rows } = await readAll(target.url, 'items');
    expect(copiedColumns(table).map((column) => column.name)).toEqual([
      'id',
      'name',
      'note2',
      'qty',
      'price',
    ]);
    const byName = new Map(table.columns.map((column) => [column.name, column]));
    expect(byName.get('note2')?.nullable).toBe(true);
    expect(byName.get('qty')?.nullable).toBe(false);
    if (targetEngine !== 'sqlite') expect(byName.get('price')?.type.kind).toBe('decimal');
    expect(
      rows.map((row) => row.map((value) => (typeof value === 'bigint' ? Number(value) : value))),
    ).toEqual([
      [1, 'one', null, 7, null],
      [2, 'two', null, 7, null],
    ]);
  });
});
