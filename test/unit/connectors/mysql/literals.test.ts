import { describe, expect, it } from 'vitest';
import {
  parseEnumLabels,
  parseMariadbDefault,
  parseMysqlDefault,
  readQuoted,
} from '../../../../src/connectors/mysql/literals.js';

describe('ENUM/SET labels from COLUMN_TYPE', () => {
  it.each([
    ["enum('a','b')", ['a', 'b']],
    ["enum('a,b','it''s','','x\\\\y')", ['a,b', "it's", '', 'x\\y']],
    ["enum('c\\nd','tab\there','q\"')", ['c\nd', 'tab\there', 'q"']],
    ["set('p','q')", ['p', 'q']],
    ["enum('(',')',' , ')", ['(', ')', ' , ']],
    ["enum('é','😀')", ['é', '😀']],
  ])('%s', (columnType, labels) => {
    expect(parseEnumLabels(columnType)).toEqual(labels);
  });

  it('reads a quoted literal and where it ends', () => {
    expect(readQuoted("'a''b\\\\c' rest", 0)).toEqual({ value: "a'b\\c", end: 9 });
    expect(() => readQuoted("'open", 0)).toThrow(/unterminated/);
  });
});

describe('column defaults', () => {
  it.each([
    [null, { kind: 'none' }],
    ['NULL', { kind: 'none' }],
    ["'NULL'", { kind: 'literal', value: 'NULL' }],
    ["'a''b\\\\c'", { kind: 'literal', value: "a'b\\c" }],
    ["''", { kind: 'literal', value: '' }],
    ['5', { kind: 'literal', value: '5' }],
    ['-1.5e10', { kind: 'literal', value: '-1.5e10' }],
    ["b'101'", { kind: 'literal', value: '101' }],
    ['current_timestamp(6)', { kind: 'expression', sql: 'current_timestamp(6)' }],
    ['curdate()', { kind: 'expression', sql: 'curdate()' }],
    ['(1 + 1)', { kind: 'expression', sql: '(1 + 1)' }],
  ] as const)('MariaDB %s', (raw, parsed) => {
    expect(parseMariadbDefault(raw)).toEqual(parsed);
  });

  it('MySQL prints literals bare and marks expressions in EXTRA', () => {
    expect(parseMysqlDefault('abc', '')).toEqual({ kind: 'literal', value: 'abc' });
    expect(parseMysqlDefault('CURRENT_TIMESTAMP', 'DEFAULT_GENERATED')).toEqual({
      kind: 'expression',
      sql: 'CURRENT_TIMESTAMP',
    });
    expect(parseMysqlDefault('(now() + 1)', 'DEFAULT_GENERATED')).toEqual({
      kind: 'expression',
      sql: '(now() + 1)',
    });
    expect(parseMysqlDefault(null, '')).toEqual({ kind: 'none' });
  });
});
