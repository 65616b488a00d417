/**
 * Schema changes on the source while `ferry run` (mode: sync) streams, PostgreSQL → MariaDB and
 * MariaDB → PostgreSQL: a nullable column added to a synced table and written at once, and a new
 * table the plan picks with rows inserted right after its creation (before Ferry can follow it)
 * and later; after the cutover the target equals the source value by value. A dropped column stops
 * the run with exit 1 and a message naming the table and the column.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { copiedColumns } from '../../src/schema/table.js';
import { ferry } from '../helpers/cli.js';
import { expectSameData, readDatabase, type TableData } from '../helpers/compare.js';
import { mysqlQuery, pgQuery, type TestDatabase } from '../helpers/servers.js';
import { cutOver, type Engine, startRun, syncBegun, syncDatabases } from '../helpers/sync-run.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await Promise.resolve(step()).catch(() => undefined);
});

/** Runs statements on the source, each on its own (autocommit). */
async function onSource(engine: Engine, db: TestDatabase, statements: string[]): Promise<void> {
  for (const sql of statements) {
    if (engine === 'postgres') await pgQuery(db.name, sql);
    else await mysqlQuery(db.name, sql);
  }
}

async function countOn(engine: Engine, db: TestDatabase, table: string): Promise<number> {
  const sql = `SELECT COUNT(*) AS n FROM ${table}`;
  try {
    const rows =
      engine === 'postgres'
        ? await pgQuery<{ n: string }>(db.name, sql)
        : ((await mysqlQuery(db.name, sql)) as Array<{ n: string }>);
    return Number(rows[0]?.n);
  } catch {
    return -1; // not there yet
  }
}

/** A source database with `items` (30 rows) and a sync plan into a fresh target, set for cleanup. */
async function setUp(sourceEngine: Engine, targetEngine: Engine, prefix: string) {
  const databases = await syncDatabases({ source: sourceEngine, target: targetEngine }, prefix, cleanup);
  const values = Array.from({ length: 30 }, (_, i) => `(${i + 1}, 'item ${i + 1}', 'note ${i + 1}')`);
  await onSource(sourceEngine, databases.source, [
    'CREATE TABLE items (id integer PRIMARY KEY, name varchar(40) NOT NULL, note varchar(40) NULL)',
    `INSERT INTO items (id, name, note) VALUES ${values.join(', ')}`,
  ]);
  return databases;
}

describe.each([
  ['postgres', 'mysql'],
  ['mysql', 'postgres'],
] as Array<[Engine, Engine]>)(
  'schema changes during a sync from %s into %s',
  (sourceEngine, targetEngine) => {
    it('follows an added nullable column and a new table, and the target equals the source', async () => {
      const { source, target, plan, state } = await setUp(sourceEngine, targetEngine, 'syncddl');
      const run = startRun(plan);
      cleanup.push(() => {
        run.child.kill('SIGKILL');
      });
      await syncBegun(state, run.exit);

      await onSource(sourceEngine, source, [
        "UPDATE items SET name = 'before the column' WHERE id = 1",
        'ALTER TABLE items ADD COLUMN note2 varchar(20) NULL',
        "INSERT INTO items (id, name, note, note2) VALUES (101, 'with note2', NULL, 'second note')",
        "UPDATE items SET note2 = 'set later' WHERE id IN (2, 3)",
        "UPDATE items SET name = 'renamed', note2 = NULL WHERE id = 4",
        'CREATE TABLE extra (id integer PRIMARY KEY, label varchar(30) NULL, amount numeric(10,2) NOT NULL)',
        "INSERT INTO extra (id, label, amount) VALUES (1, 'right after create', 1.50), (2, NULL, 2.25)",
        "UPDATE extra SET label = 'updated early' WHERE id = 2",
      ]);
      // PostgreSQL finds the new table in its catalog (every 10 s); MariaDB in the binlog.
      let seen = false;
      for (let waited = 0; waited < 60_000 && !seen; waited += 500) {
        seen = (await countOn(targetEngine, target, 'extra')) >= 2;
        if (!seen) await sleep(500);
      }
      expect(seen, `the new table reached the target; run: ${run.stderr().slice(-3000)}`).toBe(true);
      await onSource(sourceEngine, source, [
        "INSERT INTO extra (id, label, amount) VALUES (3, 'after the add', 3.00)",
        'DELETE FROM extra WHERE id = 1',
        'UPDATE extra SET amount = 9.99 WHERE id = 2',
        "INSERT INTO items (id, name, note, note2) VALUES (102, 'late', 'x', 'late note')",
        'DELETE FROM items WHERE id = 5',
      ]);

      await cutOver(plan, run);
      const tables = ['items', 'extra'];
      const sourceData = await readDatabase(source.url, tables);
      expect(sourceData.get('items')?.rows).toHaveLength(31);
      expect(sourceData.get('extra')?.rows).toHaveLength(2);
      expectSameData(sourceData, await readDatabase(target.url, tables));
      expect((await ferry(['cleanup', plan])).status).toBe(0);
    });

    it('adds a table created while Ferry was stopped when the sync resumes', async () => {
      const { source, target, plan, state } = await setUp(sourceEngine, targetEngine, 'syncres');
      let run = startRun(plan);
      cleanup.push(() => {
        run.child.kill('SIGKILL');
      });
      await syncBegun(state, run.exit);
      await onSource(sourceEngine, source, ["UPDATE items SET note = 'streamed' WHERE id = 1"]);
      await sleep(1500);
      run.child.kill('SIGKILL');
      expect((await run.exit).status).toBeNull();
      await onSource(sourceEngine, source, [
        'CREATE TABLE extra (id integer PRIMARY KEY, label varchar(30) NULL)',
        "INSERT INTO extra (id, label) VALUES (1, 'while stopped'), (2, 'also')",
        "UPDATE items SET note = 'while stopped' WHERE id = 2",
      ]);
      const restarted = Date.now();
      run = startRun(plan);
      await syncBegun(state, run.exit, restarted);
      await onSource(sourceEngine, source, [
        "INSERT INTO extra (id, label) VALUES (3, 'after the restart')",
        "UPDATE extra SET label = 'changed' WHERE id = 1",
        'DELETE FROM extra WHERE id = 2',
      ]);
      await sleep(1500);
      await cutOver(plan, run);
      const tables = ['items', 'extra'];
      const sourceData = await readDatabase(source.url, tables);
      expect(sourceData.get('extra')?.rows).toHaveLength(2);
      expectSameData(sourceData, await readDatabase(target.url, tables));
      expect((await ferry(['cleanup', plan])).status).toBe(0);
    });

    it('takes a table created just before the cutover into what the cutover drains', async () => {
      const { source, target, plan, state } = await setUp(sourceEngine, targetEngine, 'synccut');
      const run = startRun(plan);
      cleanup.push(() => {
        run.child.kill('SIGKILL');
      });
      await syncBegun(state, run.exit);
      // Well within PostgreSQL's 10 s between catalog looks: the cutover looks once more.
      await onSource(sourceEngine, source, [
        'CREATE TABLE late (id integer PRIMARY KEY, label varchar(30) NOT NULL)',
        "INSERT INTO late (id, label) VALUES (1, 'just before the cutover')",
      ]);
      await cutOver(plan, run);
      const tables = ['items', 'late'];
      const sourceData = await readDatabase(source.url, tables);
      expect(sourceData.get('late')?.rows).toHaveLength(1);
      expectSameData(sourceData, await readDatabase(target.url, tables));
      expect((await ferry(['cleanup', plan])).status).toBe(0);
    });

    it('stops with exit 1 naming the table and the column when a column is dropped', async () => {
      const { source, plan, state } = await setUp(sourceEngine, targetEngine, 'syncdrop');
      const run = startRun(plan);
      cleanup.push(() => {
        run.child.kill('SIGKILL');
      });
      await syncBegun(state, run.exit);
      await onSource(sourceEngine, source, [
        'ALTER TABLE items DROP COLUMN note',
        // PostgreSQL shows the new definition with the table's next change.
        "INSERT INTO items (id, name) VALUES (200, 'after the drop')",
      ]);
      const exit = await Promise.race([run.exit, sleep(60_000).then(() => undefined)]);
      expect(exit, 'the run stopped').toBeDefined();
      expect(exit!.status).toBe(1);
      expect(exit!.stderr).toMatch(/Column note of table items was dropped or renamed/);
      expect(exit!.stderr).toMatch(/ferry run --restart/);
    });
  },
);

/** The target's rows with their columns in the source's order (a column added on the source in the middle lands at the target's end). */
function inSourceOrder(
  source: Map<string, TableData>,
  target: Map<string, TableData>,
): Map<string, TableData> {
  const out = new Map<string, TableData>();
  for (const [name, data] of target) {
    const wanted = copiedColumns(source.get(name)!.table).map((column) => column.name);
    const columns = copiedColumns(data.table);
    const at = wanted.map((column) => columns.findIndex((candidate) => candidate.name === column));
    out.set(name, {
      table: { ...data.table, columns: at.map((index) => columns[index]!) },
      rows: data.rows.map((row) => at.map((index) => row[index]!)),
    });
  }
  return out;
}

describe('a column added in the middle of a MariaDB table during a sync into PostgreSQL', () => {
  it('is added to the target and carried by later changes, by name', async () => {
    const { source, target, plan, state } = await setUp('mysql', 'postgres', 'syncmid');
    const run = startRun(plan);
    cleanup.push(() => {
      run.child.kill('SIGKILL');
    });
    await syncBegun(state, run.exit);
    await onSource('mysql', source, [
      'ALTER TABLE items ADD COLUMN mid varchar(10) NULL AFTER id, ADD COLUMN first_col int NOT NULL DEFAULT 5 FIRST',
      "INSERT INTO items (id, mid, name, note, first_col) VALUES (300, 'middle', 'in the middle', 'n', 9)",
      "UPDATE items SET mid = 'set' WHERE id = 7",
    ]);
    await sleep(1500);
    await cutOver(plan, run);
    const sourceData = await readDatabase(source.url, ['items']);
    const targetData = await readDatabase(target.url, ['items']);
    expect(copiedColumns(targetData.get('items')!.table).map((column) => column.name)).toEqual([
      'id',
      'name',
      'note',
      // Added at the end, in the source's new column order.
      'first_col',
      'mid',
    ]);
    expectSameData(sourceData, inSourceOrder(sourceData, targetData));
    expect((await ferry(['cleanup', plan])).status).toBe(0);
  });
});

describe("a sync with table rules follows the plan's names and picks", () => {
  it('renames added columns and new tables as the rules say, and leaves out what they exclude', async () => {
    const { source, target, plan, state } = await setUp('mysql', 'postgres', 'syncrules');
    const rules = [
      'tables:',
      '  - include: items',
      '    columns:',
      '      exclude: [note]',
      '      rename: { name: title }',
      '  - include: "ext_*"',
      '  - exclude: "ext_skip*"',
      '',
    ].join('\n');
    writeFileSync(plan, readFileSync(plan, 'utf8') + rules);
    // A plan's patterns must match a table when the run starts.
    await onSource('mysql', source, [
      'CREATE TABLE ext_seed (id int PRIMARY KEY)',
      'CREATE TABLE ext_skip0 (id int PRIMARY KEY)',
    ]);
    const run = startRun(plan);
    cleanup.push(() => {
      run.child.kill('SIGKILL');
    });
    await syncBegun(state, run.exit);
    await onSource('mysql', source, [
      'ALTER TABLE items ADD COLUMN note2 varchar(20) NULL',
      "INSERT INTO items (id, name, note, note2) VALUES (400, 'ruled', 'left out', 'kept')",
      'CREATE TABLE ext_one (id int PRIMARY KEY, v varchar(10) NULL)',
      "INSERT INTO ext_one VALUES (1, 'picked')",
      'CREATE TABLE ext_skip1 (id int PRIMARY KEY)',
      'INSERT INTO ext_skip1 VALUES (1)',
      'CREATE TABLE other (id int PRIMARY KEY)',
      'INSERT INTO other VALUES (1)',
    ]);
    await sleep(1500);
    await cutOver(plan, run);
    const tables = await pgQuery<{ name: string }>(
      target.name,
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE '\\_ferry%' ORDER BY 1",
    );
    expect(tables.map((row) => row.name)).toEqual(['ext_one', 'ext_seed', 'items']);
    const items = await pgQuery(
      target.name,
      'SELECT id, title, note2 FROM items WHERE id IN (1, 400) ORDER BY id',
    );
    expect(items).toEqual([
      { id: 1, title: 'item 1', note2: null },
      { id: 400, title: 'ruled', note2: 'kept' },
    ]);
    const columns = await pgQuery<{ name: string }>(
      target.name,
      "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'items' ORDER BY ordinal_position",
    );
    expect(columns.map((row) => row.name)).toEqual(['id', 'title', 'note2']);
    expect(await pgQuery(target.name, 'SELECT id, v FROM ext_one')).toEqual([{ id: 1, v: 'picked' }]);
    expect((await ferry(['cleanup', plan])).status).toBe(0);
  });
});

describe('a new PostgreSQL table without a primary key during a sync', () => {
  it('stops the run and leaves the table out of the publication, so the source still updates it', async () => {
    const { source, plan, state } = await setUp('postgres', 'mysql', 'synckeyless');
    const run = startRun(plan);
    cleanup.push(() => {
      run.child.kill('SIGKILL');
    });
    await syncBegun(state, run.exit);
    await onSource('postgres', source, [
      'CREATE TABLE loose (id integer, label text)',
      "INSERT INTO loose VALUES (1, 'a')",
    ]);
    const exit = await Promise.race([run.exit, sleep(60_000).then(() => undefined)]);
    expect(exit, 'the run stopped').toBeDefined();
    expect(exit!.status).toBe(1);
    expect(exit!.stderr).toMatch(/"loose".*without a primary key or replica identity/);
    // Not in the publication: PostgreSQL still takes UPDATE and DELETE on it.
    await onSource('postgres', source, ["UPDATE loose SET label = 'b' WHERE id = 1", 'DELETE FROM loose']);
  });
});
