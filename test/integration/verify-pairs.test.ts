/**
 * `verifyDatabases` on every engine pair: after a copy nothing differs; then the target is changed
 * at keys chosen by a seeded random generator — rows deleted, rows added, one column changed, a
 * float moved by one ulp, a trailing space, a letter's case (under MariaDB's case-insensitive
 * collation too), two values swapped between rows (the column's sum unchanged) — and verify names
 * exactly those keys with exactly those kinds and columns; repair fixes them; verify finds nothing.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { copyDatabase } from '../../src/engine/copy.js';
import { verifyDatabases } from '../../src/verify/verify.js';
import type { RowDifference } from '../../src/verify/verify-result.js';
import { seededRandom } from '../helpers/seeded.js';
import { ENGINES, freshDatabase, runOn, type TestDatabase } from '../helpers/servers.js';

type Engine = 'sqlite' | 'postgres' | 'mysql';
const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

const ROWS = 3000;

const random = seededRandom;

/** The next double above `x` (one ulp). */
function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}

const ratioOf = (id: number) => id / 7 + 0.1;
const nameOf = (id: number) => `Name ${id} é`;

const CREATE: Record<Engine, string> = {
  mysql:
    'CREATE TABLE accounts (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, amount DECIMAL(12,2) NOT NULL, ratio DOUBLE, note TEXT)',
  postgres:
    'CREATE TABLE accounts (id integer PRIMARY KEY, name varchar(40) NOT NULL, amount numeric(12,2) NOT NULL, ratio double precision, note text)',
  sqlite:
    'CREATE TABLE accounts (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, amount TEXT NOT NULL, ratio REAL, note TEXT)',
};

async function seed(engine: Engine, db: TestDatabase): Promise<void> {
  if (engine === 'sqlite') {
    const file = new Database(db.name);
    file.exec(CREATE.sqlite);
    const insert = file.prepare('INSERT INTO accounts VALUES (?, ?, ?, ?, ?)');
    file.transaction(() => {
      for (let id = 1; id <= ROWS; id++)
        insert.run(
          id,
          nameOf(id),
          `${id % 997}.${String(id % 100).padStart(2, '0')}`,
          ratioOf(id),
          id % 5 ? `note ${id}` : null,
        );
    })();
    file.close();
    return;
  }
  await runOn(engine, db, CREATE[engine]);
  for (let from = 1; from <= ROWS; from += 500) {
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (let id = from; id < from + 500 && id <= ROWS; id++) {
      tuples.push('(?, ?, ?, ?, ?)');
      values.push(
        id,
        nameOf(id),
        `${id % 997}.${String(id % 100).padStart(2, '0')}`,
        ratioOf(id),
        id % 5 ? `note ${id}` : null,
      );
    }
    await runOn(engine, db, `INSERT INTO accounts VALUES ${tuples.join(', ')}`, values);
  }
}

/** Changes the target at seeded keys; returns the differences verify must report. */
async function mutate(engine: Engine, db: TestDatabase, seedValue: number): Promise<RowDifference[]> {
  const next = random(seedValue);
  const used = new Set<number>();
  const pick = () => {
    for (;;) {
      const id = 1 + Math.floor(next() * ROWS);
      // Swapped amounts must differ; ids whose amount repeats (id % 997) are avoided by distinctness below.
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
  const key = (id: number) => ({ id: String(id) });
  const expected: RowDifference[] = [];
  for (let i = 0; i < 3; i++) {
    const id = pick();
    await runOn(engine, db, 'DELETE FROM accounts WHERE id = ?', [id]);
    expected.push({ kind: 'missing', key: key(id) });
  }
  for (const id of [ROWS + 17, ROWS + 401]) {
    await runOn(engine, db, 'INSERT INTO accounts VALUES (?, ?, ?, ?, ?)', [id, 'extra', '1.00', 0.5, null]);
    expected.push({ kind: 'extra', key: key(id) });
  }
  const noteId = pick();
  await runOn(engine, db, 'UPDATE accounts SET note = ? WHERE id = ?', ['changed', noteId]);
  expected.push({ kind: 'different', key: key(noteId), columns: ['note'] });
  const ulpId = pick();
  await runOn(engine, db, 'UPDATE accounts SET ratio = ? WHERE id = ?', [nextUp(ratioOf(ulpId)), ulpId]);
  expected.push({ kind: 'different', key: key(ulpId), columns: ['ratio'] });
  const spaceId = pick();
  await runOn(engine, db, 'UPDATE accounts SET name = ? WHERE id = ?', [`${nameOf(spaceId)} `, spaceId]);
  expected.push({ kind: 'different', key: key(spaceId), columns: ['name'] });
  const caseId = pick();
  await runOn(engine, db, 'UPDATE accounts SET name = ? WHERE id = ?', [
    nameOf(caseId).toLowerCase(),
    caseId,
  ]);
  expected.push({ kind: 'different', key: key(caseId), columns: ['name'] });
  // Two amounts trade places: the column's sum stays, the rows differ.
  let [a, b] = [pick(), pick()];
  while (a % 997 === b % 997 && a % 100 === b % 100) b = pick();
  const amount = (id: number) => `${id % 997}.${String(id % 100).padStart(2, '0')}`;
  await runOn(engine, db, 'UPDATE accounts SET amount = ? WHERE id = ?', [amount(b), a]);
  await runOn(engine, db, 'UPDATE accounts SET amount = ? WHERE id = ?', [amount(a), b]);
  expected.push(
    { kind: 'different', key: key(a), columns: ['amount'] },
    { kind: 'different', key: key(b), columns: ['amount'] },
  );
  return expected;
}

const order = (list: RowDifference[]) =>
  [...list]
    .map(({ kind, key, columns }) => ({ kind, key, ...(columns ? { columns } : {}) }))
    .sort((x, y) => Number(x.key.id) - Number(y.key.id));

describe.each(ENGINES)('verify from %s', (from) => {
  it.each(ENGINES)(
    'to %s: nothing after a copy, exactly the changed keys after changes, nothing after repair',
    async (to) => {
      const source = await freshDatabase(from, 'vf_src');
      const target = await freshDatabase(to, 'vf_dst');
      cleanup.push(source, target);
      await seed(from, source);
      const copied = await copyDatabase({ source: source.url, target: target.url });
      expect(copied.ok).toBe(true);

      const clean = await verifyDatabases({ source: source.url, target: target.url, chunkRows: 1000 });
      expect(
        clean.tables.map((t) => [t.table, t.status, t.sourceRows, t.targetRows, t.error?.message]),
      ).toEqual([['accounts', 'equal', ROWS, ROWS, undefined]]);

      const expected = await mutate(to, target, 20261202 + from.length * 7 + to.length);
      // One chunk of the whole table: the differing range is bisected before rows are read.
      for (const chunkRows of [700, 100_000]) {
        const found = await verifyDatabases({ source: source.url, target: target.url, chunkRows });
        const table = found.tables[0]!;
        expect(found.ok).toBe(false);
        expect(table.status).toBe('different');
        expect(order(table.differences)).toEqual(order(expected));
        expect(table.counts).toEqual({ missing: 3, extra: 2, different: 6 });
        // Values are never shown unless asked for.
        expect(JSON.stringify(table.differences)).not.toContain('changed');
      }

      const repaired = await verifyDatabases({
        source: source.url,
        target: target.url,
        chunkRows: 700,
        repair: true,
      });
      expect([repaired.tables[0]!.status, repaired.tables[0]!.error?.message]).toEqual([
        'repaired',
        undefined,
      ]);
      expect(repaired.tables[0]!.repair).toEqual({ deleted: 8, inserted: 9, dryRun: false });
      const again = await verifyDatabases({ source: source.url, target: target.url, chunkRows: 700 });
      expect(again.ok).toBe(true);
      expect(again.tables[0]!.status).toBe('equal');
    },
  );
});
