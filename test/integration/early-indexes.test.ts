/**
 * The 'indexes' schema phase a copy runs for each table as soon as its rows are in (engine
 * early-indexes.ts), against the real servers: MariaDB and PostgreSQL build the owned table's
 * indexes then and leave foreign keys and tables the run does not own alone; SQLite leaves them
 * to 'constraints'. The 'constraints' phase afterwards skips what is built and completes the rest.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../src/connectors/registry.js';
import { EarlyIndexes } from '../../src/engine/early-indexes.js';
import type { Table } from '../../src/schema/table.js';
import type { RowBatch } from '../../src/values/canonical.js';
import { ENGINES, freshDatabase, runOn, type TestDatabase } from '../helpers/servers.js';

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const database of databases) await database.drop();
});

const SCHEMA = [
  'CREATE TABLE parent (id integer PRIMARY KEY, code varchar(20) NOT NULL)',
  'CREATE UNIQUE INDEX parent_code ON parent (code)',
  'CREATE TABLE child (id integer PRIMARY KEY, parent_id integer NOT NULL, CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id))',
  'CREATE INDEX child_by_parent ON child (parent_id)',
];

async function* rows(values: unknown[][]): AsyncGenerator<RowBatch> {
  yield { rows: values as RowBatch['rows'], bytes: 100 };
}

describe.each(ENGINES)('the indexes phase on %s', (engine) => {
  it('builds an owned table’s indexes early, and constraints completes the rest', async () => {
    const source = await freshDatabase(engine, 'early_src');
    const target = await freshDatabase(engine, 'early_dst');
    databases.push(source, target);
    for (const statement of SCHEMA) await runOn(engine, source, statement);

    const introspect = async (url: string) => {
      const connector = await createConnector(url);
      await connector.connect();
      try {
        const { tables } = await connector.introspect({ tables: ['parent', 'child'] });
        return new Map(tables.map((table) => [table.name, table]));
      } finally {
        await connector.close();
      }
    };
    const described = await introspect(source.url);
    const parent = described.get('parent')!;
    const child = described.get('child')!;
    const names = (table: Table | undefined) => ({
      indexes: (table?.indexes ?? []).map((index) => index.name).sort(),
      foreignKeys: (table?.foreignKeys ?? []).map((key) => key.name),
    });

    const connector = await createConnector(target.url);
    await connector.connect();
    try {
      const request = { sourceDialect: engine, tables: [parent, child] };
      await connector.createSchema(request, 'tables');
      await connector.write(parent, rows([[1n, 'a']]));
      await connector.write(child, rows([[10n, 1n]]));
      const before = await introspect(target.url);

      // Only `child` is the run's own: `parent` stays as the tables phase left it.
      const early = new EarlyIndexes(connector, request, [child]);
      early.add(parent);
      early.add(child);
      await early.settled();
      const between = await introspect(target.url);
      expect(names(between.get('parent'))).toEqual(names(before.get('parent')));
      if (engine === 'sqlite') {
        expect(names(between.get('child'))).toEqual(names(before.get('child')));
      } else {
        expect(names(between.get('child')).indexes).toEqual(['child_by_parent']);
        expect(names(between.get('child')).foreignKeys).toEqual(names(before.get('child')).foreignKeys);
      }

      await connector.createSchema(request, 'constraints');
      const after = await introspect(target.url);
      expect(names(after.get('parent'))).toEqual(names(parent));
      expect(names(after.get('child'))).toEqual(names(child));
    } finally {
      await connector.close();
    }
  });
});
