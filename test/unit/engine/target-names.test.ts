import { describe, expect, it } from 'vitest';
import type { ConnectorCapabilities } from '../../../src/connectors/connector.js';
import { fitLength, planTargetNames } from '../../../src/engine/target-names.js';
import type { Table } from '../../../src/schema/table.js';

const postgresLike: ConnectorCapabilities = {
  maxIdentifierLength: 63,
  indexNamesUniquePer: 'schema',
  foreignKeyNamesUniquePer: 'table',
  caseInsensitiveColumnNames: false,
};
const mysqlLike: ConnectorCapabilities = {
  maxIdentifierLength: 64,
  indexNamesUniquePer: 'table',
  foreignKeyNamesUniquePer: 'schema',
  caseInsensitiveColumnNames: true,
};

function table(name: string, extra: Partial<Table> = {}): Table {
  return {
    name,
    columns: [
      {
        name: 'id',
        type: { kind: 'integer', bits: 32, unsigned: false },
        nativeType: 'int',
        nullable: false,
      },
    ],
    primaryKey: ['id'],
    indexes: [],
    foreignKeys: [],
    ...extra,
  };
}

describe('fitLength', () => {
  it('keeps short names and shortens long ones to the byte limit, uniquely', () => {
    expect(fitLength('orders', 63)).toBe('orders');
    const long = `${'é'.repeat(40)}_a`;
    const other = `${'é'.repeat(40)}_b`;
    expect(Buffer.byteLength(fitLength(long, 63))).toBeLessThanOrEqual(63);
    expect(fitLength(long, 63)).not.toBe(fitLength(other, 63));
  });
});

describe('planTargetNames', () => {
  it('renames an index whose name another table already uses when names are per schema', () => {
    const tables = [
      table('author', { indexes: [{ name: 'ix_name', unique: false, columns: [{ name: 'id' }] }] }),
      table('book', { indexes: [{ name: 'ix_name', unique: false, columns: [{ name: 'id' }] }] }),
    ];
    const { tables: renamed, renames } = planTargetNames(tables, postgresLike);
    expect(renamed.map((t) => t.indexes[0]?.name)).toEqual(['ix_name', 'book_ix_name']);
    expect(renames).toEqual([
      expect.objectContaining({ kind: 'index', table: 'book', from: 'ix_name', to: 'book_ix_name' }),
    ]);
  });

  it('keeps per-table index names where the target allows them', () => {
    const tables = [
      table('author', { indexes: [{ name: 'ix_name', unique: false, columns: [{ name: 'id' }] }] }),
      table('book', { indexes: [{ name: 'ix_name', unique: false, columns: [{ name: 'id' }] }] }),
    ];
    expect(planTargetNames(tables, mysqlLike).renames).toEqual([]);
  });

  it('renames an index that collides with a table name in a schema-wide namespace', () => {
    const tables = [
      table('book'),
      table('author', { indexes: [{ name: 'book', unique: true, columns: [{ name: 'id' }] }] }),
    ];
    expect(planTargetNames(tables, postgresLike).tables[1]?.indexes[0]?.name).toBe('author_book');
  });

  it('renames columns equal under case folding, and foreign keys follow renamed tables and columns', () => {
    const long = 'x'.repeat(70);
    const parent = table(long);
    const child = table('child', {
      columns: [
        {
          name: 'Ref',
          type: { kind: 'integer', bits: 32, unsigned: false },
          nativeType: 'int',
          nullable: false,
        },
        {
          name: 'ref',
          type: { kind: 'integer', bits: 32, unsigned: false },
          nativeType: 'int',
          nullable: false,
        },
      ],
      primaryKey: ['Ref'],
      foreignKeys: [
        {
          name: 'fk',
          columns: ['ref'],
          referencedTable: long,
          referencedColumns: ['id'],
          onDelete: 'CASCADE',
          onUpdate: 'NO ACTION',
        },
      ],
    });
    const { tables, renames } = planTargetNames([parent, child], mysqlLike);
    expect(tables[1]?.columns.map((c) => c.name)).toEqual(['Ref', 'ref_2']);
    expect(tables[1]?.foreignKeys[0]).toMatchObject({ columns: ['ref_2'], referencedTable: tables[0]?.name });
    expect(tables[0]?.name.length).toBeLessThanOrEqual(64);
    expect(renames.map((r) => r.kind).sort()).toEqual(['column', 'table']);
  });

  it('makes foreign key names unique per schema where the target requires it', () => {
    const fk = {
      name: 'fk_parent',
      columns: ['id'],
      referencedTable: 'p',
      referencedColumns: ['id'],
      onDelete: 'NO ACTION' as const,
      onUpdate: 'NO ACTION' as const,
    };
    const tables = [table('p'), table('a', { foreignKeys: [fk] }), table('b', { foreignKeys: [fk] })];
    const names = planTargetNames(tables, mysqlLike).tables.map((t) => t.foreignKeys[0]?.name);
    expect(names).toEqual([undefined, 'fk_parent', 'b_fk_parent']);
  });
});
