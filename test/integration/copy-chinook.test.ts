/**
 * Chinook, from each engine into each engine (9 pairs, same-engine included, into fresh
 * databases): every table, row and value equal to its own source; keys, indexes and foreign keys
 * present; an INSERT without an id succeeds on the target and gets the next id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../src/connectors/registry.js';
import { copyDatabase } from '../../src/engine/copy.js';
import type { DatabaseSchema } from '../../src/schema/table.js';
import { expectSameData, readDatabase } from '../helpers/compare.js';
import { chinookMysql, chinookPostgres, chinookSqlite } from '../helpers/datasets.js';
import { insertWithoutId } from '../helpers/insert-without-id.js';
import { ENGINES, freshDatabase, type TestDatabase } from '../helpers/servers.js';

type Engine = (typeof ENGINES)[number];
const loaders = { mysql: chinookMysql, postgres: chinookPostgres, sqlite: chinookSqlite };
// Where each engine's Chinook keeps its artists (the PostgreSQL file uses snake_case).
const artist = {
  mysql: { table: 'Artist', id: 'ArtistId', name: 'Name' },
  sqlite: { table: 'Artist', id: 'ArtistId', name: 'Name' },
  postgres: { table: 'artist', id: 'artist_id', name: 'name' },
};

async function describeSchema(url: string): Promise<DatabaseSchema> {
  const connector = await createConnector(url);
  await connector.connect();
  try {
    return await connector.introspect();
  } finally {
    await connector.close();
  }
}

describe.each(ENGINES)('Chinook from %s', (sourceEngine: Engine) => {
  let source: TestDatabase;
  const targets: TestDatabase[] = [];
  beforeAll(async () => {
    source = await loaders[sourceEngine]();
  });
  afterAll(async () => {
    await Promise.all([source?.drop(), ...targets.map((t) => t.drop())]);
  });

  it.each(ENGINES)(
    `arrives in %s value by value, with keys, indexes and next ids`,
    async (targetEngine: Engine) => {
      const target = await freshDatabase(targetEngine, 'chinook_copy');
      targets.push(target);
      // Small chunks, three at once: integer and composite keys split into ranges on every engine.
      const result = await copyDatabase({
        source: source.url,
        target: target.url,
        chunkRows: 1000,
        parallel: 3,
      });
      expect(result.errors).toEqual([]);
      expect(result.tables.filter((t) => t.status !== 'copied')).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.tables).toHaveLength(11);
      expect(result.tables.reduce((sum, t) => sum + t.rows, 0)).toBe(15607);
      const chunks = Object.fromEntries(
        result.tables.map((t) => [t.table.toLowerCase().replaceAll('_', ''), t.chunks]),
      );
      expect(chunks).toMatchObject({ artist: 1, track: 4, invoiceline: 3, playlisttrack: 9 });

      expectSameData(await readDatabase(source.url), await readDatabase(target.url));

      const [from, to] = await Promise.all([describeSchema(source.url), describeSchema(target.url)]);
      for (const table of from.tables) {
        const copy = to.tables.find((t) => t.name === table.name)!;
        expect(copy.primaryKey, `primary key of ${table.name}`).toEqual(table.primaryKey);
        const indexColumns = (t: typeof table) =>
          t.indexes.map((i) => i.columns.map((c) => c.name).join(',')).sort();
        expect(indexColumns(copy), `indexes of ${table.name}`).toEqual(indexColumns(table));
        const fks = (t: typeof table) =>
          t.foreignKeys
            .map((f) => `${f.columns.join(',')}->${f.referencedTable}(${f.referencedColumns.join(',')})`)
            .sort();
        expect(fks(copy), `foreign keys of ${table.name}`).toEqual(fks(table));
      }

      const { table, id, name } = artist[sourceEngine];
      const newId = await insertWithoutId(targetEngine, target.name, table, id, { [name]: 'A new artist' });
      expect(newId).toBe(276n); // Chinook has 275 artists
    },
  );
});
