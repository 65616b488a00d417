/** CREATE TABLE / CREATE INDEX text for SQLite targets, and the notes for what cannot be carried. */
import { describe, expect, it } from 'vitest';
import type { SchemaNote } from '../../../../src/connectors/connector.js';
import { createIndexSql } from '../../../../src/connectors/sqlite/constraints.js';
import { createTableSql } from '../../../../src/connectors/sqlite/ddl.js';
import { parseSqliteDefault } from '../../../../src/connectors/sqlite/introspect.js';
import type { Table } from '../../../../src/schema/table.js';

const orders: Table = {
  name: 'orders',
  primaryKey: ['id'],
  primaryKeyName: 'orders_pkey',
  indexes: [],
  foreignKeys: [
    {
      name: 'orders_customer_fkey',
      columns: ['customer_id'],
      referencedTable: 'customer',
      referencedColumns: ['id'],
      onDelete: 'CASCADE',
      onUpdate: 'NO ACTION',
    },
    {
      name: 'orders_shop_fkey',
      columns: ['shop_id'],
      referencedTable: 'shop',
      referencedColumns: ['id'],
      onDelete: 'NO ACTION',
      onUpdate: 'NO ACTION',
    },
  ],
  columns: [
    {
      name: 'id',
      type: { kind: 'integer', bits: 32, unsigned: false },
      nativeType: 'integer',
      nullable: false,
      autoIncrement: { nextValue: '10', always: true },
    },
    {
      name: 'customer_id',
      type: { kind: 'integer', bits: 64, unsigned: false },
      nativeType: 'bigint',
      nullable: false,
    },
    {
      name: 'shop_id',
      type: { kind: 'integer', bits: 64, unsigned: false },
      nativeType: 'bigint',
      nullable: true,
    },
    {
      name: 'placed',
      type: { kind: 'timestamptz', fsp: 6 },
      nativeType: 'timestamp with time zone',
      nullable: false,
      default: { kind: 'expression', sql: 'now()', dialect: 'postgres' },
    },
    {
      name: 'status',
      type: { kind: 'enum', values: ['new', "won't"] },
      nativeType: 'order_status',
      nullable: false,
      default: { kind: 'expression', sql: "'new'::order_status", dialect: 'postgres' },
      comment: 'where it is',
    },
    {
      name: 'paid',
      type: { kind: 'boolean' },
      nativeType: 'boolean',
      nullable: true,
      default: { kind: 'literal', value: 'false' },
    },
    {
      name: 'code',
      type: { kind: 'text' },
      nativeType: 'text',
      nullable: true,
      default: { kind: 'expression', sql: 'gen_random_uuid()::text', dialect: 'postgres' },
    },
  ],
};

describe('createTableSql', () => {
  it('writes another dialect’s table with rowid alias, CHECKed enum, defaults and in-copy foreign keys', () => {
    const notes: SchemaNote[] = [];
    const sql = createTableSql(
      orders,
      { sourceDialect: 'postgres', tables: [orders, { ...orders, name: 'customer' }] },
      notes,
    );
    expect(sql).toBe(
      [
        'CREATE TABLE "orders" (',
        '  "id" INTEGER NOT NULL CONSTRAINT "orders_pkey" PRIMARY KEY AUTOINCREMENT,',
        '  "customer_id" BIGINT NOT NULL,',
        '  "shop_id" BIGINT,',
        '  "placed" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,',
        `  "status" TEXT NOT NULL DEFAULT 'new' CHECK ("status" IN ('new', 'won''t')),`,
        '  "paid" BOOLEAN DEFAULT 0,',
        '  "code" TEXT,',
        '  CONSTRAINT "orders_customer_fkey" FOREIGN KEY ("customer_id") REFERENCES "customer" ("id") ON DELETE CASCADE',
        ')',
      ].join('\n'),
    );
    expect(notes.map((note) => [note.object, note.message.split(':')[0]])).toEqual([
      ['id', 'GENERATED ALWAYS not carried'],
      ['code', 'default gen_random_uuid()'],
      ['orders_shop_fkey', 'foreign key to "shop" not created'],
      [undefined, '1 comment(s) not carried'],
    ]);
  });

  it('keeps a SQLite source’s declared types, collation, expression default and generated column verbatim', () => {
    const table: Table = {
      name: 't',
      primaryKey: ['a', 'b'],
      indexes: [],
      foreignKeys: [],
      columns: [
        { name: 'a', type: { kind: 'other', name: '' }, nativeType: '', nullable: false },
        {
          name: 'b',
          type: { kind: 'text' },
          nativeType: 'TEXT',
          nullable: false,
          collation: 'NOCASE',
          default: parseSqliteDefault("lower('X')"),
        },
        {
          name: 'c',
          type: { kind: 'integer', bits: 64, unsigned: false },
          nativeType: 'INT',
          nullable: true,
          generated: { expression: 'length(b)', stored: false, dialect: 'sqlite' },
        },
      ],
    };
    const notes: SchemaNote[] = [];
    expect(createTableSql(table, { sourceDialect: 'sqlite', tables: [table] }, notes)).toBe(
      [
        'CREATE TABLE "t" (',
        '  "a" NOT NULL,',
        `  "b" TEXT COLLATE NOCASE NOT NULL DEFAULT (lower('X')),`,
        '  "c" INT GENERATED ALWAYS AS (length(b)) VIRTUAL,',
        '  PRIMARY KEY ("a", "b")',
        ')',
      ].join('\n'),
    );
    expect(notes).toEqual([]);
  });
});

describe('parseSqliteDefault', () => {
  it.each([
    ['0', { kind: 'literal', value: '0' }],
    ['+5', { kind: 'literal', value: '5' }],
    ["'it''s'", { kind: 'literal', value: "it's" }],
    ['TRUE', { kind: 'literal', value: '1' }],
    ['NULL', undefined],
    ['CURRENT_TIMESTAMP', { kind: 'expression', sql: 'CURRENT_TIMESTAMP', dialect: 'sqlite' }],
    ["x'00'", { kind: 'expression', sql: "x'00'", dialect: 'sqlite' }],
  ])('%s', (text, expected) => {
    expect(parseSqliteDefault(text)).toEqual(expected);
  });
});

describe('createIndexSql', () => {
  it('renames a same-dialect definition, builds plain indexes from columns, notes what it cannot build', () => {
    const notes: SchemaNote[] = [];
    const partial = {
      name: 'ix_new',
      columns: [],
      unique: true,
      definition: {
        sql: 'CREATE UNIQUE INDEX ix_old ON old_t (lower(a)) WHERE a IS NOT NULL',
        dialect: 'sqlite' as const,
      },
    };
    expect(createIndexSql({ ...orders, name: 't' }, partial, true, notes)).toBe(
      'CREATE UNIQUE INDEX "ix_new" ON "t" (lower(a)) WHERE a IS NOT NULL',
    );
    expect(
      createIndexSql(
        orders,
        { ...partial, definition: { ...partial.definition, dialect: 'postgres' } },
        false,
        notes,
      ),
    ).toBe(undefined);
    const plain = {
      name: 'ix',
      columns: [
        { name: 'a', descending: true },
        { name: 'b', prefixLength: 10 },
      ],
      unique: false,
    };
    expect(createIndexSql(orders, plain, false, notes)).toBe('CREATE INDEX "ix" ON "orders" ("a" DESC, "b")');
    expect(notes.map((note) => note.object)).toEqual(['ix_new', 'ix']);
  });
});
