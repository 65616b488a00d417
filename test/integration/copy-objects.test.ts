/**
 * Views, triggers, routines and shared index names: copied with everything between the same
 * engine; across engines the tables arrive, a clashing index name is renamed and reported, and the
 * other objects are listed by name as not migrated.
 */

import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { copyDatabase } from '../../src/engine/copy.js';
import { expectSameData, readDatabase } from '../helpers/compare.js';
import { fixtureDatabase } from '../helpers/datasets.js';
import { insertWithoutId } from '../helpers/insert-without-id.js';
import { ENGINES, freshDatabase, mysqlQuery, pgQuery, type TestDatabase } from '../helpers/servers.js';

type Engine = (typeof ENGINES)[number];
const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

/** Runs one query with the engine's driver and returns the rows. */
async function query(engine: Engine, db: TestDatabase, sql: string): Promise<Record<string, unknown>[]> {
  if (engine === 'postgres') return pgQuery(db.name, sql);
  if (engine === 'mysql') return (await mysqlQuery(db.name, sql)) as Record<string, unknown>[];
  const sqlite = new Database(db.name, { readonly: true });
  try {
    return sqlite.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    sqlite.close();
  }
}

describe.each(ENGINES)('objects from %s', (sourceEngine: Engine) => {
  it('are all copied to the same engine, and work there', async () => {
    const source = await fixtureDatabase(sourceEngine, 'objects');
    const target = await freshDatabase(sourceEngine, 'objects_copy');
    cleanup.push(source, target);
    const result = await copyDatabase({ source: source.url, target: target.url });
    expect(result.errors.map((e) => e.message)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.renames).toEqual([]);
    const copied = result.objectsCopied.map((o) => `${o.kind} ${o.name}`).sort();
    const expected = ['trigger book_count_up', 'view book_titles'];
    if (sourceEngine !== 'sqlite') expected.push('routine books_of');
    expect(copied).toEqual(expected.sort());
    expect(result.objectsNotMigrated).toEqual([]);
    expectSameData(await readDatabase(source.url), await readDatabase(target.url));

    // The trigger fires, the view reads, the routine answers, on the target.
    const id = await insertWithoutId(sourceEngine, target.name, 'book', 'id', {
      author_id: '2',
      title: 'Fiasco',
    });
    expect(id).toBe(4n);
    const [author] = await query(sourceEngine, target, 'SELECT books FROM author WHERE id = 2');
    expect(Number(author?.books)).toBe(2);
    const titles = await query(
      sourceEngine,
      target,
      "SELECT title FROM book_titles WHERE author = 'Stanisław' ORDER BY title",
    );
    expect(titles.map((r) => r.title)).toEqual(['Fiasco', 'Solaris']);
    if (sourceEngine !== 'sqlite') {
      const [row] = await query(sourceEngine, target, 'SELECT books_of(1) AS n');
      expect(Number(row?.n)).toBe(2);
    }
  });

  it.each(ENGINES.filter((engine) => engine !== sourceEngine))(
    'to %s: tables arrive, clashing index names are renamed, other objects are listed',
    async (targetEngine: Engine) => {
      const source = await fixtureDatabase(sourceEngine, 'objects');
      const target = await freshDatabase(targetEngine, 'objects_cross');
      cleanup.push(source, target);
      const result = await copyDatabase({ source: source.url, target: target.url });
      expect(result.errors.map((e) => e.message)).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.objectsCopied).toEqual([]);
      const listed = result.objectsNotMigrated.map((o) => `${o.kind} ${o.name}`).sort();
      const expected = ['trigger book_count_up', 'view book_titles'];
      if (sourceEngine !== 'sqlite') expected.push('routine books_of');
      expect(listed).toEqual(expected.sort());
      expectSameData(await readDatabase(source.url), await readDatabase(target.url));

      const indexRenames = result.renames.filter((r) => r.kind === 'index');
      if (sourceEngine === 'mysql' && targetEngine !== 'mysql') {
        // Both tables have an index named ix_name; the target's index names are per schema.
        expect(indexRenames).toEqual([
          expect.objectContaining({ table: 'book', from: 'ix_name', to: 'book_ix_name' }),
        ]);
      } else {
        expect(indexRenames).toEqual([]);
      }
      const id = await insertWithoutId(targetEngine, target.name, 'book', 'id', {
        author_id: '1',
        title: 'Lathe',
      });
      expect(id).toBe(4n);
    },
  );
});
