/**
 * Chunks as the unit of work and retry (DESIGN.md principle 3): a chunk whose write is killed
 * midway is redone without a duplicate or a missing row, every chunk is recorded once in the
 * target's progress table, and a copy into a table that holds other rows leaves them untouched.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../src/connectors/registry.js';
import { copyDatabase } from '../../src/engine/copy.js';
import type { Reporter } from '../../src/engine/events.js';
import {
  ENGINES,
  freshDatabase,
  freshSqlite,
  mysqlQuery,
  pgQuery,
  type TestDatabase,
} from '../helpers/servers.js';

const ROWS = 6000;
const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

/**
 * A SQLite source: `item` has no primary key, only a unique NOT NULL `code`, so the target has no
 * index that would refuse a duplicate row while the data loads (unique indexes come after it).
 */
async function itemSource(): Promise<TestDatabase> {
  const source = await freshSqlite('chunk_src');
  cleanup.push(source);
  const db = new Database(source.name);
  db.exec('CREATE TABLE item (code INTEGER NOT NULL, body TEXT NOT NULL, UNIQUE (code))');
  db.exec('CREATE TABLE tag (id INTEGER PRIMARY KEY, label TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO item VALUES (?, ?)');
  db.transaction(() => {
    for (let code = 1; code <= ROWS; code++) insert.run(code, `item ${code} ${'x'.repeat(code % 50)}`);
    for (let id = 1; id <= 300; id++) db.prepare('INSERT INTO tag VALUES (?, ?)').run(id, `tag ${id}`);
  })();
  db.close();
  return source;
}

/** Ends every connection that is loading rows into `database` right now; how many it ended. */
async function killWriters(engine: 'postgres' | 'mysql', database: string): Promise<number> {
  if (engine === 'postgres') {
    const rows = await pgQuery(
      'postgres',
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
        WHERE datname = $1 AND query ILIKE 'COPY%FROM STDIN%' AND pid <> pg_backend_pid()`,
      [database],
    );
    return rows.length;
  }
  const rows = (await mysqlQuery(
    undefined,
    `SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE 'LOAD DATA%'`,
    [database],
  )) as Array<{ id: number | string }>;
  for (const row of rows) await mysqlQuery(undefined, `KILL ${row.id}`).catch(() => {});
  return rows.length;
}

/** `[count, distinct codes, min, max]` of the target's `item`. */
async function itemStats(engine: string, target: TestDatabase): Promise<number[]> {
  const sql = 'SELECT COUNT(*) AS n, COUNT(DISTINCT code) AS d, MIN(code) AS lo, MAX(code) AS hi FROM item';
  let row: Record<string, unknown> | undefined;
  if (engine === 'postgres') row = (await pgQuery(target.name, sql))[0];
  else if (engine === 'mysql')
    row = ((await mysqlQuery(target.name, sql)) as Array<Record<string, unknown>>)[0];
  else {
    const db = new Database(target.name, { readonly: true });
    row = db.prepare(sql).get() as Record<string, unknown>;
    db.close();
  }
  return ['n', 'd', 'lo', 'hi'].map((key) => Number(row?.[key]));
}

const servers = ENGINES.filter((engine): engine is 'postgres' | 'mysql' => engine !== 'sqlite');

describe.each(servers)('a chunk write into %s killed midway', (engine) => {
  it('is redone: no duplicate, no missing row, every chunk recorded once', async () => {
    const source = await itemSource();
    const target = await freshDatabase(engine, 'chunk_dst');
    cleanup.push(target);
    let killed = 0;
    let kill: Promise<void> | undefined;
    const killer: Reporter = {
      onTableProgress: (event) => {
        if (event.table === 'item' && event.rows >= 2500 && kill === undefined) {
          kill = killWriters(engine, target.name).then((n) => {
            killed = n;
          });
        }
      },
    };
    // The rate limit keeps each chunk's COPY / LOAD DATA open for a while once the first
    // second's budget is spent, so the kill lands inside a write.
    const result = await copyDatabase({
      source: source.url,
      target: target.url,
      chunkRows: 1000,
      batchRows: 100,
      parallel: 2,
      maxRowsPerSecond: 2000,
      reporters: [killer],
    });
    await kill;

    expect(killed).toBeGreaterThan(0);
    expect(result.tables.map((t) => t.error?.message ?? t.status)).toEqual(['copied', 'copied']);
    const item = result.tables.find((t) => t.table === 'item')!;
    expect(item.chunks).toBe(6);
    expect(item.retries).toBeGreaterThan(0);
    expect(item.rows).toBe(ROWS);
    expect(await itemStats(engine, target)).toEqual([ROWS, ROWS, 1, ROWS]);

    const connector = await createConnector(target.url);
    await connector.connect();
    try {
      const records = await connector.recordedChunks(result.run);
      const items = records.filter((record) => record.table === 'item');
      expect(items.map((record) => record.chunk)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(items.reduce((sum, record) => sum + record.rows, 0)).toBe(ROWS);
      expect(records.filter((record) => record.table === 'tag').map((r) => r.rows)).toEqual([300]);
    } finally {
      await connector.close();
    }
  });
});

describe.each(ENGINES)('a chunked copy with --if-exists append into %s', (engine) => {
  it('adds the source rows and leaves rows Ferry did not write untouched', async () => {
    const source = await itemSource();
    const target = await freshDatabase(engine, 'append_dst');
    cleanup.push(target);
    const first = await copyDatabase({
      source: source.url,
      target: target.url,
      tables: ['item'],
      schemaOnly: true,
    });
    expect(first.ok).toBe(true);
    // Rows of someone else, in and beyond the source's key range of the unique code.
    const others = [
      [ROWS + 1, 'not ours 1'],
      [ROWS + 500, 'not ours 2'],
      [-7, 'not ours 3'],
    ] as const;
    const values = others.map(([code, body]) => `(${code}, '${body}')`).join(', ');
    const insert = `INSERT INTO item (code, body) VALUES ${values}`;
    if (engine === 'postgres') await pgQuery(target.name, insert);
    else if (engine === 'mysql') await mysqlQuery(target.name, insert);
    else {
      const db = new Database(target.name);
      db.exec(insert);
      db.close();
    }

    const result = await copyDatabase({
      source: source.url,
      target: target.url,
      tables: ['item'],
      ifExists: 'append',
      dataOnly: true,
      chunkRows: 700,
      parallel: 3,
    });
    expect(result.tables.map((t) => t.error?.message ?? t.status)).toEqual(['copied']);
    expect(result.tables[0]!.chunks).toBe(9);
    expect(await itemStats(engine, target)).toEqual([ROWS + 3, ROWS + 3, -7, ROWS + 500]);

    const select = 'SELECT code, body FROM item WHERE code < 1 OR code > 6000 ORDER BY code';
    let kept: Array<{ code: unknown; body: unknown }>;
    if (engine === 'postgres') kept = await pgQuery(target.name, select);
    else if (engine === 'mysql') kept = (await mysqlQuery(target.name, select)) as typeof kept;
    else {
      const db = new Database(target.name, { readonly: true });
      kept = db.prepare(select).all() as typeof kept;
      db.close();
    }
    expect(kept.map((row) => [Number(row.code), row.body])).toEqual(
      [...others].sort((a, b) => a[0] - b[0]).map(([code, body]) => [code, body]),
    );
  });
});
