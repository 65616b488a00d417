import { describe, expect, it } from 'vitest';
import {
  loadWarningError,
  sanitizeServerMessage,
  warningPlace,
} from '../../../../src/connectors/mysql/load-warnings.js';
import { ValueError } from '../../../../src/errors.js';
import type { Table } from '../../../../src/schema/table.js';

const table: Table = {
  name: 't',
  columns: [
    {
      name: 'id',
      type: { kind: 'integer', bits: 32, unsigned: false },
      nativeType: 'int(11)',
      nullable: false,
    },
    { name: 'j', type: { kind: 'json' }, nativeType: 'longtext', nullable: true },
  ],
  primaryKey: ['id'],
  indexes: [{ name: 'uq_code', columns: [{ name: 'a' }, { name: 'b' }], unique: true }],
  foreignKeys: [],
};

describe('LOAD DATA warnings', () => {
  it.each([
    ["Out of range value for column 'small' at row 3", { columns: ['small'], row: 3 }],
    ["Data truncated for column 'na''me' at row 12", { columns: ["na'me"], row: 12 }],
    ["Incorrect integer value: 'abc' for column `db`.`t`.`x` at row 2", { columns: ['x'], row: 2 }],
    [
      "Column set to default value; NULL supplied to NOT NULL column 'n' at row 1",
      { columns: ['n'], row: 1 },
    ],
    ["Duplicate entry '1' for key 'PRIMARY'", { columns: ['id'] }],
    ["Duplicate entry 'x-y' for key 't.uq_code'", { columns: ['a', 'b'] }],
    ['CONSTRAINT `t.j` failed for `db`.`t`', { columns: ['j'] }],
    ["Row 4 doesn't contain data for all columns", { columns: [], row: 4 }],
  ])('%s', (message, place) => {
    expect(warningPlace(message, table)).toEqual(place);
  });

  it('hides the values servers quote', () => {
    expect(sanitizeServerMessage("Duplicate entry 'secret' for key 'PRIMARY'")).toBe(
      "Duplicate entry for key 'PRIMARY'",
    );
    expect(sanitizeServerMessage("Incorrect datetime value: 'secret' for column `d`.`t`.`x` at row 1")).toBe(
      'Incorrect datetime value for column `d`.`t`.`x` at row 1',
    );
    expect(sanitizeServerMessage("Truncated incorrect DOUBLE value: 'secret'")).toBe(
      'Truncated incorrect DOUBLE value',
    );
  });

  it('builds a ValueError from the first real warning, naming column, row and key', () => {
    const error = loadWarningError(
      table,
      [
        { Level: 'Note', Code: 4038, Message: 'Syntax error in JSON text' },
        { Level: 'Warning', Code: 1264, Message: "Out of range value for column 'id' at row 2" },
      ],
      2,
      (row) => (row === 2 ? 'id=99' : undefined),
    );
    expect(error).toBeInstanceOf(ValueError);
    expect(error.column).toBe('id');
    expect(error.message).toContain('table "t", column "id", row 2 of this write, key id=99');
    expect(error.message).toContain('(2 warnings in all)');
  });
});
