/**
 * The SQLite connector against real files: the awkward values read exactly, copied same-dialect
 * and from a MySQL-shaped schema with their storage classes checked by `typeof()`, Chinook
 * introspected and copied, objects recreated, and the errors a user meets named precisely.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Connector, SchemaRequest } from '../../../src/connectors/connector.js';
import { ConnectionError, UsageError, ValueError } from '../../../src/errors.js';
import type { Table } from '../../../src/schema/table.js';
import type { CanonicalValue } from '../../../src/values/canonical.js';
import { Coercions } from '../../../src/values/coercions.js';
import { awkwardRows } from '../../fixtures/awkward-rows.js';
import { batchesOf, collectRows as collect } from '../../helpers/batches.js';
import { sqliteFiles } from '../../helpers/sqlite-files.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CHINOOK = resolve(root, '..', 'shared', 'datasets', 'chinook', 'Chinook_Sqlite.sqlite');
const fixture = (name: string) =>
  readFileSync(join(root, 'test', 'fixtures', 'sqlite', `${name}.sql`), 'utf8');

const { fresh, connect, releaseAll } = sqliteFiles();
afterAll(releaseAll);

/** Runs a query on a file with the driver itself (read-only, safe integers on), returning raw rows. */
function raw(path: string, sql: string): unknown[][] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.defaultSafeIntegers(true);
  try {
    return db.prepare(sql).raw(true).all() as unknown[][];
  } finally {
    db.close();
  }
}

function exec(path: string, sql: string): void {
  const db = new Database(path);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

async function readAll(connector: Connector, table: Table, batchRows = 1000): Promise<CanonicalValue[][]> {
  const rows: CanonicalValue[][] = [];
  for await (const batch of connector.read(table, { batchRows, batchBytes: 1 << 20 }))
    rows.push(...batch.rows);
  return rows;
}

/** The engine's copy, in small: tables, rows, constraints, objects. */
async function copyAll(source: Connector, target: Connector) {
  const schema = await source.introspect();
  const request: SchemaRequest = { sourceDialect: 'sqlite', tables: schema.tables };
  const notes = await target.createSchema(request, 'tables');
  for (const table of schema.tables)
    await target.write(table, source.read(table, { batchRows: 500, batchBytes: 1 << 20 }));
  notes.push(...(await target.createSchema(request, 'constraints')));
  await target.createObjects(schema.objects);
  return { schema, notes };
}

const AWKWARD_ROWS = awkwardRows({ ubig: 'bigint', paddedDecimals: false });
const STORAGE_CLASSES =
  'SELECT id, typeof(label), typeof(body), typeof(data), typeof(big), typeof(ubig), typeof(dec), typeof(f32), typeof(f64), typeof(flag), typeof(ts) FROM awkward ORDER BY id';

describe('SQLite connector', () => {
  it('reads the awkward fixture with exact logical types and canonical values', async () => {
    const source = await fresh('awkward');
    exec(source.name, fixture('awkward'));
    const connector = await connect(source.url);
    const schema = await connector.introspect();
    expect(schema.dialect).toBe('sqlite');
    expect(schema.serverVersion).toMatch(/^SQLite 3\.\d+\.\d+$/);
    const table = schema.tables[0]!;
    expect(table.primaryKey).toEqual(['id']);
    expect(Object.fromEntries(table.columns.map((c) => [c.name, c.type]))).toEqual({
      id: { kind: 'integer', bits: 64, unsigned: false },
      label: { kind: 'text', length: 100 },
      body: { kind: 'text' },
      data: { kind: 'binary' },
      big: { kind: 'integer', bits: 64, unsigned: false },
      ubig: { kind: 'integer', bits: 64, unsigned: true },
      dec: { kind: 'decimal', precision: 40, scale: 30 },
      f32: { kind: 'float', bits: 64 },
      f64: { kind: 'float', bits: 64 },
      flag: { kind: 'integer', bits: 8, unsigned: false },
      ts: { kind: 'datetime', fsp: 6 },
    });
    expect(table.columns[0]!.autoIncrement).toEqual({ nextValue: '7' });
    expect(table.columns[0]!.nullable).toBe(false);

    const rows = await readAll(connector, table, 2);
    expect(rows).toEqual(AWKWARD_ROWS);
    expect(Object.is(rows[3]![7], 16777216)).toBe(true);

    const sizes = async (batchRows: number, batchBytes: number) => {
      const counts: number[] = [];
      for await (const batch of connector.read(table, { batchRows, batchBytes }))
        counts.push(batch.rows.length);
      return counts;
    };
    expect(await sizes(2, 1 << 20)).toEqual([2, 2, 2]);
    expect(await sizes(1000, 1)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(await sizes(1000, 100_000)).toEqual([6]); // row 6 alone is 170 kB: the batch closes after it
  });

  it('copies the awkward fixture into a new file without changing a value or a storage class', async () => {
    const source = await fresh('awkward');
    const target = await fresh('awkward_copy');
    exec(source.name, fixture('awkward'));
    const from = await connect(source.url);
    const to = await connect(target.url);
    const { notes } = await copyAll(from, to);
    expect(notes).toEqual([]);
    await to.close();

    expect(existsSync(`${target.name}-wal`)).toBe(false);
    expect(raw(target.name, 'PRAGMA journal_mode')).toEqual([['delete']]);
    expect(raw(target.name, STORAGE_CLASSES)).toEqual(raw(source.name, STORAGE_CLASSES));
    expect(raw(target.name, 'SELECT * FROM awkward ORDER BY id')).toEqual(
      raw(source.name, 'SELECT * FROM awkward ORDER BY id'),
    );
    const again = await connect(target.url);
    const [table] = (await again.introspect()).tables;
    expect(await readAll(again, table!)).toEqual(AWKWARD_ROWS);
  });

  it('creates a MySQL-shaped table with declared types that keep every value exact', async () => {
    const target = await fresh('cross');
    const to = await connect(target.url);
    const mixed: Table = {
      name: 'mixed',
      primaryKey: ['id'],
      primaryKeyName: 'PRIMARY',
      foreignKeys: [],
      indexes: [{ name: 'mixed_label', columns: [{ name: 'label', descending: true }], unique: false }],
      columns: [
        {
          name: 'id',
          type: { kind: 'integer', bits: 32, unsigned: false },
          nativeType: 'int(11)',
          nullable: false,
          autoIncrement: { nextValue: '100' },
        },
        {
          name: 'u64',
          type: { kind: 'integer', bits: 64, unsigned: true },
          nativeType: 'bigint(20) unsigned',
          nullable: true,
        },
        {
          name: 'amount',
          type: { kind: 'decimal', precision: 65, scale: 30 },
          nativeType: 'decimal(65,30)',
          nullable: true,
        },
        { name: 'f', type: { kind: 'float', bits: 32 }, nativeType: 'float', nullable: true },
        {
          name: 'flag',
          type: { kind: 'integer', bits: 8, unsigned: false },
          nativeType: 'tinyint(1)',
          nullable: true,
          default: { kind: 'literal', value: '1' },
        },
        {
          name: 'at',
          type: { kind: 'datetime', fsp: 6 },
          nativeType: 'datetime(6)',
          nullable: true,
          default: { kind: 'expression', sql: 'current_timestamp(6)', dialect: 'mysql' },
        },
        {
          name: 'mood',
          type: { kind: 'enum', values: ['happy', "it's, fine"] },
          nativeType: "enum('happy','it''s, fine')",
          nullable: true,
        },
        { name: 'doc', type: { kind: 'json' }, nativeType: 'longtext', nullable: true },
        { name: 'label', type: { kind: 'text', length: 40 }, nativeType: 'varchar(40)', nullable: true },
      ],
    };
    const request: SchemaRequest = { sourceDialect: 'mysql', tables: [mixed] };
    expect(await to.createSchema(request, 'tables')).toEqual([]);
    const rows: CanonicalValue[][] = [
      [
        1n,
        18446744073709551615n,
        '12345678901234567890123456789012345.123456789012345678901234567890',
        4056.666748046875,
        1n,
        '2020-02-29 12:34:56.123456',
        "it's, fine",
        '{"a": [1, 2.50]}',
        'x',
      ],
      [
        2n,
        0n,
        '-0.000000000000000000000000000001',
        16777216,
        -1n,
        '9999-12-31 23:59:59.999999',
        'happy',
        '[]',
        '12',
      ],
      [3n, null, null, null, null, null, null, null, null],
    ];
    expect(
      await to.write(
        mixed,
        batchesOf(rows, undefined, (batch) => batch.length * 100),
      ),
    ).toEqual({ rows: 3, bytes: 300 });
    expect(await to.createSchema(request, 'constraints')).toEqual([]);

    expect(
      raw(
        target.name,
        'SELECT typeof(id), typeof(u64), typeof(amount), typeof(f), typeof(flag), typeof(at), typeof(mood), typeof(doc), typeof(label) FROM mixed WHERE id = 1',
      ),
    ).toEqual([['integer', 'text', 'text', 'real', 'integer', 'text', 'text', 'text', 'text']]);
    const [described] = (await to.introspect()).tables;
    expect(described!.columns.map((c) => c.type)).toEqual([
      { kind: 'integer', bits: 64, unsigned: false },
      { kind: 'integer', bits: 64, unsigned: true },
      { kind: 'decimal', precision: 65, scale: 30 },
      { kind: 'float', bits: 64 },
      { kind: 'integer', bits: 8, unsigned: false },
      { kind: 'datetime', fsp: 6 },
      { kind: 'enum', values: ['happy', "it's, fine"] },
      { kind: 'json' },
      { kind: 'text', length: 40 },
    ]);
    expect(described!.indexes).toEqual([
      { name: 'mixed_label', columns: [{ name: 'label', descending: true }], unique: false },
    ]);
    expect(await readAll(to, described!)).toEqual(rows);

    // The source's next id (100) is past max+1, so a new row gets it; the CHECK keeps the enum's labels.
    const db = new Database(target.name);
    try {
      expect(db.prepare("INSERT INTO mixed (label) VALUES ('new')").run().lastInsertRowid).toBe(100);
      expect(db.prepare('SELECT flag, length(at) FROM mixed WHERE id = 100').raw(true).get()).toEqual([
        1, 19,
      ]);
      expect(() => db.prepare("INSERT INTO mixed (mood) VALUES ('sad')").run()).toThrow(
        /CHECK constraint failed/,
      );
    } finally {
      db.close();
    }
  });

  it('refuses values SQLite would change with a LOSSY_* error naming table, column, key and type, and keeps nothing of the write', async () => {
    const target = await fresh('refuse');
    const to = await connect(target.url);
    const table: Table = {
      name: 'nums',
      primaryKey: ['id'],
      indexes: [],
      foreignKeys: [],
      columns: [
        {
          name: 'id',
          type: { kind: 'integer', bits: 64, unsigned: false },
          nativeType: 'bigint',
          nullable: false,
        },
        { name: 'f', type: { kind: 'float', bits: 64 }, nativeType: 'double', nullable: true },
        {
          name: 'n',
          type: { kind: 'integer', bits: 64, unsigned: false },
          nativeType: 'bigint',
          nullable: true,
        },
      ],
    };
    await to.createSchema({ sourceDialect: 'postgres', tables: [table] }, 'tables');
    const nan = to.write(
      table,
      batchesOf([
        [1n, 1.5, 1n],
        [2n, Number.NaN, 2n],
      ]),
    );
    await expect(nan).rejects.toBeInstanceOf(ValueError);
    await expect(nan).rejects.toMatchObject({
      code: 'LOSSY_SPECIAL_FLOAT',
      table: 'nums',
      column: 'f',
      message: expect.stringMatching(
        /^table nums, column f, key id=2: a float NaN.* cannot be stored in SQLite DOUBLE .*--coerce special-float=null\|substitute/,
      ),
    });
    const big = to.write(table, batchesOf([[3n, 1, 2n ** 63n]]));
    await expect(big).rejects.toMatchObject({
      code: 'LOSSY_OUT_OF_RANGE',
      column: 'n',
      message: expect.stringMatching(/^table nums, column n, key id=3: .*SQLite BIGINT/),
    });
    expect(raw(target.name, 'SELECT count(*) FROM nums')).toEqual([[0n]]);
  });

  it('fails reading a REAL stored in an INTEGER column with LOSSY_STORAGE_CLASS, or NULLs it under a policy', async () => {
    const source = await fresh('real_in_int');
    exec(
      source.name,
      'CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, m INTEGER NOT NULL); INSERT INTO t VALUES (1, 5, 1), (2, 2.5, 2), (3, 7, 3.5);',
    );
    const connector = await connect(source.url);
    const [table] = (await connector.introspect()).tables;
    const reading = readAll(connector, table!);
    await expect(reading).rejects.toBeInstanceOf(ValueError);
    await expect(reading).rejects.toMatchObject({
      code: 'LOSSY_STORAGE_CLASS',
      table: 't',
      column: 'n',
      message: expect.stringContaining(
        'table t, column n, key id=2: a SQLite value its declared type cannot describe',
      ),
    });
    await expect(reading).rejects.toThrow(
      /integer\(64\) \(the column is declared INTEGER in SQLite; this value is stored as REAL\)/,
    );
    // `null` helps only where the column takes NULL.
    const coercions = new Coercions([{ loss: 'storage-class', action: 'null' }]);
    const read = (policies: Coercions) =>
      collect(connector.read(table!, { batchRows: 10, batchBytes: 1 << 20, coercions: policies }));
    await expect(read(coercions)).rejects.toMatchObject({ code: 'LOSSY_STORAGE_CLASS', column: 'm' });
    const onlyN = new Coercions([{ loss: 'storage-class', action: 'null', table: 't', column: 'n' }]);
    await expect(read(onlyN)).rejects.toMatchObject({ column: 'm' });
    exec(source.name, 'UPDATE t SET m = 3 WHERE id = 3');
    const counted = new Coercions([{ loss: 'storage-class', action: 'null' }]);
    expect(await read(counted)).toEqual([
      [1n, 5n, 1n],
      [2n, null, 2n],
      [3n, 7n, 3n],
    ]);
    expect(counted.counts()).toEqual([
      { table: 't', column: 'n', loss: 'storage-class', action: 'null', values: 1 },
    ]);
  });

  it('introspects Chinook without writing to it, and copies it value for value', async () => {
    const modified = statSync(CHINOOK).mtimeMs;
    const source = await connect(`sqlite:${CHINOOK}`);
    const schema = await source.introspect();
    expect(schema.tables.map((t) => t.name).sort()).toEqual([
      'Album',
      'Artist',
      'Customer',
      'Employee',
      'Genre',
      'Invoice',
      'InvoiceLine',
      'MediaType',
      'Playlist',
      'PlaylistTrack',
      'Track',
    ]);
    const byName = new Map(schema.tables.map((t) => [t.name, t]));
    const album = byName.get('Album')!;
    expect(album.primaryKey).toEqual(['AlbumId']);
    expect(album.primaryKeyName).toBe('PK_Album');
    expect(album.columns[0]).toMatchObject({
      name: 'AlbumId',
      nativeType: 'INTEGER',
      autoIncrement: { nextValue: '348' },
    });
    expect(album.foreignKeys).toEqual([
      {
        name: 'fk_Album_1',
        columns: ['ArtistId'],
        referencedTable: 'Artist',
        referencedColumns: ['ArtistId'],
        onDelete: 'NO ACTION',
        onUpdate: 'NO ACTION',
      },
    ]);
    expect(album.indexes).toEqual([
      { name: 'IFK_AlbumArtistId', columns: [{ name: 'ArtistId' }], unique: false },
    ]);
    const track = byName.get('Track')!;
    expect(track.foreignKeys.map((fk) => [fk.name, fk.columns[0], fk.referencedTable])).toEqual([
      ['fk_Track_1', 'AlbumId', 'Album'],
      ['fk_Track_2', 'GenreId', 'Genre'],
      ['fk_Track_3', 'MediaTypeId', 'MediaType'],
    ]);
    const playlistTrack = byName.get('PlaylistTrack')!;
    expect(playlistTrack.primaryKey).toEqual(['PlaylistId', 'TrackId']);
    expect(playlistTrack.columns.every((c) => c.autoIncrement === undefined)).toBe(true);
    expect(playlistTrack.indexes.map((i) => i.name)).toEqual([
      'IFK_PlaylistTrackPlaylistId',
      'IFK_PlaylistTrackTrackId',
    ]);
    const line = byName.get('InvoiceLine')!;
    expect(line.columns.find((c) => c.name === 'UnitPrice')!.type).toEqual({
      kind: 'decimal',
      precision: 10,
      scale: 2,
    });
    const lines = await readAll(source, line);
    expect(lines[0]).toEqual([1n, 1n, 2n, '0.99', 1n]);

    const target = await fresh('chinook_copy');
    const to = await connect(target.url);
    const { notes } = await copyAll(source, to);
    expect(notes).toEqual([]);
    await to.close();
    expect(statSync(CHINOOK).mtimeMs).toBe(modified);
    expect(existsSync(`${CHINOOK}-wal`)).toBe(false);
    for (const table of schema.tables) {
      const order = `ORDER BY ${table.primaryKey.map((c) => `"${c}"`).join(', ')}`;
      const cols = table.columns.map((c) => `"${c.name}", typeof("${c.name}")`).join(', ');
      const sql = `SELECT ${cols} FROM "${table.name}" ${order}`;
      expect(raw(target.name, sql), table.name).toEqual(raw(CHINOOK, sql));
    }
    const copied = await connect(target.url);
    const copiedSchema = await copied.introspect();
    expect(copiedSchema.tables).toEqual(schema.tables);
  });

  it('copies views and triggers, and carries AUTOINCREMENT positions past the highest id', async () => {
    const source = await fresh('objects');
    exec(source.name, `${fixture('objects')}\nUPDATE sqlite_sequence SET seq = 41 WHERE name = 'book';`);
    const from = await connect(source.url);
    const target = await fresh('objects_copy');
    const to = await connect(target.url);
    const { schema, notes } = await copyAll(from, to);
    expect(notes).toEqual([]);
    expect(schema.objects.map((o) => [o.kind, o.name, o.table])).toEqual([
      ['view', 'book_titles', undefined],
      ['trigger', 'book_count_up', 'book'],
    ]);
    const book = schema.tables.find((t) => t.name === 'book')!;
    expect(book.indexes).toEqual([
      { name: 'book_isbn_key', columns: [{ name: 'isbn' }], unique: true },
      { name: 'book_title_ix', columns: [{ name: 'title' }], unique: false },
      {
        name: 'book_author_title',
        columns: [{ name: 'author_id' }, { name: 'title', descending: true }],
        unique: false,
      },
    ]);
    expect(book.foreignKeys).toEqual([
      {
        name: 'fk_book_1',
        columns: ['author_id'],
        referencedTable: 'author',
        referencedColumns: ['id'],
        onDelete: 'CASCADE',
        onUpdate: 'NO ACTION',
      },
    ]);
    expect(book.columns[0]!.autoIncrement).toMatchObject({ nextValue: '42' });
    await to.close();

    const db = new Database(target.name);
    db.defaultSafeIntegers(true);
    try {
      expect(db.prepare('SELECT title, author FROM book_titles ORDER BY title').raw(true).all()).toEqual([
        ['A Wizard of Earthsea', 'Ursula'],
        ['Solaris', 'Stanisław'],
        ['The Dispossessed', 'Ursula'],
      ]);
      expect(
        db.prepare("INSERT INTO book (author_id, title) VALUES (2, 'His Master''s Voice')").run()
          .lastInsertRowid,
      ).toBe(42n);
      expect(db.prepare("INSERT INTO author (name) VALUES ('Lem')").run().lastInsertRowid).toBe(3n);
      expect(db.prepare('SELECT id, books FROM author ORDER BY id').raw(true).all()).toEqual([
        [1n, 2n],
        [2n, 2n],
        [3n, 0n],
      ]);
    } finally {
      db.close();
    }
    const copied = await connect(target.url);
    const again = await copied.introspect();
    expect(again.objects).toEqual(schema.objects);
    expect(
      again.tables.map((t) => ({ ...t, columns: t.columns.map(({ autoIncrement: _, ...c }) => c) })),
    ).toEqual(
      schema.tables.map((t) => ({ ...t, columns: t.columns.map(({ autoIncrement: _, ...c }) => c) })),
    );
  });

  it('names a missing source file and creates nothing; refuses a missing folder and a read-only target', async () => {
    const dir = await fresh('missing');
    const path = join(dirname(dir.name), 'nothing-here.db');
    const connector = await connect(`sqlite:${path}`);
    await expect(connector.introspect()).rejects.toBeInstanceOf(ConnectionError);
    await expect(connector.introspect()).rejects.toThrow(`SQLite database file ${path} does not exist`);
    expect(await connector.existingTables(['t'])).toEqual([]);
    const table: Table = { name: 't', columns: [], primaryKey: [], indexes: [], foreignKeys: [] };
    await expect(readAll(connector, table)).rejects.toThrow(/does not exist/);
    expect(existsSync(path)).toBe(false);

    const deep = join(dirname(dir.name), 'no', 'such', 'folder', 'x.db');
    const nowhere = await connect(`sqlite:${deep}`);
    await expect(nowhere.createSchema({ sourceDialect: 'sqlite', tables: [] }, 'tables')).rejects.toThrow(
      `The folder ${dirname(deep)} for SQLite database file ${deep} does not exist`,
    );
    const readOnly = await connect(`sqlite:${path}?mode=ro`);
    await expect(
      readOnly.createSchema({ sourceDialect: 'sqlite', tables: [] }, 'tables'),
    ).rejects.toBeInstanceOf(UsageError);
    expect(existsSync(path)).toBe(false);
  });

  it('closes cleanly while a read is paused between batches, and twice', async () => {
    const source = await connect(`sqlite:${CHINOOK}`);
    const [track] = (await source.introspect({ tables: ['Track'] })).tables;
    const reading = source.read(track!, { batchRows: 10, batchBytes: 1 << 20 })[Symbol.asyncIterator]();
    expect((await reading.next()).value?.rows).toHaveLength(10);
    await source.close();
    await source.close();
    await reading.return?.();
  });

  it('reports existing tables, empties and drops them', async () => {
    const target = await fresh('existing');
    exec(
      target.name,
      'CREATE TABLE full (id INTEGER PRIMARY KEY); INSERT INTO full VALUES (1); CREATE TABLE empty (id INTEGER);',
    );
    const connector = await connect(target.url);
    expect(await connector.existingTables(['full', 'empty', 'absent'])).toEqual([
      { name: 'full', hasRows: true },
      { name: 'empty', hasRows: false },
    ]);
    await connector.truncateTables(['full']);
    expect(await connector.existingTables(['full'])).toEqual([{ name: 'full', hasRows: false }]);
    await connector.dropTables(['full', 'empty']);
    expect(await connector.existingTables(['full', 'empty'])).toEqual([]);
  });
});
