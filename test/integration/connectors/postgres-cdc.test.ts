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
