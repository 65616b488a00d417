/**
 * The change appliers (cdc/applier.ts) of every target engine against the real servers, one suite
 * run per engine: rows inserted through `apply` equal what `write` lands, value by value (the
 * torture fixtures of every source engine); updates (with UNCHANGED), key changes, deletes,
 * truncates and whole-row identities; replays converge; nothing of an unfinished transaction stays;
 * the sync tables say what is applied, forget it past the watermark and count the changes; two
 * sessions apply side by side (not SQLite).
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApplySession } from '../../src/cdc/applier.js';
import { type ChangeRelation, type RowChange, type StreamPosition, UNCHANGED } from '../../src/cdc/change.js';
import { countChanges } from '../../src/cdc/change-counts.js';
import type { Connector } from '../../src/connectors/connector.js';
import { createConnector } from '../../src/connectors/registry.js';
import { copiedColumns, type Table } from '../../src/schema/table.js';
import type { CanonicalValue } from '../../src/values/canonical.js';
import { Coercions } from '../../src/values/coercions.js';
import type { LossKind } from '../../src/values/loss-kinds.js';
import { batchesOf, collectRows } from '../helpers/batches.js';
import { comparable, expectSameData, readDatabase } from '../helpers/compare.js';
import { fixtureDatabase } from '../helpers/datasets.js';
import {
  ENGINES,
  freshDatabase,
  MYSQL_BASE,
  PG_BASE,
  pgQuery,
  runOn,
  type TestDatabase,
} from '../helpers/servers.js';

type Engine = (typeof ENGINES)[number];

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

async function fresh(engine: Engine, prefix: string): Promise<TestDatabase> {
  const db = await freshDatabase(engine, prefix);
  cleanup.push(() => db.drop());
  return db;
}

async function connected(url: string): Promise<Connector> {
  const connector = await createConnector(url);
  await connector.connect();
  cleanup.push(() => connector.close());
  return connector;
}

const position = (n: number): StreamPosition => ({
  key: String(n).padStart(12, '0'),
  fields: { at: String(n) },
});

/** The hand-made tables, in SQL all three engines read alike. */
const SMALL_SQL = [
  'CREATE TABLE items (id integer PRIMARY KEY, name varchar(50), qty integer, note text)',
  'CREATE TABLE bag (a integer, b varchar(20))',
  'CREATE TABLE pairs (a integer NOT NULL, b integer NOT NULL, PRIMARY KEY (a, b))',
  'CREATE TABLE order_lines (order_id integer NOT NULL, line integer NOT NULL, qty integer, PRIMARY KEY (order_id, line))',
  'CREATE TABLE codes (code varchar(20) NOT NULL PRIMARY KEY, n integer)',
];

/**
 * Source tables of `sourceEngine` (introspected from `sql`) created on `target` as a run creates
 * them, with the constraints phase (keys, indexes) unless `constraints` is false: changes healing
 * a snapshot may come before it, when a PostgreSQL target has no primary key yet.
 */
async function tablesFrom(
  sourceEngine: Engine,
  statements: string[],
  targets: Connector[],
  constraints = true,
): Promise<Table[]> {
  const source = await fresh(sourceEngine, 'apply_src');
  for (const sql of statements) await runOn(sourceEngine, source, sql);
  const connector = await connected(source.url);
  const { tables } = await connector.introspect();
  const request = { sourceDialect: connector.dialect, tables };
  for (const target of targets) {
    await target.createSchema(request, 'tables');
    if (constraints) await target.createSchema(request, 'constraints');
  }
  return tables;
}

function relationOf(table: Table, key = table.primaryKey): ChangeRelation {
  return {
    name: table.name,
    columns: table.columns,
    key: key.length > 0 ? key : table.columns.map((c) => c.name),
  };
}

/** Applies `changes` as one transaction committed at `at`. */
async function transaction(session: ApplySession, at: number, changes: RowChange[]): Promise<void> {
  await session.begin();
  try {
    await session.apply(changes);
    await session.commit([position(at)], countChanges(changes));
  } catch (error) {
    await session.rollback();
    throw error;
  }
}

/** Rows of one table as comparable values, sorted (whole-row tables have no order of their own). */
async function rowsOf(url: string, table: string): Promise<unknown[][]> {
  const data = (await readDatabase(url, [table])).get(table)!;
  const columns = copiedColumns(data.table);
  return data.rows
    .map((row) => row.map((value, i) => comparable(value, columns[i]!.type)))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

const ins = (relation: ChangeRelation, ...row: CanonicalValue[]): RowChange => ({
  kind: 'insert',
  relation,
  row,
});
const del = (relation: ChangeRelation, ...key: CanonicalValue[]): RowChange => ({
  kind: 'delete',
  relation,
  key,
});
const upd = (
  relation: ChangeRelation,
  key: CanonicalValue[],
  ...row: Array<CanonicalValue | typeof UNCHANGED>
): RowChange => ({ kind: 'update', relation, key, row });

/** Kills the connection of the session holding an open transaction on `db` (a crash before commit). */
async function killOpenTransaction(engine: Engine, db: TestDatabase): Promise<void> {
  if (engine === 'postgres') {
    const client = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
    await client.connect();
    try {
      const killed = await client.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%'`,
        [db.name],
      );
      expect(killed.rowCount).toBe(1);
    } finally {
      await client.end();
    }
    return;
  }
  const connection = await mysql.createConnection({ uri: MYSQL_BASE });
  try {
    const [rows] = await connection.query(
      `SELECT t.trx_mysql_thread_id AS id FROM information_schema.INNODB_TRX t
       JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id WHERE p.DB = ?`,
      [db.name],
    );
    const ids = (rows as Array<{ id: number }>).map((row) => row.id);
    expect(ids).toHaveLength(1);
    await connection.query(`KILL ${Number(ids[0])}`);
  } finally {
    await connection.end();
  }
}

describe.each(ENGINES)('applying changes into %s', (engine: Engine) => {
  it.each(ENGINES)(
    'inserts every torture type from %s exactly as write lands it, and fails where write fails',
    async (sourceEngine: Engine) => {
      const source = await fixtureDatabase(sourceEngine, 'torture');
      cleanup.push(() => source.drop());
      const sourceConnector = await connected(source.url);
      const { tables } = await sourceConnector.introspect();
      const written = await fresh(engine, 'apply_w');
      const applied = await fresh(engine, 'apply_a');
      const writer = await connected(written.url);
      const target = await connected(applied.url);
      // As a run does: write before the constraints phase, apply changes after it (PostgreSQL adds primary keys there).
      const request = { sourceDialect: sourceConnector.dialect, tables };
      await writer.createSchema(request, 'tables');
      await target.createSchema(request, 'tables');
      await target.createSchema(request, 'constraints');
      const applier = await target.openApplier!({ stream: 'torture' });
      cleanup.push(() => applier.close());
      await applier.prepare();
      const session = await applier.openSession();
      const outcomes: Record<string, string> = {};
      const landed: string[] = [];
      const landedRows = new Map<Table, CanonicalValue[][]>();
      const failedRows = new Map<Table, CanonicalValue[][]>();
      let at = 0;
      let unreadable = 0;
      for (const table of tables) {
        let rows: CanonicalValue[][];
        try {
          // A stored value that its own type cannot describe fails the read (SQLite storage classes): never applied.
          rows = await collectRows(
            sourceConnector.read(table, { batchRows: 1000, batchBytes: 1 << 20, targetDialect: engine }),
          );
        } catch {
          unreadable++;
          continue;
        }
        let writeOutcome = 'ok';
        try {
          await writer.write(table, batchesOf(rows));
        } catch (error) {
          writeOutcome = `${(error as Error).name} ${(error as { code?: string }).code}`;
        }
        const relation = relationOf(table);
        let applyOutcome = 'ok';
        try {
          // Half the rows one by one, the rest in one apply call: both paths encode the same way.
          const changes = rows.map((row) => ins(relation, ...row));
          await session.begin();
          const half = Math.floor(changes.length / 2);
          for (const change of changes.slice(0, half)) await session.apply([change]);
          await session.apply(changes.slice(half));
          await session.commit([position(++at)], countChanges(changes));
        } catch (error) {
          await session.rollback();
          applyOutcome = `${(error as Error).name} ${(error as { code?: string }).code}`;
        }
        outcomes[table.name] = applyOutcome;
        expect(applyOutcome, `${table.name}: apply as write`).toBe(writeOutcome);
        if (writeOutcome === 'ok') {
          landed.push(table.name);
          landedRows.set(table, rows);
        } else failedRows.set(table, rows);
      }
      // The tables that failed, again under `null` for their losses: apply changes and counts what write does.
      const losses = [...new Set(Object.values(outcomes).flatMap((o) => /LOSSY_(\w+)/.exec(o)?.[1] ?? []))];
      const rules = losses.map((loss) => ({
        loss: loss.toLowerCase().replaceAll('_', '-') as LossKind,
        action: 'null' as const,
      }));
      const writeCoercions = new Coercions(rules);
      const applyCoercions = new Coercions(rules);
      const lenient = await target.openApplier!({ stream: 'torture-null', coercions: applyCoercions });
      cleanup.push(() => lenient.close());
      await lenient.prepare();
      const lenientSession = await lenient.openSession();
      for (const [table, rows] of failedRows) {
        const attempt = writeCoercions.fresh();
        let writeOutcome = 'ok';
        try {
          await writer.write(table, batchesOf(rows), { coercions: attempt });
          writeCoercions.absorb(attempt);
        } catch (error) {
          writeOutcome = (error as { code?: string }).code ?? 'error';
        }
        let applyOutcome = 'ok';
        try {
          await transaction(
            lenientSession,
            ++at,
            rows.map((row) => ins(relationOf(table), ...row)),
          );
        } catch (error) {
          applyOutcome = (error as { code?: string }).code ?? 'error';
        }
        expect(applyOutcome, `${table.name} under null policies: apply as write`).toBe(writeOutcome);
        if (writeOutcome === 'ok') landed.push(table.name);
      }
      await lenientSession.close();
      const tally = (coercions: Coercions) =>
        coercions
          .counts()
          .map((c) => `${c.table}.${c.column} ${c.loss} ${c.action} ${c.values}`)
          .sort();
      expect(tally(applyCoercions)).toEqual(tally(writeCoercions));
      if (failedRows.size > 0) expect(tally(applyCoercions).length, 'values set to NULL').toBeGreaterThan(0);
      await writer.createSchema(request, 'constraints');
      expect(landed.length).toBeGreaterThan(5);
      expect(unreadable).toBeLessThan(3);
      const sameAsWritten = async () =>
        expectSameData(
          await readDatabase(written.url, landed, { targetDialect: engine }),
          await readDatabase(applied.url, landed, { targetDialect: engine }),
        );
      await sameAsWritten();
      // Every row updated to itself by key (every type bound in SET and WHERE): nothing changes.
      for (const [table, rows] of landedRows) {
        const relation = relationOf(table);
        const key = relation.key.map((name) => table.columns.findIndex((c) => c.name === name));
        await transaction(
          session,
          ++at,
          rows.map((row) =>
            upd(
              relation,
              key.map((k) => row[k]!),
              ...row,
            ),
          ),
        );
      }
      await sameAsWritten();
      // Every row deleted as a whole-row identity: each value of every type matches its stored self.
      for (const [table, rows] of landedRows) {
        const relation = relationOf(table, []);
        await transaction(
          session,
          ++at,
          rows.map((row) => del(relation, ...row)),
        );
        expect(await rowsOf(applied.url, table.name), `${table.name}: whole-row deletes`).toEqual([]);
      }
      await session.close();
    },
  );

  it('updates the columns that came, keeps UNCHANGED ones, changes keys, deletes and truncates', async () => {
    const db = await fresh(engine, 'apply_ops');
    const target = await connected(db.url);
    const tables = await tablesFrom(engine, SMALL_SQL, [target]);
    const items = relationOf(tables.find((t) => t.name === 'items')!);
    const pairs = relationOf(tables.find((t) => t.name === 'pairs')!);
    const applier = await target.openApplier!({ stream: 's' });
    cleanup.push(() => applier.close());
    await applier.prepare();
    const session = await applier.openSession();
    await transaction(session, 1, [
      ins(items, 1n, 'one', 1n, 'n1'),
      ins(items, 2n, 'two', 2n, 'n2'),
      ins(items, 3n, 'three', 3n, 'n3'),
      ins(items, 4n, 'four', 4n, null),
      ins(items, 5n, 'five', 5n, 'n5'),
      // The same key twice in a row: the second insert replaces the first.
      ins(items, 6n, 'six?', 0n, null),
      ins(items, 6n, 'six', 6n, 'n6'),
      ins(items, 10n, 'ten?', 0n, 'old'),
      ins(pairs, 1n, 1n),
      ins(pairs, 1n, 2n),
    ]);
    await transaction(session, 2, [
      upd(items, [1n], 1n, 'uno', 11n, 'n1'),
      upd(items, [2n], 2n, UNCHANGED, 22n, UNCHANGED),
      upd(items, [3n], 3n, UNCHANGED, 33n, UNCHANGED),
      // Key changes: complete, and with an UNCHANGED value.
      upd(items, [4n], 40n, 'forty', 40n, 'n40'),
      upd(items, [5n], 50n, UNCHANGED, 50n, UNCHANGED),
      del(items, 6n),
      // A row the target does not hold: a complete update inserts it, a delete passes, a partial update passes.
      upd(items, [7n], 7n, 'seven', 7n, null),
      del(items, 8n),
      upd(items, [9n], 9n, UNCHANGED, 9n, UNCHANGED),
      // Whole-key relation: a key change of one of its rows.
      upd(pairs, [1n, 2n], 1n, 3n),
      // An insert of a key the target holds replaces the whole row (a healed snapshot copied it).
      ins(items, 10n, 'ten', 10n, null),
    ]);
    expect(await rowsOf(db.url, 'items')).toEqual([
      ['1', 'uno', '11', 'n1'],
      ['10', 'ten', '10', null],
      ['2', 'two', '22', 'n2'],
      ['3', 'three', '33', 'n3'],
      ['40', 'forty', '40', 'n40'],
      ['50', 'five', '50', 'n5'],
      ['7', 'seven', '7', null],
    ]);
    expect(await rowsOf(db.url, 'pairs')).toEqual([
      ['1', '1'],
      ['1', '3'],
    ]);
    await transaction(session, 3, [
      { kind: 'truncate', relations: [items, pairs] },
      ins(items, 100n, 'after', 1n, null),
    ]);
    expect(await rowsOf(db.url, 'items')).toEqual([['100', 'after', '1', null]]);
    expect(await rowsOf(db.url, 'pairs')).toEqual([]);
    await session.close();
  });

  it('updates and deletes by composite and text keys, several rows per statement', async () => {
    const db = await fresh(engine, 'apply_keys');
    const target = await connected(db.url);
    const tables = await tablesFrom(engine, SMALL_SQL, [target]);
    const lines = relationOf(tables.find((t) => t.name === 'order_lines')!);
    const codes = relationOf(tables.find((t) => t.name === 'codes')!);
    const applier = await target.openApplier!({ stream: 's' });
    cleanup.push(() => applier.close());
    await applier.prepare();
    const session = await applier.openSession();
    await transaction(session, 1, [
      ...[1n, 2n, 3n].flatMap((order) => [1n, 2n].map((line) => ins(lines, order, line, order * 10n + line))),
      ins(codes, 'x', 1n),
      ins(codes, 'y z', 2n),
      ins(codes, 'ü€', 3n),
      ins(codes, 'w', 4n),
    ]);
    await transaction(session, 2, [
      upd(lines, [1n, 1n], 1n, 1n, 100n),
      upd(lines, [1n, 2n], 1n, 2n, UNCHANGED),
      upd(lines, [2n, 1n], 2n, 1n, 200n),
      del(lines, 3n, 1n),
      del(lines, 3n, 2n),
      del(lines, 9n, 9n),
      upd(codes, ['ü€'], 'ü€', 30n),
      upd(codes, ['y z'], 'y z', UNCHANGED),
      del(codes, 'x'),
      del(codes, 'nope'),
    ]);
    expect(await rowsOf(db.url, 'order_lines')).toEqual([
      ['1', '1', '100'],
      ['1', '2', '12'],
      ['2', '1', '200'],
      ['2', '2', '22'],
    ]);
    expect(await rowsOf(db.url, 'codes')).toEqual([
      ['w', '4'],
      ['y z', '2'],
      ['ü€', '30'],
    ]);
    await session.close();
  });

  it('touches one of two identical rows of a whole-row identity, NULLs compared as equal', async () => {
    const db = await fresh(engine, 'apply_bag');
    const target = await connected(db.url);
    const tables = await tablesFrom(engine, SMALL_SQL, [target]);
    const bag = relationOf(tables.find((t) => t.name === 'bag')!);
    expect(bag.key).toEqual(['a', 'b']);
    const applier = await target.openApplier!({ stream: 's' });
    cleanup.push(() => applier.close());
    await applier.prepare();
    const session = await applier.openSession();
    await transaction(session, 1, [
      ins(bag, 1n, 'x'),
      ins(bag, 1n, 'x'),
      ins(bag, 2n, null),
      ins(bag, 2n, null),
    ]);
    await transaction(session, 2, [del(bag, 1n, 'x'), upd(bag, [2n, null], 3n, null)]);
    expect(await rowsOf(db.url, 'bag')).toEqual([
      ['1', 'x'],
      ['2', null],
      ['3', null],
    ]);
    await transaction(session, 3, [
      del(bag, 1n, 'x'),
      del(bag, 1n, 'x'),
      upd(bag, [3n, null], UNCHANGED, 'y'),
    ]);
    expect(await rowsOf(db.url, 'bag')).toEqual([
      ['2', null],
      ['3', 'y'],
    ]);
    await session.close();
  });

  it.each([true, false])(
    'converges when a transaction is replayed over its own result (a healed snapshot; constraints phase done: %s)',
    async (constraints) => {
      const db = await fresh(engine, 'apply_replay');
      const target = await connected(db.url);
      const tables = await tablesFrom(engine, SMALL_SQL, [target], constraints);
      const items = relationOf(tables.find((t) => t.name === 'items')!);
      const applier = await target.openApplier!({ stream: 's' });
      cleanup.push(() => applier.close());
      await applier.prepare();
      const session = await applier.openSession();
      await transaction(session, 1, [ins(items, 1n, 'a', 1n, null), ins(items, 2n, 'b', 2n, null)]);
      const replayed = [
        ins(items, 3n, 'c', 3n, null),
        upd(items, [1n], 1n, 'a2', 10n, UNCHANGED),
        upd(items, [2n], 20n, 'b2', 20n, 'moved'),
        del(items, 3n),
        ins(items, 4n, 'd', 4n, 'kept'),
      ];
      await transaction(session, 2, replayed);
      const once = await rowsOf(db.url, 'items');
      expect(once).toEqual([
        ['1', 'a2', '10', null],
        ['20', 'b2', '20', 'moved'],
        ['4', 'd', '4', 'kept'],
      ]);
      await transaction(session, 3, replayed);
      expect(await rowsOf(db.url, 'items')).toEqual(once);
      await session.close();
    },
  );

  it('keeps nothing of a transaction that does not commit: rolled back, closed, or its connection killed', async () => {
    const db = await fresh(engine, 'apply_crash');
    const target = await connected(db.url);
    const tables = await tablesFrom(engine, SMALL_SQL, [target]);
    const items = relationOf(tables.find((t) => t.name === 'items')!);
    const applier = await target.openApplier!({ stream: 's' });
    cleanup.push(() => applier.close());
    await applier.prepare();

    const first = await applier.openSession();
    await first.begin();
    await first.apply([ins(items, 1n, 'lost', 1n, null)]);
    await first.rollback();
    await first.rollback();
    await first.begin();
    await first.apply([ins(items, 2n, 'lost', 2n, null)]);
    await first.close();
    await first.close();

    if (engine !== 'sqlite') {
      const killed = await applier.openSession();
      await killed.begin();
      await killed.apply([ins(items, 3n, 'lost', 3n, null)]);
      await killOpenTransaction(engine, db);
      await expect(
        killed.commit([position(3)], { items: { inserts: 1, updates: 0, deletes: 0 } }),
      ).rejects.toThrow();
      await killed.rollback();
      await killed.close();
    }
    expect(await rowsOf(db.url, 'items')).toEqual([]);
    expect(await applier.prepare()).toEqual({ appliedAfter: [] });
    expect(await applier.counts()).toEqual({});
    // The applier still works after all that.
    const session = await applier.openSession();
    await transaction(session, 4, [ins(items, 4n, 'kept', 4n, null)]);
    await session.close();
    expect(await rowsOf(db.url, 'items')).toEqual([['4', 'kept', '4', null]]);
  });

  it('records applied transactions, forgets them past the watermark, and counts the changes', async () => {
    const db = await fresh(engine, 'apply_sync');
    const target = await connected(db.url);
    const tables = await tablesFrom(engine, SMALL_SQL, [target]);
    const items = relationOf(tables.find((t) => t.name === 'items')!);
    const bag = relationOf(tables.find((t) => t.name === 'bag')!);
    const applier = await target.openApplier!({ stream: 'one' });
    const other = await target.openApplier!({ stream: 'two' });
    cleanup.push(
      () => applier.close(),
      () => other.close(),
    );
    expect(await applier.counts()).toEqual({});
    expect(await applier.prepare()).toEqual({ appliedAfter: [] });
    expect(await other.prepare()).toEqual({ appliedAfter: [] });
    const session = await applier.openSession();
    await transaction(session, 1, [ins(items, 1n, 'a', 1n, null), ins(bag, 1n, 'x')]);
    await transaction(session, 2, [upd(items, [1n], 1n, 'b', 2n, null), ins(items, 2n, 'c', 2n, null)]);
    await transaction(session, 3, [del(items, 1n), del(bag, 1n, 'x')]);
    await transaction(session, 4, [ins(items, 5n, 'e', 5n, null)]);
    await session.close();
    // A second stream's records on the same target are its own.
    const otherSession = await other.openSession();
    // Its session likely reuses the first one's connection: statements prepared there must not collide.
    await transaction(otherSession, 2, [del(items, 77n), ins(items, 9n, 'z', 9n, null)]);
    await otherSession.close();

    expect(await applier.prepare()).toEqual({ appliedAfter: [1, 2, 3, 4].map((n) => position(n).key) });
    await applier.advanceWatermark(position(2));
    expect(await applier.prepare()).toEqual({
      watermark: position(2),
      appliedAfter: [position(3).key, position(4).key],
    });
    // The watermark never moves back.
    await applier.advanceWatermark(position(1));
    expect((await applier.prepare()).watermark).toEqual(position(2));
    await applier.advanceWatermark(position(4));
    expect(await applier.prepare()).toEqual({ watermark: position(4), appliedAfter: [] });
    expect(await other.prepare()).toEqual({ appliedAfter: [position(2).key] });
    expect(await applier.counts()).toEqual({
      items: { inserts: 3, updates: 1, deletes: 1 },
      bag: { inserts: 1, updates: 0, deletes: 1 },
    });
    expect(await other.counts()).toEqual({ items: { inserts: 1, updates: 0, deletes: 1 } });

    await applier.forget();
    expect(await applier.counts()).toEqual({});
    expect(await other.counts()).toEqual({ items: { inserts: 1, updates: 0, deletes: 1 } });
    await other.forget();
    // No stream left: the sync tables are gone, and introspection never showed them.
    const { tables: left } = await target.introspect();
    expect(left.map((t) => t.name).sort()).toEqual(['bag', 'codes', 'items', 'order_lines', 'pairs']);
    expect(await applier.prepare()).toEqual({ appliedAfter: [] });
    expect((await target.introspect()).tables.map((t) => t.name).sort()).toEqual([
      'bag',
      'codes',
      'items',
      'order_lines',
      'pairs',
    ]);
  });

  it('commits several source transactions as one, recording each position, and refuses the whole group when one is recorded already', async () => {
    const db = await fresh(engine, 'apply_group');
    const target = await connected(db.url);
    const tables = await tablesFrom(engine, SMALL_SQL, [target]);
    const items = relationOf(tables.find((t) => t.name === 'items')!);
    const applier = await target.openApplier!({ stream: 's' });
    cleanup.push(() => applier.close());
    await applier.prepare();
    const session = await applier.openSession();
    await session.begin();
    await session.apply([ins(items, 1n, 'a', 1n, null), upd(items, [1n], 1n, 'b', 2n, null)]);
    await session.commit([position(1), position(2), position(3)], {
      items: { inserts: 1, updates: 1, deletes: 0 },
    });
    expect(await applier.prepare()).toEqual({ appliedAfter: [1, 2, 3].map((n) => position(n).key) });

    await session.begin();
    await session.apply([ins(items, 7n, 'lost', 7n, null)]);
    await expect(
      session.commit([position(4), position(2)], { items: { inserts: 1, updates: 0, deletes: 0 } }),
    ).rejects.toMatchObject({ code: 'SYNC_ALREADY_APPLIED' });
    await session.rollback();
    await expect(session.commit([], {})).rejects.toThrow();
    await session.close();
    expect(await rowsOf(db.url, 'items')).toEqual([['1', 'b', '2', null]]);
    expect(await applier.prepare()).toEqual({ appliedAfter: [1, 2, 3].map((n) => position(n).key) });
    expect(await applier.counts()).toEqual({ items: { inserts: 1, updates: 1, deletes: 0 } });
  });

  // SQLite has one writer: its applier lends one session at a time (tested below instead).
  if (engine !== 'sqlite')
    it('applies independent transactions in two sessions at once', async () => {
      const db = await fresh(engine, 'apply_two');
      const target = await connected(db.url);
      const tables = await tablesFrom(engine, SMALL_SQL, [target]);
      const items = relationOf(tables.find((t) => t.name === 'items')!);
      const applier = await target.openApplier!({ stream: 's' });
      cleanup.push(() => applier.close());
      expect(applier.maxSessions).toBeGreaterThan(1);
      await applier.prepare();
      const [a, b] = await Promise.all([applier.openSession(), applier.openSession()]);
      await a.begin();
      await b.begin();
      await a.apply(Array.from({ length: 50 }, (_, i) => ins(items, BigInt(i), `a${i}`, 1n, null)));
      await b.apply(Array.from({ length: 50 }, (_, i) => ins(items, BigInt(100 + i), `b${i}`, 2n, null)));
      // Both transactions are open at once; they commit out of order.
      await Promise.all([
        b.commit([position(2)], { items: { inserts: 50, updates: 0, deletes: 0 } }),
        a.commit([position(1)], { items: { inserts: 50, updates: 0, deletes: 0 } }),
      ]);
      await Promise.all([a.close(), b.close()]);
      expect((await rowsOf(db.url, 'items')).length).toBe(100);
      expect(await applier.prepare()).toEqual({ appliedAfter: [position(1).key, position(2).key] });
      expect(await applier.counts()).toEqual({ items: { inserts: 100, updates: 0, deletes: 0 } });
    });

  if (engine === 'sqlite')
    it('lends one session at a time on SQLite, whose file has one writer', async () => {
      const db = await fresh(engine, 'apply_one');
      const target = await connected(db.url);
      await tablesFrom(engine, SMALL_SQL, [target]);
      const applier = await target.openApplier!({ stream: 's' });
      cleanup.push(() => applier.close());
      expect(applier.maxSessions).toBe(1);
      await applier.prepare();
      const first = await applier.openSession();
      await expect(applier.openSession()).rejects.toMatchObject({ code: 'SQLITE_ONE_SESSION' });
      await first.close();
    });

  if (engine === 'postgres')
    it('says how to grant session_replication_role when the target user lacks it, then applies once granted', async () => {
      const db = await fresh(engine, 'apply_role');
      const owner = await connected(db.url);
      await tablesFrom(engine, SMALL_SQL, [owner]);
      const role = `ferry_apply_${db.name.slice(-8)}`;
      await pgQuery(db.name, `CREATE ROLE ${role} LOGIN`);
      try {
        await pgQuery(
          db.name,
          `GRANT ALL ON SCHEMA public TO ${role}; GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}`,
        );
        const target = await createConnector(`${PG_BASE.replace('postgres@', `${role}@`)}/${db.name}`);
        await target.connect();
        try {
          const applier = await target.openApplier!({ stream: 's' });
          await expect(applier.openSession()).rejects.toMatchObject({
            code: 'PG_REPLICA_ROLE_REFUSED',
            message: expect.stringContaining('GRANT SET ON PARAMETER session_replication_role TO'),
          });
          await pgQuery(db.name, `GRANT SET ON PARAMETER session_replication_role TO ${role}`);
          const session = await applier.openSession();
          await session.close();
          await applier.close();
        } finally {
          await target.close();
        }
      } finally {
        await pgQuery(db.name, `DROP OWNED BY ${role}`);
        await pgQuery('postgres', `DROP ROLE ${role}`);
      }
    });

  it('applies a child row before its parent (foreign keys are not checked in the session)', async () => {
    const db = await fresh(engine, 'apply_fk');
    const target = await connected(db.url);
    const statements = [
      'CREATE TABLE parent (id integer PRIMARY KEY, name varchar(20))',
      'CREATE TABLE child (id integer PRIMARY KEY, parent_id integer NOT NULL REFERENCES parent (id))',
    ];
    const source = await fresh(engine, 'apply_fk_src');
    for (const sql of statements) await runOn(engine, source, sql);
    const sourceConnector = await connected(source.url);
    const { tables } = await sourceConnector.introspect();
    const request = { sourceDialect: sourceConnector.dialect, tables };
    await target.createSchema(request, 'tables');
    await target.createSchema(request, 'constraints');
    const parent = relationOf(tables.find((t) => t.name === 'parent')!);
    const child = relationOf(tables.find((t) => t.name === 'child')!);
    const applier = await target.openApplier!({ stream: 's' });
    cleanup.push(() => applier.close());
    await applier.prepare();
    const session = await applier.openSession();
    await transaction(session, 1, [ins(child, 1n, 7n)]);
    await transaction(session, 2, [ins(parent, 7n, 'late')]);
    await session.close();
    expect(await rowsOf(db.url, 'child')).toEqual([['1', '7']]);
  });
});
