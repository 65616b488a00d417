/** Reading stored CREATE statements for what SQLite's pragmas do not report. */
import { describe, expect, it } from 'vitest';
import {
  parseSqliteCreateIndex,
  parseSqliteCreateTable,
} from '../../../../src/connectors/sqlite/create-statements.js';

describe('parseSqliteCreateTable', () => {
  it('finds AUTOINCREMENT, names, collations, generated expressions and enum CHECKs', () => {
    const parsed = parseSqliteCreateTable(`CREATE TABLE "odd ""name""" (
      [id] INTEGER CONSTRAINT pk_odd PRIMARY KEY AUTOINCREMENT, -- the key
      name TEXT COLLATE NOCASE NOT NULL DEFAULT (lower('X, Y')) CHECK (length(name) > 0),
      mood TEXT CHECK ("mood" IN ('happy', 'it''s, fine')),
      size TEXT,
      total INT GENERATED ALWAYS AS (id * 2 + length('a)b')) STORED,
      half REAL AS (id / 2.0),
      parent INTEGER CONSTRAINT fk_parent REFERENCES other (id) ON DELETE CASCADE NOT DEFERRABLE,
      /* a comment, with a comma */
      CONSTRAINT uq_name UNIQUE (name COLLATE NOCASE, mood DESC),
      UNIQUE (size),
      FOREIGN KEY (size, mood) REFERENCES third (a, b),
      CHECK (size IN ('S', 'M', 'L'))
    ) WITHOUT ROWID`);
    expect(parsed.withoutRowid).toBe(true);
    expect(parsed.primaryKeyName).toBeUndefined();
    expect(parsed.columns.get('id')).toEqual({ autoIncrement: true, primaryKeyName: 'pk_odd' });
    expect(parsed.columns.get('name')).toEqual({ autoIncrement: false, collation: 'NOCASE' });
    expect(parsed.columns.get('mood')).toEqual({
      autoIncrement: false,
      checkValues: ['happy', "it's, fine"],
    });
    expect(parsed.columns.get('size')).toEqual({ autoIncrement: false, checkValues: ['S', 'M', 'L'] });
    expect(parsed.columns.get('total')?.generated).toEqual({
      expression: "id * 2 + length('a)b')",
      stored: true,
    });
    expect(parsed.columns.get('half')?.generated).toEqual({ expression: 'id / 2.0', stored: false });
    expect(parsed.foreignKeys).toEqual([
      { name: 'fk_parent', columns: ['parent'] },
      { name: undefined, columns: ['size', 'mood'] },
    ]);
    expect(parsed.uniques).toEqual([
      { name: 'uq_name', columns: ['name', 'mood'] },
      { name: undefined, columns: ['size'] },
    ]);
  });

  it('reads a table-level named primary key (Chinook) and ignores CREATE TABLE … AS', () => {
    const chinook = parseSqliteCreateTable(
      'CREATE TABLE [Album]\n(\n    [AlbumId] INTEGER  NOT NULL,\n    CONSTRAINT [PK_Album] PRIMARY KEY  ([AlbumId])\n)',
    );
    expect(chinook.primaryKeyName).toBe('PK_Album');
    expect(chinook.columns.get('albumid')).toEqual({ autoIncrement: false });
    expect(parseSqliteCreateTable('CREATE TABLE t AS SELECT 1 AS x').columns.size).toBe(0);
  });
});

describe('parseSqliteCreateIndex', () => {
  it('finds name, table and the start of the column list', () => {
    const sql = 'CREATE UNIQUE INDEX IF NOT EXISTS main."ix ""a""" ON [t] (lower(x)) WHERE x IS NOT NULL';
    const head = parseSqliteCreateIndex(sql);
    expect(head).toEqual({ unique: true, name: 'ix "a"', table: 't', columnsAt: sql.indexOf('(lower') });
    expect(parseSqliteCreateIndex('CREATE INDEX ix ON t(a)')).toMatchObject({
      unique: false,
      name: 'ix',
      table: 't',
    });
    expect(parseSqliteCreateIndex('CREATE VIEW v AS SELECT 1')).toBeUndefined();
  });
});
