/**
 * The MariaDB change stream against the real server (binlog_format=ROW, FULL images and metadata):
 * every torture value arrives exactly as the reader gives it, transactions stay whole and come in
 * bounded parts, TRUNCATE and DDL become truncate changes and schema items, other databases'
 * changes are skipped, and snapshot and commit positions start a stream at exactly the next
 * transaction. The binlog is shared with tests running in parallel: the stream must skip theirs.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { RowChange, StreamItem, TransactionPart } from '../../../src/cdc/change.js';
import type { ChangeStream } from '../../../src/cdc/change-stream.js';
import type { AccessRequest } from '../../../src/connectors/connector.js';
import { createMysqlConnector, type MysqlConnector } from '../../../src/connectors/mysql/index.js';
import { parseConnectionUrl } from '../../../src/connectors/url.js';
import { DatabaseError } from '../../../src/errors.js';
import { copiedColumns, type Table } from '../../../src/schema/table.js';
import type { Row } from '../../../src/values/canonical.js';
import { freshMysql, MYSQL_BASE, mysqlQuery, type TestDatabase } from '../../helpers/servers.js';

const TORTURE = readFileSync(new URL('../../fixtures/mysql/torture.sql', import.meta.url), 'utf8');
const BATCH = { batchRows: 1000, batchBytes: 64 << 20 };
/** Session settings under which the fixture's values (zero dates, UTC timestamps) load. */
const SESSION =
  "SET NAMES utf8mb4; SET SESSION time_zone = '+00:00'; SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION';";

const databases: TestDatabase[] = [];
const connectors: MysqlConnector[] = [];
const streams: ChangeStream[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  await Promise.all(streams.map((stream) => stream.close()));
  await Promise.all(connectors.map((connector) => connector.close()));
  await Promise.all(databases.map((database) => database.drop()));
  for (const cleanup of cleanups) await cleanup();
});

async function connect(
  prefix: string,
  sql?: string,
): Promise<{ connector: MysqlConnector; db: TestDatabase }> {
  const db = await freshMysql(prefix);
  databases.push(db);
  if (sql) await mysqlQuery(db.name, sql);
  const connector = createMysqlConnector(parseConnectionUrl(db.url)) as MysqlConnector;
  connectors.push(connector);
  await connector.connect();
  return { connector, db };
}

async function tablesOf(connector: MysqlConnector, names?: string[]): Promise<Table[]> {
  return (await connector.introspect(names ? { tables: names } : undefined)).tables;
}

/** The binlog position now (a snapshot taken and released at once). */
async function positionNow(connector: MysqlConnector): Promise<Record<string, string>> {
  const snapshot = await connector.openSnapshot();
  await connector.releaseSnapshot();
  return snapshot.position!;
}

/** Items of a stream, read on demand with a deadline. */
class Items {
  private readonly iterator: AsyncIterator<StreamItem>;
  constructor(readonly stream: ChangeStream) {
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

  /** Items up to and including the first for which `last` holds. */
  async until(last: (item: StreamItem) => boolean, timeoutMs = 60_000): Promise<StreamItem[]> {
    const items: StreamItem[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const item = await this.next(Math.max(1, deadline - Date.now()));
      items.push(item);
      if (last(item)) return items;
    }
  }
}

async function open(
  connector: MysqlConnector,
  tables: Table[],
  from: Record<string, string>,
  extra: { maxPartBytes?: number; heartbeatSeconds?: number } = {},
): Promise<Items> {
  const stream = await connector.openChangeStream({
    name: `test-${Math.random().toString(36).slice(2)}`,
    tables,
    from,
    ...extra,
  });
  streams.push(stream);
  return new Items(stream);
}

const parts = (items: StreamItem[]): TransactionPart[] =>
  items.flatMap((item) => (item.type === 'transaction' ? [item.part] : []));
const changes = (items: StreamItem[]): RowChange[] => parts(items).flatMap((part) => part.changes);
const touches = (table: string) => (item: StreamItem) =>
  item.type === 'transaction' &&
  item.part.commit !== undefined &&
  item.part.changes.some((change) =>
    change.kind === 'truncate'
      ? change.relations.some((relation) => relation.name === table)
      : change.relation.name === table,
  );

async function readAll(connector: MysqlConnector, table: Table): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of connector.read(table, BATCH)) rows.push(...batch.rows);
  return rows;
}

/** Large Buffers and strings as their SHA-256 (vitest compares them slowly and prints them whole). */
function comparable(rows: unknown[][]): unknown[][] {
  return rows.map((row) =>
    row.map((value) =>
      (Buffer.isBuffer(value) || typeof value === 'string') && value.length > 4096
        ? { length: value.length, sha256: createHash('sha256').update(value).digest('hex') }
        : value,
    ),
  );
}

const TORTURE_TABLES = [
  't_integers',
  't_decimals',
  't_floats',
  't_text',
  't_nul_text',
  't_binary',
  't_bits',
  't_temporal',
  't_dst',
  't_zero_dates',
  't_time_range',
  't_json',
  't_enum_set',
  't_uuid',
  't_geometry',
];

describe('MariaDB change stream', () => {
  it('gives every torture value inserted, updated (key change) and deleted exactly as the reader reads it', async () => {
    const { connector, db } = await connect('cdc_torture', TORTURE);
    const tables = await tablesOf(connector, TORTURE_TABLES);
    expect(tables.map((table) => table.name).sort()).toEqual([...TORTURE_TABLES].sort());
    const expected = new Map<string, Row[]>();
    for (const table of tables) expected.set(table.name, await readAll(connector, table));
    // The rows leave and come back through the binlog: copies hold them meanwhile.
    await mysqlQuery(
      db.name,
      SESSION +
        TORTURE_TABLES.map(
          (name) =>
            `CREATE TABLE c_${name} LIKE ${name}; INSERT INTO c_${name} SELECT * FROM ${name}; DELETE FROM ${name};`,
        ).join(' '),
    );
    const from = await positionNow(connector);
    const items = await open(connector, tables, from);
    for (const name of TORTURE_TABLES) {
      await mysqlQuery(
        db.name,
        `${SESSION} INSERT INTO ${name} SELECT * FROM c_${name}; UPDATE ${name} SET id = id + 1000; DELETE FROM ${name};`,
      );
    }
    const last = TORTURE_TABLES.at(-1)!;
    const seen = await items.until(
      (item) =>
        item.type === 'transaction' &&
        item.part.changes.some((change) => change.kind === 'delete' && change.relation.name === last),
      90_000,
    );
    const all = changes(seen);
    for (const table of tables) {
      const rows = expected.get(table.name)!;
      expect(rows.length).toBeGreaterThan(0);
      const mine = all.filter((change) => change.kind !== 'truncate' && change.relation.name === table.name);
      const relation = mine[0]!.kind !== 'truncate' ? mine[0]!.relation : undefined;
      expect(relation?.columns).toEqual(copiedColumns(table));
      expect(relation?.key).toEqual(['id']);
      const inserts = mine.flatMap((change) => (change.kind === 'insert' ? [change.row] : []));
      expect(comparable(inserts), table.name).toEqual(comparable(rows));
      const updates = mine.flatMap((change) => (change.kind === 'update' ? [change] : []));
      expect(updates.map((update) => update.key)).toEqual(rows.map((row) => [row[0]]));
      expect(comparable(updates.map((update) => update.row)), table.name).toEqual(
        comparable(rows.map((row) => [(row[0] as bigint) + 1000n, ...row.slice(1)])),
      );
      const deletes = mine.flatMap((change) => (change.kind === 'delete' ? [change.key] : []));
      expect(deletes).toEqual(rows.map((row) => [(row[0] as bigint) + 1000n]));
    }
  });

  it('gives text of other character sets, INET4 and INET6 exactly as the reader reads them', async () => {
    const { connector, db } = await connect(
      'cdc_charsets',
      `CREATE TABLE cs (id INT PRIMARY KEY, w VARCHAR(20) CHARACTER SET cp1251, k CHAR(5) CHARACTER SET koi8r,
        u TEXT CHARACTER SET utf16, i4 INET4, i6 INET6) DEFAULT CHARSET=utf8mb4`,
    );
    const tables = await tablesOf(connector);
    const items = await open(connector, tables, await positionNow(connector));
    await mysqlQuery(
      db.name,
      "INSERT INTO cs VALUES (1, 'Привет ёж', 'Жук', 'ÿ€😀', '10.0.0.255', '2001:db8::ff00:42:8329'), (2, NULL, '', '', '0.0.0.0', '::'), (3, 'a', 'b', 'c', '255.255.255.255', '::ffff:1.2.3.4')",
    );
    const seen = await items.until(touches('cs'));
    const inserts = changes(seen).flatMap((change) => (change.kind === 'insert' ? [change.row] : []));
    expect(inserts).toEqual(await readAll(connector, tables[0]!));
    expect(inserts[0]?.[1]).toBe('Привет ёж');
  });

  it('keeps a multi-statement transaction whole, in order, with one commit', async () => {
    const { connector, db } = await connect(
      'cdc_tx',
      'CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO a VALUES (1, "one"), (2, "two")',
    );
    const items = await open(connector, await tablesOf(connector), await positionNow(connector));
    await mysqlQuery(
      db.name,
      'START TRANSACTION; INSERT INTO a VALUES (3, "three"); UPDATE a SET v = "uno" WHERE id = 1; DELETE FROM a WHERE id = 2; COMMIT',
    );
    const seen = await items.until(touches('a'));
    const transaction = parts(seen).filter((part) => part.changes.length > 0);
    expect(transaction).toHaveLength(1);
    expect(transaction[0]!.first).toBe(true);
    expect(transaction[0]!.id).toMatch(/^\d+-\d+-\d+$/);
    expect(transaction[0]!.commit?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(transaction[0]!.commit?.position.fields.gtid).toContain(transaction[0]!.id);
    expect(
      transaction[0]!.changes.map((change) =>
        change.kind === 'insert'
          ? ['insert', change.row]
          : change.kind === 'update'
            ? ['update', change.key, change.row]
            : change.kind === 'delete'
              ? ['delete', change.key]
              : ['truncate'],
      ),
    ).toEqual([
      ['insert', [3n, 'three']],
      ['update', [1n], [1n, 'uno']],
      ['delete', [2n]],
    ]);
  });

  it('cuts a 100 000-row transaction into bounded parts with one commit on the last', async () => {
    const { connector, db } = await connect(
      'cdc_big',
      'CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(100))',
    );
    const maxPartBytes = 256 * 1024;
    const items = await open(connector, await tablesOf(connector), await positionNow(connector), {
      maxPartBytes,
    });
    await mysqlQuery(db.name, "INSERT INTO big SELECT seq, REPEAT('x', 50) FROM seq_1_to_100000");
    const seen = await items.until(touches('big'), 120_000);
    const mine = parts(seen).filter((part) =>
      part.changes.some((change) => change.kind !== 'truncate' && change.relation.name === 'big'),
    );
    expect(mine.length).toBeGreaterThan(5);
    expect(mine.map((part) => part.first)).toEqual(mine.map((_, index) => index === 0));
    expect(mine.map((part) => part.commit !== undefined)).toEqual(
      mine.map((_, index) => index === mine.length - 1),
    );
    expect(new Set(mine.map((part) => part.id)).size).toBe(1);
    for (const part of mine) expect(part.bytes).toBeLessThan(maxPartBytes + 64 * 1024);
    const ids = mine.flatMap((part) =>
      part.changes.map((change) => (change.kind === 'insert' ? change.row[0] : null)),
    );
    expect(ids).toEqual(Array.from({ length: 100_000 }, (_, index) => BigInt(index + 1)));
  });

  it('gives TRUNCATE as a truncate change and ADD COLUMN as a schema item before the next row', async () => {
    const { connector, db } = await connect(
      'cdc_ddl',
      'CREATE TABLE s (id INT PRIMARY KEY, v INT); INSERT INTO s VALUES (1, 1)',
    );
    const items = await open(connector, await tablesOf(connector), await positionNow(connector));
    await mysqlQuery(db.name, 'TRUNCATE s');
    await mysqlQuery(db.name, 'ALTER TABLE s ADD COLUMN note VARCHAR(20) NULL');
    await mysqlQuery(db.name, "INSERT INTO s VALUES (2, 2, 'new')");
    const seen = (
      await items.until((item) => item.type === 'transaction' && item.part.changes[0]?.kind === 'insert')
    ).filter((item) => item.type !== 'progress');
    const truncate = seen.findIndex(
      (item) => item.type === 'transaction' && item.part.changes[0]?.kind === 'truncate',
    );
    const schema = seen.findIndex((item) => item.type === 'schema');
    expect(truncate).toBeGreaterThanOrEqual(0);
    expect(schema).toBeGreaterThan(truncate);
    const item = seen[schema]!;
    if (item.type !== 'schema') throw new Error('not a schema item');
    expect(item.statement).toMatch(/ALTER TABLE s ADD COLUMN note/i);
    expect(item.before?.columns.map((column) => column.name)).toEqual(['id', 'v']);
    expect(item.after.columns.map((column) => column.name)).toEqual(['id', 'v', 'note']);
    expect(item.after.columns[2]?.type).toEqual({ kind: 'text', length: 20 });
    const insert = changes(seen).find((change) => change.kind === 'insert');
    expect(insert?.kind === 'insert' && insert.relation).toBe(item.after);
    expect(insert?.kind === 'insert' && insert.row).toEqual([2n, 2n, 'new']);
  });

  it("skips other databases' and unfollowed tables' changes (progress items), even for the same table name", async () => {
    const { connector, db } = await connect(
      'cdc_mine',
      'CREATE TABLE t (id INT PRIMARY KEY); CREATE TABLE other (id INT PRIMARY KEY)',
    );
    const { db: elsewhere } = await connect('cdc_theirs', 'CREATE TABLE t (id INT PRIMARY KEY)');
    const items = await open(connector, await tablesOf(connector, ['t']), await positionNow(connector));
    await mysqlQuery(elsewhere.name, 'INSERT INTO t VALUES (1)');
    await mysqlQuery(db.name, 'INSERT INTO other VALUES (2)');
    await mysqlQuery(db.name, 'INSERT INTO t VALUES (3)');
    const seen = await items.until(touches('t'));
    expect(changes(seen).map((change) => (change.kind === 'insert' ? change.row : change.kind))).toEqual([
      [3n],
    ]);
    expect(seen.filter((item) => item.type === 'progress').length).toBeGreaterThanOrEqual(2);
    const keys = seen.flatMap((item) =>
      item.type === 'progress'
        ? [item.position.key]
        : item.type === 'transaction' && item.part.commit
          ? [item.part.commit.position.key]
          : [],
    );
    expect(keys).toEqual([...keys].sort());
  });

  it('starts at a snapshot taken under concurrent writes with exactly the transactions after it, and reopens at a commit', async () => {
    const { connector, db } = await connect('cdc_snap', 'CREATE TABLE w (id INT PRIMARY KEY)');
    const tables = await tablesOf(connector);
    let next = 1;
    let writing = true;
    const writer = (async () => {
      while (writing) await mysqlQuery(db.name, `INSERT INTO w VALUES (${next++})`);
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const snapshot = await connector.openSnapshot();
    const inSnapshot = (await readAll(connector, tables[0]!)).map((row) => row[0]);
    await connector.releaseSnapshot();
    await new Promise((resolve) => setTimeout(resolve, 300));
    writing = false;
    await writer;
    const last = BigInt(next - 1);
    const items = await open(connector, tables, snapshot.position!);
    const seen = await items.until(
      (item) =>
        item.type === 'transaction' &&
        item.part.changes.some((change) => change.kind === 'insert' && change.row[0] === last),
    );
    const streamed = changes(seen).map((change) => (change.kind === 'insert' ? change.row[0] : null));
    expect(inSnapshot.length).toBeGreaterThan(0);
    expect(streamed.length).toBeGreaterThan(0);
    expect([...inSnapshot, ...streamed]).toEqual(
      Array.from({ length: Number(last) }, (_, index) => BigInt(index + 1)),
    );

    // Reopened from the commit of a transaction in the middle: exactly the ones after it.
    const commits = parts(seen).filter((part) => part.commit && part.changes.length > 0);
    const middle = commits[Math.floor(commits.length / 2)]!;
    const reopened = await open(connector, tables, middle.commit!.position.fields);
    const again = await reopened.until(
      (item) =>
        item.type === 'transaction' &&
        item.part.changes.some((change) => change.kind === 'insert' && change.row[0] === last),
    );
    const after = streamed.slice(
      streamed.indexOf((middle.changes[0] as { row: unknown[] }).row[0] as bigint) + 1,
    );
    expect(changes(again).map((change) => (change.kind === 'insert' ? change.row[0] : null))).toEqual(after);
  });

  it('gives progress items on an idle stream and sane backlog figures', async () => {
    const { connector } = await connect('cdc_idle', 'CREATE TABLE i (id INT PRIMARY KEY)');
    const from = await positionNow(connector);
    const items = await open(connector, await tablesOf(connector), from, { heartbeatSeconds: 1 });
    const item = await items.next(10_000);
    expect(item.type).toBe('progress');
    const backlog = await items.stream.backlog();
    expect(backlog.head.fields.file).toMatch(/\.\d+$/);
    if (item.type === 'progress') expect(backlog.head.key >= item.position.key).toBe(true);
    expect(backlog.retainedBytes).toBeGreaterThanOrEqual(Number(from.position));
    expect(backlog.head.fields.gtid).toMatch(/^\d+-\d+-\d+/);
    await items.stream.close();
    await items.stream.close();
  });

  it('gives a schema item when a table map differs from the table it was given, and follows added tables', async () => {
    const { connector, db } = await connect(
      'cdc_stale',
      'CREATE TABLE st (id INT PRIMARY KEY); CREATE TABLE later (id INT PRIMARY KEY)',
    );
    const stale = await tablesOf(connector, ['st']);
    await mysqlQuery(db.name, 'ALTER TABLE st ADD COLUMN v INT NULL');
    const items = await open(connector, stale, await positionNow(connector));
    await mysqlQuery(db.name, 'INSERT INTO st VALUES (1, 10)');
    const seen = (await items.until(touches('st'))).filter((item) => item.type !== 'progress');
    expect(seen[0]?.type).toBe('schema');
    if (seen[0]?.type !== 'schema') throw new Error('not a schema item');
    expect(seen[0].statement).toBeUndefined();
    expect(seen[0].before?.columns.map((column) => column.name)).toEqual(['id']);
    expect(seen[0].after.columns.map((column) => column.name)).toEqual(['id', 'v']);
    expect(changes(seen).map((change) => change.kind === 'insert' && change.row)).toEqual([[1n, 10n]]);

    await items.stream.addTables(await tablesOf(connector, ['later']));
    await mysqlQuery(db.name, 'INSERT INTO later VALUES (7)');
    const more = await items.until(touches('later'));
    expect(changes(more).map((change) => change.kind === 'insert' && change.row)).toEqual([[7n]]);
  });

  it('ends the iteration with a transient error when the dump connection is killed, and cleanly on close', async () => {
    const { connector } = await connect('cdc_kill', 'CREATE TABLE x (id INT PRIMARY KEY)');
    const dumps = async () =>
      new Set(
        (
          (await mysqlQuery(
            undefined,
            "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'",
          )) as Array<{
            id: number;
          }>
        ).map((row) => Number(row.id)),
      );
    const before = await dumps();
    const items = await open(connector, await tablesOf(connector), await positionNow(connector), {
      heartbeatSeconds: 1,
    });
    await items.next(10_000);
    const mine = [...(await dumps())].filter((id) => !before.has(id));
    expect(mine).toHaveLength(1);
    await mysqlQuery(undefined, `KILL ${mine[0]}`);
    const failure = await (async () => {
      try {
        for (;;) await items.next(10_000);
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(Error);
    expect(connector.isTransient(failure)).toBe(true);

    const closing = await open(connector, await tablesOf(connector), await positionNow(connector), {
      heartbeatSeconds: 1,
    });
    const pending = closing.next(10_000);
    await closing.stream.close();
    await expect(pending).rejects.toThrow('the stream ended');
    await closing.stream.close();
  });

  it('follows the binlog into the next file (FLUSH BINARY LOGS), keys still in order', async () => {
    const { connector, db } = await connect('cdc_rotate', 'CREATE TABLE r (id INT PRIMARY KEY)');
    const from = await positionNow(connector);
    const items = await open(connector, await tablesOf(connector), from);
    await mysqlQuery(db.name, 'INSERT INTO r VALUES (1)');
    await mysqlQuery(undefined, 'FLUSH BINARY LOGS');
    await mysqlQuery(db.name, 'INSERT INTO r VALUES (2)');
    const seen = await items.until(
      (item) =>
        item.type === 'transaction' &&
        item.part.changes.some((change) => change.kind === 'insert' && change.row[0] === 2n),
    );
    const commits = parts(seen)
      .filter((part) => part.changes.length > 0)
      .map((part) => part.commit!.position);
    expect(commits).toHaveLength(2);
    expect(commits[0]!.fields.file).toBe(from.file);
    expect(commits[1]!.fields.file).not.toBe(from.file);
    expect(commits[1]!.key > commits[0]!.key).toBe(true);
    // Reopened from the first commit, in the old file: the second insert, in the new one.
    const reopened = await open(connector, await tablesOf(connector), commits[0]!.fields);
    const again = await reopened.until(
      (item) => item.type === 'transaction' && item.part.commit !== undefined,
    );
    expect(changes(again).map((change) => change.kind === 'insert' && change.row)).toEqual([[2n]]);
  });

  it('refuses a binlog file the server no longer keeps, saying to run a new snapshot', async () => {
    const { connector } = await connect('cdc_purged');
    const from = { file: 'mariadb-bin.999999', position: '4' };
    await expect(connector.openChangeStream({ name: 'purged', tables: [], from })).rejects.toThrow(
      DatabaseError,
    );
    await expect(connector.openChangeStream({ name: 'purged', tables: [], from })).rejects.toThrow(
      /new snapshot/,
    );
  });

  it('passes the sync preflight as root and names REPLICATION SLAVE with its GRANT for a user without it', async () => {
    const { connector, db } = await connect(
      'cdc_pf',
      'CREATE TABLE k (id INT PRIMARY KEY); CREATE TABLE nokey (v INT)',
    );
    const request: AccessRequest = { role: 'source', tables: ['k', 'nokey'], snapshot: true, mode: 'sync' };
    const problems = await connector.checkAccess(request);
    expect(problems.filter((problem) => problem.level === 'error')).toEqual([]);
    expect(problems.map((problem) => [problem.level, problem.subject])).toEqual([['warning', 'nokey']]);

    const user = `ferry_cdc_${Math.random().toString(36).slice(2, 8)}`;
    await mysqlQuery(
      undefined,
      `CREATE USER '${user}'@'%'; GRANT SELECT, RELOAD, BINLOG MONITOR ON *.* TO '${user}'@'%'`,
    );
    cleanups.push(() => mysqlQuery(undefined, `DROP USER IF EXISTS '${user}'@'%'`));
    const base = new URL(MYSQL_BASE);
    const limited = createMysqlConnector(
      parseConnectionUrl(`mysql://${user}@${base.host}/${db.name}`),
    ) as MysqlConnector;
    connectors.push(limited);
    await limited.connect();
    const lacking = (await limited.checkAccess(request)).filter((problem) => problem.level === 'error');
    expect(lacking.map((problem) => problem.need)).toEqual(['REPLICATION SLAVE']);
    expect(lacking[0]!.fix).toBe(`GRANT REPLICATION SLAVE ON *.* TO '${user}'@'%';`);
  });
});
