/**
 * The PostgreSQL change stream against the real server: a sync snapshot that meets the stream
 * exactly, every torture type decoded as the reader decodes it, keys, TOAST, big transactions,
 * positions and acknowledgements, new tables and columns, dropping, and the sync preflight.
 * Every slot a test creates is dropped after it, even on failure (max_replication_slots is shared).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RowChange, StreamItem, TransactionPart } from '../../../src/cdc/change.js';
import { UNCHANGED } from '../../../src/cdc/change.js';
import type { ChangeStream } from '../../../src/cdc/change-stream.js';
import type { Connector } from '../../../src/connectors/connector.js';
import { createPostgresConnector } from '../../../src/connectors/postgres/index.js';
import { lsnKey, parseLsn } from '../../../src/connectors/postgres/lsn.js';
import { parseConnectionUrl } from '../../../src/connectors/url.js';
import { DatabaseError } from '../../../src/errors.js';
import type { Table } from '../../../src/schema/table.js';
import type { Row } from '../../../src/values/canonical.js';
import { freshPostgres, PG_BASE, pgQuery, type TestDatabase } from '../../helpers/servers.js';

const lsnKeyOf = (text: string) => lsnKey(parseLsn(text));

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

/** Buffers as tagged hex text: deep equality of a 3 MB Buffer element by element takes seconds. */
function comparable(rows: Row[]): unknown[][] {
  return rows.map((row) =>
    row.map((value) => (Buffer.isBuffer(value) ? `bytes:${value.toString('hex')}` : value)),
  );
}

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
    const schema: StreamItem[] = [];
    const inserts = (await pull.transaction(schema)).flatMap((part) => part.changes);
    // Every column's type as the stream describes it is the introspected one: no definition change.
    expect(schema).toEqual([]);
    let compared = 0;
    for (const table of tables) {
      const expected = await readWhere(connector, table, 'id >= 1000');
      const got = inserts
        .filter((change) => change.kind === 'insert' && change.relation.name === table.name)
        .map((change) => (change as { row: Row }).row);
      expect(comparable(got), table.name).toEqual(comparable(expected));
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
          else
            expect(comparable([[value]]), `${table.name}.${table.columns[column]?.name}`).toEqual(
              comparable([[row[column] ?? null]]),
            );
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

  it('keys rows by the whole old row (REPLICA IDENTITY FULL) or the replica identity index', async () => {
    await pgQuery(
      db.name,
      `CREATE TABLE whole (a int, b text); ALTER TABLE whole REPLICA IDENTITY FULL;
       CREATE TABLE coded (id int PRIMARY KEY, code text NOT NULL, v text);
       CREATE UNIQUE INDEX coded_code ON coded (code); ALTER TABLE coded REPLICA IDENTITY USING INDEX coded_code;
       INSERT INTO whole VALUES (1, 'x'); INSERT INTO coded VALUES (1, 'c1', 'v')`,
    );
    const connector = await connect();
    const tables = await tablesOf(connector, ['whole', 'coded']);
    const name = streamName();
    const snapshot = await connector.openSnapshot({ changeStream: { name, tables: ['whole', 'coded'] } });
    await connector.releaseSnapshot();
    const { pull } = await open(connector, name, tables, snapshot.position!);
    await pgQuery(
      db.name,
      `BEGIN; UPDATE whole SET b = 'y'; DELETE FROM whole; UPDATE coded SET code = 'c2', v = 'w'; DELETE FROM coded; COMMIT`,
    );
    const changes = await pull.changes();
    expect(changes).toMatchObject([
      { kind: 'update', relation: { name: 'whole', key: ['a', 'b'] }, key: [1n, 'x'], row: [1n, 'y'] },
      { kind: 'delete', key: [1n, 'y'] },
      { kind: 'update', relation: { name: 'coded', key: ['code'] }, key: ['c1'], row: [1n, 'c2', 'w'] },
      { kind: 'delete', key: ['c2'] },
    ]);
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
    // A consumer that is late: messages queue up (to the high-water mark) before the first is read.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const parts = await pull.transaction();
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.filter((part) => part.commit)).toHaveLength(1);
    expect(parts.map((part) => part.first)).toEqual(parts.map((_, i) => i === 0));
    expect(new Set(parts.map((part) => part.id)).size).toBe(1);
    for (const part of parts) expect(part.bytes).toBeLessThanOrEqual(maxPartBytes + 1000);
    const ids = parts.flatMap((part) => part.changes.map((change) => (change as { row: Row }).row[0]));
    expect(ids).toHaveLength(100_000);
    expect(ids).toEqual(Array.from({ length: 100_000 }, (_, i) => BigInt(i + 1)));
    const pads = parts.flatMap((part) => part.changes.map((change) => (change as { row: Row }).row[1]));
    expect(pads.every((pad) => pad === 'x'.repeat(100))).toBe(true);
  });
});

/** Keeps committing one-row transactions on its own connection until stopped. */
function startWriter(database: string, table: string) {
  let stop = false;
  let count = 0;
  const done = (async () => {
    const client = new pg.Client({ connectionString: `${PG_BASE}/${database}` });
    await client.connect();
    try {
      while (!stop) {
        count++;
        await client.query(`INSERT INTO ${table} VALUES ($1, 'w')`, [count]);
        // Some rows change again in a later transaction: an update must also be in one place only.
        if (count % 3 === 0) await client.query(`UPDATE ${table} SET v = 'u' WHERE id = $1`, [count - 1]);
      }
    } finally {
      await client.end();
    }
    return count;
  })();
  return {
    get count() {
      return count;
    },
    stop: () => {
      stop = true;
      return done;
    },
  };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('PostgreSQL change stream: positions', () => {
  it('meets the sync snapshot exactly: each concurrent write is in the snapshot or the stream, once', async () => {
    await pgQuery(db.name, 'CREATE TABLE busy (id int PRIMARY KEY, v text)');
    const connector = await connect();
    const table = await tableOf(connector, 'busy');
    const name = streamName();
    const writer = startWriter(db.name, 'busy');
    await until(() => writer.count > 100, 'the writer to start');
    const snapshot = await connector.openSnapshot({ changeStream: { name, tables: ['busy'] }, readers: 2 });
    const atSnapshot = writer.count;
    await until(() => writer.count > atSnapshot + 200, 'writes after the snapshot');
    const total = await writer.stop();
    const read = await readAll(connector, table);
    await connector.releaseSnapshot();
    expect(read.length).toBeGreaterThan(50);
    expect(read.length).toBeLessThan(total);

    // What the target would hold: the snapshot's rows, then the stream's changes applied on top.
    const rows = new Map<bigint, string>(read.map((row) => [row[0] as bigint, row[1] as string]));
    const { pull } = await open(connector, name, [table], snapshot.position!);
    let streamed = 0;
    while (
      rows.size < total ||
      streamed === 0 ||
      [...rows.values()].filter((v) => v === 'u').length < Math.floor(total / 3)
    ) {
      for (const change of await pull.changes()) {
        streamed++;
        if (change.kind === 'insert') {
          const id = change.row[0] as bigint;
          // A row both in the snapshot and inserted by the stream would be there twice.
          expect(rows.has(id), `row ${id} in the snapshot and in the stream`).toBe(false);
          rows.set(id, change.row[1] as string);
        } else if (change.kind === 'update') {
          const id = change.key[0] as bigint;
          expect(rows.has(id), `update of row ${id} that is neither in the snapshot nor streamed`).toBe(true);
          expect(rows.get(id), `row ${id} updated twice`).toBe('w');
          rows.set(id, change.row[1] as string);
        }
      }
    }
    expect(rows.size).toBe(total);
    const source = await pgQuery<{ id: number; v: string }>(db.name, 'SELECT id, v FROM busy ORDER BY id');
    expect([...rows.entries()].sort((a, b) => Number(a[0] - b[0]))).toEqual(
      source.map((row) => [BigInt(row.id), row.v]),
    );
  });

  it('reopens from a commit position with exactly the transactions after it; acknowledging confirms the slot', async () => {
    await pgQuery(db.name, 'CREATE TABLE steps (id int PRIMARY KEY)');
    const connector = await connect();
    const table = await tableOf(connector, 'steps');
    const name = streamName();
    const snapshot = await connector.openSnapshot({ changeStream: { name, tables: ['steps'] } });
    await connector.releaseSnapshot();
    for (const id of [1, 2, 3, 4]) await pgQuery(db.name, `INSERT INTO steps VALUES (${id})`);

    const first = await open(connector, name, [table], snapshot.position!);
    const commits: TransactionPart[] = [];
    for (let i = 0; i < 4; i++) commits.push(...(await first.pull.transaction()));
    expect(commits.map((part) => (part.changes[0] as { row: Row }).row)).toEqual([[1n], [2n], [3n], [4n]]);
    const keys = commits.map((part) => part.commit!.position.key);
    expect([...keys].sort()).toEqual(keys);
    await first.stream.close();
    await first.stream.close();

    const second = await open(connector, name, [table], commits[1]!.commit!.position.fields);
    const again = [...(await second.pull.transaction()), ...(await second.pull.transaction())];
    expect(again.map((part) => (part.changes[0] as { row: Row }).row)).toEqual([[3n], [4n]]);
    expect(again.map((part) => part.commit!.position)).toEqual(
      commits.slice(2).map((part) => part.commit!.position),
    );

    const slotFlush = async () =>
      (
        await pgQuery<{ lsn: string }>(
          db.name,
          'SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1',
          [`ferry_${name}`],
        )
      )[0]!.lsn;
    const target = commits[3]!.commit!.position;
    expect(lsnKeyOf(await slotFlush()) < target.key).toBe(true);
    second.stream.acknowledge(target);
    await until(async () => lsnKeyOf(await slotFlush()) >= target.key, 'confirmed_flush_lsn to move');
    const backlog = await second.stream.backlog();
    expect(backlog.head.key >= target.key).toBe(true);
    expect(backlog.retainedBytes).toBeGreaterThanOrEqual(0);
  });

  it('closes promptly in the middle of a big transaction, letting go of the slot', async () => {
    await pgQuery(db.name, 'CREATE TABLE heap (id int PRIMARY KEY, pad text)');
    const connector = await connect();
    const table = await tableOf(connector, 'heap');
    const name = streamName();
    const snapshot = await connector.openSnapshot({ changeStream: { name, tables: ['heap'] } });
    await connector.releaseSnapshot();
    const stream = await connector.openChangeStream!({
      name,
      tables: [table],
      from: snapshot.position!,
      maxPartBytes: 256 << 10,
    });
    streams.push(stream);
    const pull = new Pull(stream);
    await pgQuery(db.name, "INSERT INTO heap SELECT g, repeat('y', 200) FROM generate_series(1, 100000) g");
    let item = await pull.next();
    while (item.type !== 'transaction') item = await pull.next();
    expect(item.part.commit).toBeUndefined();
    // The consumer stops reading: the socket is paused with most of the transaction unread.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    await stream.close();
    await stream.close();
    expect(Date.now() - started).toBeLessThan(4000);
    await until(async () => {
      const [slot] = await pgQuery<{ active: boolean }>(
        db.name,
        'SELECT active FROM pg_replication_slots WHERE slot_name = $1',
        [`ferry_${name}`],
      );
      return slot?.active === false;
    }, 'the slot to be released');
  });

  it('gives progress items on an idle stream', async () => {
    await pgQuery(db.name, 'CREATE TABLE quiet (id int PRIMARY KEY)');
    const connector = await connect();
    const table = await tableOf(connector, 'quiet');
    const name = streamName();
    const snapshot = await connector.openSnapshot({ changeStream: { name, tables: ['quiet'] } });
    await connector.releaseSnapshot();
    const stream = await connector.openChangeStream!({
      name,
      tables: [table],
      from: snapshot.position!,
      heartbeatSeconds: 1,
    });
    streams.push(stream);
    const pull = new Pull(stream);
    const items = [await pull.next(5000), await pull.next(5000)];
    expect(items.map((item) => item.type)).toEqual(['progress', 'progress']);
    const [a, b] = items as Array<Extract<StreamItem, { type: 'progress' }>>;
    expect(a!.position.key >= lsnKeyOf(snapshot.position!.lsn!)).toBe(true);
    expect(b!.position.key >= a!.position.key).toBe(true);
    expect(a!.time).toMatch(/Z$/);
  });

  it('takes a resumed snapshot from the existing slot at its confirmed position', async () => {
    await pgQuery(db.name, 'CREATE TABLE again (id int PRIMARY KEY)');
    const connector = await connect();
    const name = streamName();
    const first = await connector.openSnapshot({ changeStream: { name, tables: ['again'] } });
    await connector.releaseSnapshot();
    await pgQuery(db.name, 'INSERT INTO again VALUES (1)');
    const second = await connector.openSnapshot({ changeStream: { name, tables: ['again'] } });
    // The data is newer than the position: the engine replays the stream from there.
    expect(second.position).toEqual(first.position);
    expect(await readAll(connector, await tableOf(connector, 'again'))).toEqual([[1n]]);
    await connector.releaseSnapshot();
  });
});

describe('PostgreSQL change stream: tables and definitions', () => {
  it('brings a table added with addTables, and announces a new nullable column', async () => {
    await pgQuery(db.name, 'CREATE TABLE first_t (id int PRIMARY KEY, v text)');
    const connector = await connect();
    const first = await tableOf(connector, 'first_t');
    const name = streamName();
    const snapshot = await connector.openSnapshot({ changeStream: { name, tables: ['first_t'] } });
    await connector.releaseSnapshot();
    const { stream, pull } = await open(connector, name, [first], snapshot.position!);

    await pgQuery(db.name, 'CREATE TABLE later_t (id int PRIMARY KEY, n numeric)');
    const later = await tableOf(connector, 'later_t');
    await stream.addTables([later]);
    await pgQuery(db.name, "INSERT INTO later_t VALUES (1, 1.50); INSERT INTO first_t VALUES (1, 'x')");
    const changes = await pull.changes();
    expect(changes).toMatchObject([
      { kind: 'insert', relation: { name: 'later_t' }, row: [1n, '1.50'] },
      { kind: 'insert', relation: { name: 'first_t' }, row: [1n, 'x'] },
    ]);

    await pgQuery(
      db.name,
      "ALTER TABLE first_t ADD COLUMN note text; INSERT INTO first_t VALUES (2, 'y', 'z')",
    );
    const schema: StreamItem[] = [];
    const parts = await pull.transaction(schema);
    expect(schema).toHaveLength(1);
    const item = schema[0] as Extract<StreamItem, { type: 'schema' }>;
    expect(item.before?.columns.map((column) => column.name)).toEqual(['id', 'v']);
    expect(item.after.columns.map((column) => column.name)).toEqual(['id', 'v', 'note']);
    expect(item.after.columns[2]).toMatchObject({ type: { kind: 'text' }, nullable: true });
    expect(parts[0]!.changes).toMatchObject([{ kind: 'insert', relation: item.after, row: [2n, 'y', 'z'] }]);
    expect((parts[0]!.changes[0] as { relation: unknown }).relation).toBe(item.after);
  });

  it('announces a column type changed between introspection and the stream', async () => {
    await pgQuery(db.name, 'CREATE TABLE retyped (id int PRIMARY KEY, n int)');
    const connector = await connect();
    const table = await tableOf(connector, 'retyped');
    const name = streamName();
    const snapshot = await connector.openSnapshot({ changeStream: { name, tables: ['retyped'] } });
    await connector.releaseSnapshot();
    const { pull } = await open(connector, name, [table], snapshot.position!);
    await pgQuery(
      db.name,
      'ALTER TABLE retyped ALTER COLUMN n TYPE numeric(12,3); INSERT INTO retyped VALUES (1, 2.5)',
    );
    const schema: StreamItem[] = [];
    const parts = await pull.transaction(schema);
    expect(schema).toHaveLength(1);
    const item = schema[0] as Extract<StreamItem, { type: 'schema' }>;
    expect(item.before?.columns[1]?.nativeType).toBe('integer');
    expect(item.after.columns[1]).toMatchObject({ nativeType: 'numeric(12,3)', type: { kind: 'decimal' } });
    expect(parts[0]!.changes).toMatchObject([{ kind: 'insert', row: [1n, '2.500'] }]);
  });

  it('refuses to stream a table its publication does not hold, naming it', async () => {
    await pgQuery(db.name, 'CREATE TABLE held (id int PRIMARY KEY); CREATE TABLE stray (id int PRIMARY KEY)');
    const connector = await connect();
    const name = streamName();
    const snapshot = await connector.openSnapshot({ changeStream: { name, tables: ['held'] } });
    await connector.releaseSnapshot();
    const tables = await tablesOf(connector, ['held', 'stray']);
    await expect(connector.openChangeStream!({ name, tables, from: snapshot.position! })).rejects.toThrow(
      /does not hold table\(s\) "stray"/,
    );
  });

  it('dropChangeStream removes slot and publication, ending an open stream, and is safe twice', async () => {
    await pgQuery(db.name, 'CREATE TABLE doomed (id int PRIMARY KEY)');
    const connector = await connect();
    const table = await tableOf(connector, 'doomed');
    const name = streamName();
    const snapshot = await connector.openSnapshot({ changeStream: { name, tables: ['doomed'] } });
    await connector.releaseSnapshot();
    const { pull } = await open(connector, name, [table], snapshot.position!);
    // Progress items come until the walsender is ended under the stream.
    const failure = (async () => {
      for (;;) await pull.next(30_000);
    })().catch((error: unknown) => error);
    await connector.dropChangeStream!(name);
    const error = await failure;
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toMatch(/stopped: terminating connection/);
    expect(connector.isTransient(error)).toBe(true);
    const left = await pgQuery(
      db.name,
      `SELECT (SELECT count(*)::int FROM pg_replication_slots WHERE slot_name = $1) AS slots,
              (SELECT count(*)::int FROM pg_publication WHERE pubname = $1) AS publications`,
      [`ferry_${name}`],
    );
    expect(left).toEqual([{ slots: 0, publications: 0 }]);
    await connector.dropChangeStream!(name);
  });
});

describe('PostgreSQL change stream: preflight', () => {
  it('names a table without a row identity, and passes a proper one', async () => {
    await pgQuery(
      db.name,
      `CREATE TABLE keyless (a int, b text);
       CREATE TABLE keyed (id int PRIMARY KEY);
       CREATE TABLE full_t (a int); ALTER TABLE full_t REPLICA IDENTITY FULL`,
    );
    const connector = await connect();
    const request = { role: 'source' as const, snapshot: true, mode: 'sync' as const };
    expect(await connector.checkAccess!({ ...request, tables: ['keyed', 'full_t'] })).toEqual([]);
    const problems = await connector.checkAccess!({ ...request, tables: ['keyed', 'keyless'] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ level: 'error', subject: 'keyless', need: 'REPLICA IDENTITY' });
    expect(problems[0]!.message).toContain('"public"."keyless"');
    expect(problems[0]!.fix).toContain('ALTER TABLE "public"."keyless" REPLICA IDENTITY FULL');
    // Snapshot mode does not need any of it.
    expect(await connector.checkAccess!({ ...request, mode: 'snapshot', tables: ['keyless'] })).toEqual([]);
  });
});
