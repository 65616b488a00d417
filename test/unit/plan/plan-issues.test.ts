import { describe, expect, it } from 'vitest';
import { formatIssues, formatPath } from '../../../src/plan/plan-issues.js';

describe('formatPath', () => {
  it.each([
    [[], ''],
    [['options', 'parallel'], 'options.parallel'],
    [['tables', 2, 'rename'], 'tables[2].rename'],
    [['options', 'coerce', 1], 'options.coerce[1]'],
    [['tables', 0, 'columns', 'rename', 'my col'], 'tables[0].columns.rename["my col"]'],
    [['options', 'maxLoad', 'threads-running'], 'options.maxLoad.threads-running'],
  ] as const)('%j → %s', (path, text) => expect(formatPath(path)).toBe(text));
});

describe('formatIssues', () => {
  it('writes <file>: <path>: <message>, and <file>: <message> for the whole plan', () => {
    expect(
      formatIssues('shop.yaml', [
        { path: ['verify'], message: 'expected true or false, got string' },
        { path: [], message: 'expected mapping, got list' },
      ]),
    ).toEqual([
      'shop.yaml: verify: expected true or false, got string',
      'shop.yaml: expected mapping, got list',
    ]);
  });
});
