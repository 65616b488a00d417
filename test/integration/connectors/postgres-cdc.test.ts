/**
 * The PostgreSQL change stream against the real server: a sync snapshot that meets the stream
 * exactly, every torture type decoded as the reader decodes it, keys, TOAST, big transactions,
 * positions and acknowledgements, new tables and columns, dropping, and the sync preflight.
 * Every slot a test creates is dropped after it, even on failure (max_replication_slots is shared).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RowChange, StreamItem, TransactionPart } from '../../../src/cdc/change.js';
import { UNCHANGED } from '../../../src/cdc/change.js';
import type { ChangeStream } from '../../../src/cdc/change-stream.js';
import type { Connector } from '../../../src/connectors/connector.js';
import { createPostgresConnector } from '../../../src/connectors/postgres/index.js';
import { parseConnectionUrl } from '../../../src/connectors/url.js';
import type { Table } from '../../../src/schema/table.js';
import type { Row } from '../../../src/values/canonical.js';
import { freshPostgres, pgQuery, type TestDatabase } from '../../helpers/servers.js';

let db: TestDatabase;
const opened: Connector[] = [];
const streams: ChangeStream[] = [];
const names: string[] = [];

async function connect(): Promise<Connector> {
  const connector = createPostgresConnector(parseConnectionUrl(db.url));
  await connector.connect();
  opened.push(connector);
  return connector;
}

/** A stream name of this test's own (slot names are cluster-wide), dropped after the test. */
function streamName(): string {
  const name = `t${randomBytes(5).toString('hex')}`;
  names.push(name);
  return name;
}

async function tablesOf(connector: Connector, names?: string[]): Promise<Table[]> {
  return (await connector.introspect(names ? { tables: names } : undefined)).tables;
}

async function tableOf(connector: Connector, name: string): Promise<Table> {
  const table = (await tablesOf(connector, [name]))[0];
  if (!table) throw new Error(`table ${name} not introspected`);
  return table;
}

async function readAll(connector: Connector, table: Table): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of connector.read(table, { batchRows: 1000, batchBytes: 1 << 24 }))
    rows.push(...batch.rows);
  return rows;
}

/** Pulls items from a stream one at a time, each within a deadline. */
class Pull {
  private readonly iterator: AsyncIterator<StreamItem>;
  constructor(stream: ChangeStream) {
    this.iterator = stream[Symbol.asyncIterator]();
  }

  async next(timeoutMs = 30_000): Promise<StreamItem> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no stream item within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const result = await Promise.race([this.iterator.next(), timeout]);
      if (result.done) throw new Error('the stream ended');
      return result.value;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The parts of the next transaction (progress skipped; schema items into `schema`). */
  async transaction(schema: StreamItem[] = []): Promise<TransactionPart[]> {
    const parts: TransactionPart[] = [];
    for (;;) {
      const item = await this.next();
      if (item.type === 'progress') continue;
      if (item.type === 'schema') {
        schema.push(item);
        continue;
      }
      parts.push(item.part);
      if (item.part.commit) return parts;
    }
  }

  /** The changes of the next transaction, all parts together. */
  async changes(): Promise<RowChange[]> {
    return (await this.transaction()).flatMap((part) => part.changes);
  }
}

async function open(connector: Connector, name: string, tables: Table[], from: Record<string, string>) {
  const stream = await connector.openChangeStream!({ name, tables, from });
  streams.push(stream);
  return { stream, pull: new Pull(stream) };
}

beforeAll(async () => {
  db = await freshPostgres('pgcdc');
});

afterEach(async () => {
  for (const stream of streams.splice(0)) await stream.close();
  const cleaner = await connect();
  for (const name of names.splice(0)) await cleaner.dropChangeStream!(name);
  for (const connector of opened.splice(0)) await connector.close();
});

afterAll(async () => {
  await db?.drop();
});

describe('PostgreSQL change stream: basics', () => {
  it('streams inserts, updates and deletes committed after the sync snapshot', async () => {
    await pgQuery(
      db.name,
      'CREATE TABLE basic (id int PRIMARY KEY, v text); INSERT INTO basic VALUES (1, $$a$$)',
    );
    const connector = await connect();
    const table = await tableOf(connector, 'basic');
    const name = streamName();
    const snapshot = await connector.openSnapshot({ changeStream: { name, tables: ['basic'] } });
    await pgQuery(db.name, "INSERT INTO basic VALUES (2, 'b')");
    expect(await readAll(connector, table)).toEqual([[1n, 'a']]);
    await connector.releaseSnapshot();
    await pgQuery(db.name, "UPDATE basic SET v = 'c' WHERE id = 1; DELETE FROM basic WHERE id = 2");

    const { pull } = await open(connector, name, [table], snapshot.position!);
    const first = await pull.transaction();
    expect(first).toHaveLength(1);
    expect(first[0]!.first).toBe(true);
    expect(first[0]!.changes).toMatchObject([{ kind: 'insert', row: [2n, 'b'] }]);
    expect(first[0]!.commit?.position.key).toMatch(/^[0-9A-F]{8}\/[0-9A-F]{8}$/);
    expect(first[0]!.commit?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const second = await pull.changes();
    expect(second).toMatchObject([
      { kind: 'update', key: [1n], row: [1n, 'c'] },
      { kind: 'delete', key: [2n] },
    ]);
    expect((second[0] as { relation: { key: string[] } }).relation.key).toEqual(['id']);
  });
});

/** Quoted column list of a table's columns other than `id`. */
function otherColumns(table: Table): string[] {
  return table.columns.filter((column) => column.name !== 'id').map((column) => `"${column.name}"`);
}

async function readWhere(connector: Connector, table: Table, where: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of connector.read(table, { batchRows: 1000, batchBytes: 1 << 24, where }))
    rows.push(...batch.rows);
  return rows;
}

describe('PostgreSQL change stream: values', () => {
  it('gives every torture column, inserted, updated and deleted, exactly as the reader reads it', async () => {
    await pgQuery(db.name, readFileSync('test/fixtures/postgres/torture.sql', 'utf8'));
    const connector = await connect();
    const tables = (await tablesOf(connector)).filter((table) => table.name.startsWith('t_'));
    expect(tables.length).toBeGreaterThanOrEqual(18);
    const name = streamName();
    const snapshot = await connector.openSnapshot({
      changeStream: { name, tables: tables.map((table) => table.name) },
    });
    await connector.releaseSnapshot();
    const { pull } = await open(connector, name, tables, snapshot.position!);

    // Inserts: a copy of every fixture row under id + 1000, in one transaction.
    const copies = tables.map((table) => {
      const columns = otherColumns(table);
      return `INSERT INTO "${table.name}" (id, ${columns.join(', ')}) SELECT id + 1000, ${columns.join(', ')} FROM "${table.name}"`;
    });
    await pgQuery(db.name, `BEGIN; ${copies.join('; ')}; COMMIT`);
    const inserts = await pull.changes();
    let compared = 0;
    for (const table of tables) {
      const expected = await readWhere(connector, table, 'id >= 1000');
      const got = inserts
        .filter((change) => change.kind === 'insert' && change.relation.name === table.name)
        .map((change) => (change as { row: Row }).row);
      expect(got, table.name).toEqual(expected);
      compared += expected.length;
    }
    expect(compared).toBeGreaterThan(100);

    // Updates that change the key: the old key comes with the new row; unsent TOASTed values are UNCHANGED.
    await pgQuery(
      db.name,
      `BEGIN; ${tables.map((table) => `UPDATE "${table.name}" SET id = id + 1000 WHERE id >= 1000`).join('; ')}; COMMIT`,
    );
    const updates = await pull.changes();
    let unchanged = 0;
    for (const table of tables) {
      const expected = await readWhere(connector, table, 'id >= 2000');
      const got = updates.filter((change) => change.kind === 'update' && change.relation.name === table.name);
      expect(got.length, table.name).toBe(expected.length);
      got.forEach((change, i) => {
        if (change.kind !== 'update') return;
        const row = expected[i]!;
        expect(change.key, table.name).toEqual([(row[0] as bigint) - 1000n]);
        change.row.forEach((value, column) => {
          if (value === UNCHANGED) unchanged++;
          else expect(value, `${table.name}.${table.columns[column]?.name}`).toEqual(row[column]);
        });
      });
    }
    // t_text's 3.6 MB text and t_binary's 3 MB bytea live in TOAST and did not change.
    expect(unchanged).toBeGreaterThanOrEqual(2);

    // Deletes: the key only.
    await pgQuery(
      db.name,
      `BEGIN; ${tables.map((table) => `DELETE FROM "${table.name}" WHERE id >= 2000`).join('; ')}; COMMIT`,
    );
    const deletes = await pull.changes();
    for (const table of tables) {
      const ids = (await readAll(connector, table)).map((row) => [(row[0] as bigint) + 2000n]);
      const got = deletes.filter((change) => change.kind === 'delete' && change.relation.name === table.name);
      expect(
        got.map((change) => (change as { key: Row }).key),
        table.name,
      ).toEqual(ids);
    }
  });

  it('gives a key change, a delete, a TRUNCATE, and an unchanged TOASTed value as UNCHANGED', async () => {
    await pgQuery(
      db.name,
      `CREATE TABLE docs (id int PRIMARY KEY, title text, body text);
       CREATE TABLE tags (id int PRIMARY KEY, label text);
       ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;
       INSERT INTO docs VALUES (1, 'one', (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 1000) g));
       INSERT INTO tags VALUES (1, 'a'), (2, 'b')`,
    );
    const connector = await connect();
    const tables = await tablesOf(connector, ['docs', 'tags']);
    const name = streamName();
    const snapshot = await connector.openSnapshot({ changeStream: { name, tables: ['docs', 'tags'] } });
    await connector.releaseSnapshot();
    const { pull } = await open(connector, name, tables, snapshot.position!);

    await pgQuery(db.name, "UPDATE docs SET title = 'uno' WHERE id = 1");
    const [toast] = await pull.changes();
    expect(toast).toMatchObject({ kind: 'update', key: [1n], row: [1n, 'uno', UNCHANGED] });

    await pgQuery(db.name, 'UPDATE docs SET id = 7 WHERE id = 1');
    const [moved] = await pull.changes();
    expect(moved).toMatchObject({ kind: 'update', key: [1n], row: [7n, 'uno', UNCHANGED] });

    await pgQuery(db.name, 'DELETE FROM docs WHERE id = 7');
    expect(await pull.changes()).toMatchObject([{ kind: 'delete', key: [7n] }]);

    await pgQuery(db.name, 'TRUNCATE tags, docs');
    const [truncate] = await pull.changes();
    expect(truncate?.kind).toBe('truncate');
    expect(
      truncate?.kind === 'truncate' && truncate.relations.map((relation) => relation.name).sort(),
    ).toEqual(['docs', 'tags']);
  });

  it('cuts a 100 000-row transaction into bounded parts with one commit', async () => {
    await pgQuery(db.name, 'CREATE TABLE bulk (id int PRIMARY KEY, pad text)');
    const connector = await connect();
    const table = await tableOf(connector, 'bulk');
    const name = streamName();
    const snapshot = await connector.openSnapshot({ changeStream: { name, tables: ['bulk'] } });
    await connector.releaseSnapshot();
    const maxPartBytes = 1 << 20;
    const stream = await connector.openChangeStream!({
      name,
      tables: [table],
      from: snapshot.position!,
      maxPartBytes,
    });
    streams.push(stream);
    const pull = new Pull(stream);
    await pgQuery(db.name, "INSERT INTO bulk SELECT g, repeat('x', 100) FROM generate_series(1, 100000) g");
    const parts = await pull.transaction();
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.filter((part) => part.commit)).toHaveLength(1);
    expect(parts.map((part) => part.first)).toEqual(parts.map((_, i) => i === 0));
    expect(new Set(parts.map((part) => part.id)).size).toBe(1);
    for (const part of parts) expect(part.bytes).toBeLessThanOrEqual(maxPartBytes + 1000);
    const ids = parts.flatMap((part) => part.changes.map((change) => (change as { row: Row }).row[0]));
    expect(ids).toHaveLength(100_000);
    expect(ids[0]).toBe(1n);
    expect(ids.at(-1)).toBe(100_000n);
  });
});
