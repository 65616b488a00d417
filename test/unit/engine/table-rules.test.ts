import { describe, expect, it } from 'vitest';
import type { ConnectorCapabilities } from '../../../src/connectors/connector.js';
import {
  applyTableRules,
  checkTableRules,
  isPattern,
  matchesPattern,
  ruleFor,
  selectByRules,
  shapeTable,
  type TableRule,
} from '../../../src/engine/table-rules.js';
import { planTargetNames } from '../../../src/engine/target-names.js';
import { UsageError } from '../../../src/errors.js';
import type { Column, Table } from '../../../src/schema/table.js';

const int = (name: string, nullable = false): Column => ({
  name,
  type: { kind: 'integer', bits: 32, unsigned: false },
  nativeType: 'int',
  nullable,
});

function table(name: string, extra: Partial<Table> = {}): Table {
  return {
    name,
    columns: [int('id'), int('a', true), int('b', true)],
    primaryKey: ['id'],
    indexes: [],
    foreignKeys: [],
    ...extra,
  };
}

const names = (tables: Table[]) => tables.map((t) => t.name);
const schema = ['users', 'user_roles', 'orders', 'order_items', 'audit_2023', 'audit_2024', 'a.b'].map((n) =>
  table(n),
);

/** The UsageError `work` throws: its code and message. */
function usage(work: () => unknown): { code: string; message: string } {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return { code: (error as UsageError).code, message: (error as Error).message };
  }
  throw new Error('expected a UsageError');
}

describe('matchesPattern', () => {
  it.each([
    ['users', 'users', true],
    ['users', 'Users', false],
    ['user*', 'users', true],
    ['user*', 'user', true],
    ['user*', 'xusers', false],
    ['*_items', 'order_items', true],
    ['audit_202?', 'audit_2024', true],
    ['audit_202?', 'audit_20245', false],
    ['a.b', 'a.b', true],
    ['a.b', 'axb', false],
    ['*', 'anything', true],
    ['o*_*s', 'order_items', true],
    ['(x)+', '(x)+', true],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(matchesPattern(pattern, name)).toBe(expected);
  });

  it('tells patterns from names', () => {
    expect(isPattern('a*')).toBe(true);
    expect(isPattern('a?')).toBe(true);
    expect(isPattern('a.b')).toBe(false);
  });
});

describe('selectByRules', () => {
  it.each<[string, TableRule[], string[]]>([
    ['no rules: every table', [], names(schema)],
    ['an include: only it', [{ include: 'orders' }], ['orders']],
    ['includes add up', [{ include: 'user*' }, { include: 'orders' }], ['users', 'user_roles', 'orders']],
    [
      'an exclude alone: all but it',
      [{ exclude: 'audit_*' }],
      ['users', 'user_roles', 'orders', 'order_items', 'a.b'],
    ],
    ['an exclude wins over an include', [{ include: 'order*' }, { exclude: 'order_items' }], ['orders']],
    ['whatever the order', [{ exclude: 'order_items' }, { include: 'order*' }], ['orders']],
    ['a ? pattern', [{ include: 'audit_202?' }, { exclude: 'audit_2023' }], ['audit_2024']],
  ])('%s', (_name, rules, expected) => {
    expect(names(selectByRules(schema, rules))).toEqual(expected);
  });

  it('keeps the source order, not the rules order', () => {
    expect(names(selectByRules(schema, [{ include: 'orders' }, { include: 'users' }]))).toEqual([
      'users',
      'orders',
    ]);
  });

  it('refuses a table name the source lacks, listing the tables', () => {
    const error = usage(() => selectByRules(schema, [{ include: 'orders' }, { include: 'Users' }]));
    expect(error.code).toBe('TABLE_NOT_FOUND');
    expect(error.message).toContain('tables entry 2 (include "Users"): the source has no table "Users"');
    expect(error.message).toContain('Tables in the source: users, user_roles');
    expect(usage(() => selectByRules(schema, [{ exclude: 'nope' }])).message).toContain(
      'tables entry 1 (exclude "nope"): the source has no table "nope"',
    );
  });

  it('refuses a pattern that matches nothing, naming it', () => {
    const error = usage(() => selectByRules(schema, [{ include: 'users' }, { exclude: 'tmp_*' }]));
    expect(error.code).toBe('TABLE_PATTERN_UNMATCHED');
    expect(error.message).toContain('tables entry 2 (exclude "tmp_*"): the pattern "tmp_*" matches no table');
    expect(usage(() => selectByRules([], [{ include: 'x*' }])).message).toContain(
      'The source has no tables.',
    );
  });
});

describe('ruleFor', () => {
  const rules: TableRule[] = [
    { include: 'user*', where: 'pattern' },
    { include: 'u*', where: 'second pattern' },
    { include: 'users', where: 'exact' },
    { exclude: 'users' },
    { include: 'users', where: 'second exact' },
  ];
  it.each([
    ['users', 'exact'],
    ['user_roles', 'pattern'],
    ['u', 'second pattern'],
    ['orders', undefined],
  ])('%s takes its rule from the one whose where is %s', (name, where) => {
    expect(ruleFor(rules, name)?.where).toBe(where);
  });
});

describe('checkTableRules', () => {
  it.each<[string, TableRule, string]>([
    ['neither include nor exclude', {}, 'tables entry 1: give exactly one of include or exclude'],
    ['both', { include: 'a', exclude: 'b' }, 'tables entry 1: give exactly one of include or exclude'],
    ['an empty name', { include: ' ' }, 'the table name is empty'],
    [
      'an exclude with a rename',
      { exclude: 'a', rename: 'b' },
      'rename, where and columns go with an include',
    ],
    [
      'an exclude with a where',
      { exclude: 'a', where: 'x = 1' },
      'rename, where and columns go with an include',
    ],
    [
      'an exclude with columns',
      { exclude: 'a', columns: { exclude: ['x'] } },
      'rename, where and columns go with an include',
    ],
    [
      'a rename of a pattern',
      { include: 'a*', rename: 'b' },
      'rename needs an include that names one table, not a pattern',
    ],
    ['an empty rename', { include: 'a', rename: '' }, 'rename is empty'],
    ['an empty where', { include: 'a', where: '  ' }, 'where is empty'],
    [
      'an empty column name',
      { include: 'a', columns: { rename: { x: '' } } },
      'gives column x an empty name',
    ],
    [
      'a column renamed and excluded',
      { include: 'a', columns: { exclude: ['x'], rename: { x: 'y' } } },
      'renames column x, which columns.exclude leaves out',
    ],
  ])('refuses %s', (_name, rule, message) => {
    const error = usage(() => checkTableRules([rule]));
    expect(error.code).toBe('PLAN_TABLE_RULE');
    expect(error.message).toContain(message);
  });

  it('accepts well-formed rules', () => {
    expect(() =>
      checkTableRules([
        { include: 'a', rename: 'b', where: 'x > 1', columns: { include: ['x'], rename: { x: 'y' } } },
        { include: 'c*', where: 'x > 1', columns: { exclude: ['z'] } },
        { exclude: 'c_tmp' },
      ]),
    ).not.toThrow();
  });
});

describe('shapeTable', () => {
  const indexed = table('t', {
    columns: [int('id'), int('a', true), int('b', true), int('c', true)],
    indexes: [
      { name: 'ux_a', unique: true, columns: [{ name: 'a' }] },
      { name: 'ix_b', unique: false, columns: [{ name: 'b' }] },
      {
        name: 'ix_c',
        unique: false,
        columns: [{ name: 'c' }],
        definition: { sql: 'CREATE INDEX ix_c ON t (c)', dialect: 'sqlite' },
      },
    ],
    foreignKeys: [
      {
        name: 'fk_b',
        columns: ['b'],
        referencedTable: 'p',
        referencedColumns: ['id'],
        onDelete: 'NO ACTION',
        onUpdate: 'NO ACTION',
      },
    ],
  });

  it('keeps every column without column rules, and sets the row filter from where', () => {
    const { table: shaped, notes } = shapeTable(indexed, { include: 't', where: 'a > 1' });
    expect(shaped.columns.map((c) => c.name)).toEqual(['id', 'a', 'b', 'c']);
    expect(shaped.rowFilter).toBe('a > 1');
    expect(notes).toEqual([]);
    expect(shapeTable(indexed, undefined).table).toBe(indexed);
  });

  it('projects columns in the table order and drops a plain index and foreign key on a left-out column, with notes', () => {
    const { table: shaped, notes } = shapeTable(indexed, {
      include: 't',
      columns: { include: ['c', 'id', 'a'] },
    });
    expect(shaped.columns.map((c) => c.name)).toEqual(['id', 'a', 'c']);
    expect(shaped.indexes.map((i) => i.name)).toEqual(['ux_a', 'ix_c']);
    expect(shaped.foreignKeys).toEqual([]);
    expect(notes.map((n) => n.message)).toEqual([
      'index ix_b not created: its column b is left out by the plan',
      'foreign key fk_b not created: its column b is left out by the plan',
    ]);
    expect(shaped.rowFilter).toBeUndefined();
  });

  it('rebuilds an index whose native definition names a renamed column', () => {
    const renamed = shapeTable(indexed, { include: 't', columns: { rename: { c: 'cc' } } }).table;
    expect(renamed.indexes.find((i) => i.name === 'ix_c')?.definition).toBeUndefined();
    const kept = shapeTable(indexed, { include: 't', columns: { rename: { a: 'aa' } } }).table;
    expect(kept.indexes.find((i) => i.name === 'ix_c')?.definition).toBeDefined();
  });

  it.each<[string, TableRule, string, string]>([
    [
      'a primary-key column',
      { include: 't', columns: { exclude: ['id'] } },
      'COLUMN_NEEDED',
      'column id is left out, but the primary key of t needs it',
    ],
    [
      'a unique index column',
      { include: 't', columns: { include: ['id', 'b'] } },
      'COLUMN_NEEDED',
      'column a is left out, but unique index ux_a needs it',
    ],
    [
      'an unknown excluded column',
      { include: 't', columns: { exclude: ['zz'] } },
      'COLUMN_NOT_FOUND',
      'columns.exclude names column zz, which the table does not have. Its columns: id, a, b, c.',
    ],
    [
      'an unknown included column',
      { include: 't', columns: { include: ['id', 'zz'] } },
      'COLUMN_NOT_FOUND',
      'columns.include names column zz',
    ],
    [
      'an unknown renamed column',
      { include: 't', columns: { rename: { zz: 'y' } } },
      'COLUMN_NOT_FOUND',
      'columns.rename names column zz',
    ],
    [
      'a renamed column not included',
      { include: 't', columns: { include: ['id', 'a'], rename: { b: 'y' } } },
      'PLAN_TABLE_RULE',
      'columns.rename renames column b, which is left out',
    ],
    [
      'no column left',
      { include: 't', columns: { include: [] } },
      'NO_COLUMNS',
      'the column rules leave no column to copy',
    ],
  ])('refuses leaving out %s', (_name, rule, code, message) => {
    const error = usage(() => shapeTable(indexed, rule, 2));
    expect(error.code).toBe(code);
    expect(error.message).toContain('tables entry 3 (include "t"), table t: ');
    expect(error.message).toContain(message);
  });
});

describe('applyTableRules', () => {
  const parent = table('parent');
  const child = table('child', {
    foreignKeys: [
      {
        name: 'fk_parent',
        columns: ['a'],
        referencedTable: 'parent',
        referencedColumns: ['b'],
        onDelete: 'CASCADE',
        onUpdate: 'NO ACTION',
      },
    ],
  });

  it('shapes each table by its own rule and asks for the renames', () => {
    const shaped = applyTableRules(
      [parent, child],
      [
        { include: 'p*', where: 'a > 0' },
        { include: 'child', rename: 'kid', columns: { rename: { a: 'parent_b' } } },
      ],
    );
    expect(shaped.tables.map((t) => t.rowFilter)).toEqual(['a > 0', undefined]);
    expect(shaped.names.get('child')).toEqual({ table: 'kid', columns: new Map([['a', 'parent_b']]) });
    expect(shaped.names.get('parent')).toEqual({ columns: new Map() });
    expect(shaped.tables[1]?.foreignKeys).toHaveLength(1);
  });

  it('drops a foreign key whose referenced column is left out of the other table', () => {
    const shaped = applyTableRules(
      [parent, child],
      [{ include: 'parent', columns: { exclude: ['b'] } }, { include: 'child' }],
    );
    expect(shaped.tables[1]?.foreignKeys).toEqual([]);
    expect(shaped.notes.map((n) => n.message)).toEqual([
      'foreign key fk_parent not created: column b of parent, which it references, is left out by the plan',
    ]);
  });

  it('refuses two tables landing on one target name, case ignored', () => {
    const error = usage(() => applyTableRules([parent, child], [{ include: 'child', rename: 'Parent' }]));
    expect(error.code).toBe('TABLE_RENAME_COLLISION');
    expect(error.message).toBe(
      'Tables parent and child would both land in target table Parent (names are compared without case): rename one of them in the plan.',
    );
  });

  it('refuses two columns landing on one target name', () => {
    const error = usage(() =>
      applyTableRules([parent], [{ include: 'parent', columns: { rename: { b: 'A' } } }]),
    );
    expect(error.code).toBe('COLUMN_RENAME_COLLISION');
    expect(error.message).toContain('Table parent: columns a and b would both land in target column A');
  });

  it('lets two columns swap names', () => {
    expect(() =>
      applyTableRules([parent], [{ include: 'parent', columns: { rename: { a: 'b', b: 'a' } } }]),
    ).not.toThrow();
  });
});

describe('planTargetNames with the names a plan asks for', () => {
  const capabilities: ConnectorCapabilities = {
    maxIdentifierLength: 63,
    indexNamesUniquePer: 'schema',
    foreignKeyNamesUniquePer: 'table',
    caseInsensitiveColumnNames: false,
  };

  it('renames tables, columns and what refers to them, and reports each rename', () => {
    const parent = table('parent', { indexes: [{ name: 'ix_a', unique: false, columns: [{ name: 'a' }] }] });
    const child = table('child', {
      foreignKeys: [
        {
          name: 'fk',
          columns: ['a'],
          referencedTable: 'parent',
          referencedColumns: ['id'],
          onDelete: 'NO ACTION',
          onUpdate: 'NO ACTION',
        },
      ],
    });
    const requested = new Map([
      [
        'parent',
        {
          table: 'people',
          columns: new Map([
            ['id', 'person_id'],
            ['a', 'alpha'],
          ]),
        },
      ],
      ['child', { columns: new Map<string, string>() }],
    ]);
    const { tables, renames } = planTargetNames([parent, child], capabilities, requested);
    expect(tables[0]?.name).toBe('people');
    expect(tables[0]?.columns.map((c) => c.name)).toEqual(['person_id', 'alpha', 'b']);
    expect(tables[0]?.primaryKey).toEqual(['person_id']);
    expect(tables[0]?.indexes[0]?.columns).toEqual([{ name: 'alpha' }]);
    expect(tables[1]?.foreignKeys[0]).toMatchObject({
      referencedTable: 'people',
      referencedColumns: ['person_id'],
    });
    expect(renames).toEqual([
      { kind: 'table', table: 'parent', from: 'parent', to: 'people', reason: 'renamed by the plan' },
      { kind: 'column', table: 'parent', from: 'id', to: 'person_id', reason: 'renamed by the plan' },
      { kind: 'column', table: 'parent', from: 'a', to: 'alpha', reason: 'renamed by the plan' },
    ]);
  });

  it('fits a requested name that is too long, and says both reasons', () => {
    const long = 'x'.repeat(70);
    const { renames } = planTargetNames(
      [table('t')],
      capabilities,
      new Map([['t', { table: long, columns: new Map() }]]),
    );
    expect(renames[0]?.to).toHaveLength(63);
    expect(renames[0]?.reason).toBe('renamed by the plan, then: longer than 63 bytes');
  });
});
