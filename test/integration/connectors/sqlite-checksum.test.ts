/**
 * SQLite chunk checksums against the connector's own reader: over the torture and awkward fixtures
 * the checksum equals a ChunkHasher fed with canonicalRowText of the rows `read` yields, chunks add
 * up to the whole, and one changed value (an ulp, a trailing space, a letter's case) shows.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, KeyRange } from '../../../src/connectors/connector.js';
import {
  sqliteCanRender,
  sqliteChunkChecksum,
  sqliteRowText,
} from '../../../src/connectors/sqlite/checksum.js';
import type { SqliteDatabase } from '../../../src/connectors/sqlite/session.js';
import { copiedColumns, type Table } from '../../../src/schema/table.js';
import type { CanonicalValue } from '../../../src/values/canonical.js';
import {
  type ChecksumMode,
  type ChunkChecksum,
  ChunkHasher,
  canonicalRowText,
  sameChecksum,
} from '../../../src/values/canonical-text.js';
import { Coercions } from '../../../src/values/coercions.js';
import { collectRows } from '../../helpers/batches.js';
import type { TestDatabase } from '../../helpers/servers.js';
import { sqliteFiles } from '../../helpers/sqlite-files.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixture = (name: string) =>
  readFileSync(join(root, 'test', 'fixtures', 'sqlite', `${name}.sql`), 'utf8');
const BATCH = { batchRows: 7, batchBytes: 1 << 20 };

const { fresh, connect, releaseAll } = sqliteFiles();
const handles: SqliteDatabase[] = [];
afterAll(async () => {
  for (const db of handles) db.close();
  await releaseAll();
});

/** The canonical-mode policies: the torture fixture's mismatched cells read as NULL, as a copy under that policy reads them. */
const policies = () =>
  new Coercions([
    { loss: 'storage-class', action: 'null' },
    { loss: 'invalid-text', action: 'null' },
  ]);

/** A connection of our own to the file, opened as the connector opens its reader. */
function open(path: string, readonly = true): SqliteDatabase {
  const db = new Database(path, { readonly, fileMustExist: true });
  db.defaultSafeIntegers(true);
  handles.push(db);
  return db;
}

async function loaded(name: 'torture' | 'awkward'): Promise<TestDatabase> {
  const db = await fresh(name);
  // The torture fixture needs the sqlite3 CLI (as sqlite-torture.test.ts loads it); awkward is db.exec.
  if (name === 'torture') {
    const run = spawnSync('sqlite3', [db.name], { input: fixture(name), encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`sqlite3 failed: ${run.stderr}`);
  } else {
    const file = new Database(db.name);
    file.exec(fixture(name));
    file.close();
  }
  return db;
}

/** The JS side of the proof: the reader's rows, hashed with the row text of the canonical module. */
async function expected(
  connector: Connector,
  table: Table,
  mode: ChecksumMode,
  range?: KeyRange,
): Promise<{ checksum: ChunkChecksum; texts: string[] }> {
  const rows = await collectRows(
    connector.read(table, {
      ...BATCH,
      ...(range ? { range, key: table.primaryKey } : {}),
      ...(mode === 'native' ? { targetDialect: 'sqlite' as const } : { coercions: policies() }),
    }),
  );
  const types = copiedColumns(table).map((column) => column.type);
  const hasher = new ChunkHasher();
  const texts = rows.map((row) =>
    mode === 'native' ? sqliteRowText(row, types, mode) : canonicalRowText(row, types),
  );
  for (const text of texts) hasher.addRowText(text);
  return { checksum: hasher.result(), texts };
}

const names = (table: Table) => copiedColumns(table).map((column) => column.name);

describe.each(['torture', 'awkward'] as const)('SQLite chunk checksums over the %s fixture', (name) => {
  let file: TestDatabase;
  let connector: Connector;
  let db: SqliteDatabase;
  let tables: Table[];
  const checksum = (table: Table, mode: ChecksumMode, range?: KeyRange, columns = names(table)) =>
    sqliteChunkChecksum(db, table, {
      columns,
      mode,
      ...(range ? { range, key: table.primaryKey } : {}),
      ...(mode === 'canonical' ? { coercions: policies() } : {}),
    });

  beforeAll(async () => {
    file = await loaded(name);
    connector = await connect(file.url);
    tables = (await connector.introspect()).tables;
    db = open(file.name);
  });

  it('renders every column of every table in both modes (the pinned list of exceptions is empty)', () => {
    const refused = tables.flatMap((table) =>
      table.columns.flatMap((column) =>
        (['canonical', 'native'] as const)
          .filter((mode) => !sqliteCanRender(column, mode))
          .map((mode) => `${table.name}.${column.name} (${mode})`),
      ),
    );
    expect(refused).toEqual([]);
  });

  it.each(['canonical', 'native'] as const)(
    'equals the hashed row texts of the reader, table by table (%s)',
    async (mode) => {
      expect(tables.length).toBeGreaterThan(0);
      for (const table of tables) {
        const { checksum: want, texts } = await expected(connector, table, mode);
        expect(await checksum(table, mode), table.name).toEqual(want);
        expect(want.rows, table.name).toBe(texts.length);
      }
    },
  );

  it('differs between the modes only where values are handed over as stored (pinned)', async () => {
    const differ: string[] = [];
    for (const table of tables) {
      if (!sameChecksum(await checksum(table, 'canonical'), await checksum(table, 'native')))
        differ.push(table.name);
    }
    // Mismatched storage classes, untyped (`other`) values and TEXT that is not UTF-8.
    expect(differ).toEqual(name === 'torture' ? ['t_storage_mix', 't_untyped', 't_invalid_utf8'] : []);
  });

  it('covers the rows of a range exactly: adjacent ranges and planned chunks merge to the whole', async () => {
    for (const table of tables.filter((t) => t.primaryKey.length > 0)) {
      const whole = await checksum(table, 'canonical');
      const chunks = await connector.planChunks(table, { key: table.primaryKey, rows: 3 });
      if (whole.rows > 3) expect(chunks.length, table.name).toBeGreaterThan(1);
      const merged = new ChunkHasher();
      for (const range of chunks) {
        const part = await checksum(table, 'canonical', range);
        expect(
          part,
          `${table.name} ${JSON.stringify(range, (_k, v) => (typeof v === 'bigint' ? `${v}` : v))}`,
        ).toEqual((await expected(connector, table, 'canonical', range)).checksum);
        merged.merge(part);
      }
      expect(merged.result(), table.name).toEqual(whole);
    }
    // Two adjacent ranges split at one key: `through` k and `after` k share no row and miss none.
    const first = tables[0]!;
    const rows = await collectRows(connector.read(first, { ...BATCH, coercions: policies() }));
    const split = rows[Math.floor(rows.length / 2)]![0]!;
    const low = await checksum(first, 'canonical', { through: [split] });
    const high = await checksum(first, 'canonical', { after: [split] });
    expect(low.rows + high.rows).toBe(rows.length);
    expect(low.rows).toBeGreaterThan(0);
    expect(high.rows).toBeGreaterThan(0);
    const both = new ChunkHasher();
    both.merge(low);
    both.merge(high);
    expect(both.result()).toEqual(await checksum(first, 'canonical'));
  });

  it('hashes the requested columns only, in the order asked', async () => {
    const table = tables.find((t) => copiedColumns(t).length >= 2)!;
    const [a, b] = copiedColumns(table);
    const rows = await collectRows(connector.read(table, { ...BATCH, coercions: policies() }));
    const hasher = new ChunkHasher();
    for (const row of rows) hasher.addRowText(canonicalRowText([row[1]!, row[0]!], [b!.type, a!.type]));
    expect(await checksum(table, 'canonical', undefined, [b!.name, a!.name.toUpperCase()])).toEqual(
      hasher.result(),
    );
    await expect(checksum(table, 'canonical', undefined, ['no_such_column'])).rejects.toMatchObject({
      code: 'SQLITE_CHECKSUM_COLUMN',
    });
  });
});

describe('SQLite chunk checksums see one changed value', () => {
  let file: TestDatabase;
  let table: Table;
  let db: SqliteDatabase;
  const sum = (mode: ChecksumMode = 'canonical') =>
    sqliteChunkChecksum(db, table, { columns: names(table), mode });

  beforeAll(async () => {
    file = await loaded('awkward');
    const connector = await connect(file.url);
    [table] = (await connector.introspect()).tables as [Table];
    db = open(file.name, false);
  });

  /** The next double above `value` (one ulp). */
  const nextUp = (value: number) => {
    const bytes = new DataView(new ArrayBuffer(8));
    bytes.setFloat64(0, value);
    bytes.setBigUint64(0, bytes.getBigUint64(0) + 1n);
    return bytes.getFloat64(0);
  };

  it.each<[string, string, (value: CanonicalValue) => CanonicalValue]>([
    ['one ulp of a double', 'f64', (value) => nextUp(value as number)],
    ['a trailing space', 'label', (value) => `${value as string} `],
    ['the case of one letter', 'body', (value) => (value as string).replace('N', 'n')],
    ['one byte of a blob', 'data', (value) => Buffer.concat([value as Buffer, Buffer.from([0])])],
    ['an integer by one', 'big', (value) => (value as bigint) - 1n],
    ['one microsecond', 'ts', (value) => (value as string).replace(/6$/, '7')],
  ])('%s (column %s)', async (_what, column, change) => {
    const before = await sum();
    const nativeBefore = await sum('native');
    const [original] = db.prepare(`SELECT "${column}" FROM awkward WHERE id = 3`).raw(true).get() as [
      CanonicalValue,
    ];
    const changed = change(original);
    expect(changed).not.toEqual(original);
    const update = db.prepare(`UPDATE awkward SET "${column}" = ? WHERE id = 3`);
    update.run(changed);
    try {
      const after = await sum();
      expect(after.rows).toBe(before.rows);
      expect(after).not.toEqual(before);
      expect(await sum('native')).not.toEqual(nativeBefore);
    } finally {
      update.run(original);
    }
    expect(await sum()).toEqual(before);
    expect(await sum('native')).toEqual(nativeBefore);
  });

  it('native mode tells storage classes apart where canonical text cannot (an untyped INTEGER 5 vs TEXT 5)', async () => {
    db.exec('CREATE TABLE untyped (id INTEGER PRIMARY KEY, u)');
    db.exec("INSERT INTO untyped VALUES (1, 5), (2, '5'), (3, 5.0), (4, x'35'), (5, '35')");
    const connector = await connect(file.url);
    const untyped = (await connector.introspect()).tables.find((t) => t.name === 'untyped')!;
    const texts = (await expected(connector, untyped, 'native')).texts;
    expect(texts).toEqual([
      '1|\\I5',
      '2|\\T1:5',
      '3|\\R5',
      `4|\\B${createHash('md5').update('5').digest('hex')}`,
      '5|\\T2:35',
    ]);
    // The canonical text of an `other` value is the engine's text only: INTEGER 5 and TEXT '5' alike.
    const canonical = (await expected(connector, untyped, 'canonical')).texts;
    expect(canonical.slice(0, 3)).toEqual(['1|1:5', '2|1:5', '3|1:5']);
  });
});
