import { describe, expect, it } from 'vitest';
import {
  isSameColumnSet,
  positionText,
  relationTable,
  storedPosition,
} from '../../../src/cdc/sync-records.js';
import { TransactionCoercions } from '../../../src/cdc/transaction-coercions.js';
import { FerryError } from '../../../src/errors.js';
import { Coercions } from '../../../src/values/coercions.js';

describe('stored positions', () => {
  it('read back what they wrote', () => {
    const position = { key: '0000000042', fields: { file: 'bin.000001', position: '42', gtid: '0-1-7' } };
    expect(storedPosition(position.key, positionText(position))).toEqual(position);
  });

  it.each(['not json', '[1]', '{"a":1}', 'null'])('refuse %s', (text) => {
    expect(() => storedPosition('k', text)).toThrow(FerryError);
  });
});

describe('isSameColumnSet', () => {
  it.each<[string[], string[], boolean, boolean]>([
    [['a', 'b'], ['b', 'a'], false, true],
    [['a'], ['a', 'b'], false, false],
    [['A'], ['a'], false, false],
    [['A'], ['a'], true, true],
  ])('%j vs %j (fold %s): %s', (columns, key, fold, same) => {
    expect(isSameColumnSet(columns, key, fold)).toBe(same);
  });

  it('sees a relation as a table keyed by its identity', () => {
    const table = relationTable({ name: 't', columns: [], key: ['id'] });
    expect(table).toMatchObject({ name: 't', primaryKey: ['id'], indexes: [], foreignKeys: [] });
  });
});

describe('TransactionCoercions', () => {
  it("follows the base's rules and adds counts only for committed transactions", () => {
    const base = new Coercions([{ loss: 'zero-date', action: 'null' }]);
    const coercions = new TransactionCoercions(base);
    expect(coercions.action('zero-date', 't', 'c')).toBe('null');
    expect(coercions.action('too-long', 't', 'c')).toBe('error');
    coercions.applied('zero-date', 't', 'c', 'null', 2);
    coercions.rollback();
    expect(base.counts()).toEqual([]);
    coercions.applied('zero-date', 't', 'c', 'null', 3);
    coercions.commit();
    coercions.applied('zero-date', 't', 'c', 'null');
    expect(base.counts()).toEqual([
      { table: 't', column: 'c', loss: 'zero-date', action: 'null', values: 3 },
    ]);
  });
});
