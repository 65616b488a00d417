import { describe, expect, it } from 'vitest';
import { rowFilterOf, rowFilterText, withRowFilter } from '../../../src/connectors/row-filter.js';
import type { Table } from '../../../src/schema/table.js';

const table = (rowFilter?: string): Table => ({
  name: 't',
  columns: [],
  primaryKey: [],
  indexes: [],
  foreignKeys: [],
  ...(rowFilter !== undefined ? { rowFilter } : {}),
});

describe('row filter', () => {
  it.each<[string, string, string | undefined, string]>([
    ['no condition', ' WHERE (a > 1)', undefined, ' WHERE (a > 1)'],
    ['no range', '', 'x = 1 OR y = 2', ' WHERE (x = 1 OR y = 2\n)'],
    [
      'after a range, parenthesised',
      ' WHERE (a > 1)',
      'x = 1 OR y = 2',
      ' WHERE (a > 1) AND (x = 1 OR y = 2\n)',
    ],
    ['a trailing comment stays inside', '', 'x = 1 -- recent', ' WHERE (x = 1 -- recent\n)'],
  ])('%s', (_name, range, where, expected) => {
    expect(withRowFilter(range, where)).toBe(expected);
  });

  it('takes the option, else the table, and ignores a blank one', () => {
    expect(rowFilterOf(table('a = 1'), {})).toBe('a = 1');
    expect(rowFilterOf(table('a = 1'), { where: 'b = 2' })).toBe('b = 2');
    expect(rowFilterOf(table(' '), {})).toBeUndefined();
    expect(rowFilterOf(table(), {})).toBeUndefined();
  });

  it('names the condition for messages', () => {
    expect(rowFilterText('a = 1')).toBe(" with the plan's condition `a = 1`");
    expect(rowFilterText(undefined)).toBe('');
  });
});
