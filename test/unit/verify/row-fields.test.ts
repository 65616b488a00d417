import { describe, expect, it } from 'vitest';
import type { LogicalType } from '../../../src/schema/logical-type.js';
import { fieldRenderer } from '../../../src/verify/row-fields.js';

const JSON_TYPE: LogicalType = { kind: 'json', binary: true };
const TEXT: LogicalType = { kind: 'text' };
const INT: LogicalType = { kind: 'integer', bits: 64, unsigned: false };

describe('fieldRenderer', () => {
  it('renders a column the databases hash exactly as its canonical field', () => {
    expect(fieldRenderer(TEXT, true, 'canonical')('héllo')).toBe('6:héllo');
    expect(fieldRenderer(INT, true, 'canonical')(42n)).toBe('42');
    expect(fieldRenderer(TEXT, true, 'canonical')(null)).toBe('\\N');
  });

  it('normalises JSON hashed in Ferry, so jsonb key order and number spelling do not differ', () => {
    const render = fieldRenderer(JSON_TYPE, false, 'canonical');
    expect(render('{"b": 1e2, "a": [1.50, "x"]}')).toBe(render('{"a":[1.5,"x"],"b":100}'));
    expect(render('{"a": 1}')).not.toBe(render('{"a": 2}'));
    // Text that is not JSON is compared as it is.
    expect(render('not json')).toBe('8:not json');
  });

  it('keeps the stored JSON text when both databases hash it in SQL', () => {
    const render = fieldRenderer(JSON_TYPE, true, 'canonical');
    expect(render('{"b":1,"a":2}')).not.toBe(render('{"a":2,"b":1}'));
  });

  it('tells storage classes apart in native mode only', () => {
    const untyped: LogicalType = { kind: 'other', name: 'untyped' };
    const native = fieldRenderer(untyped, true, 'native');
    expect(native(5n)).not.toBe(native('5'));
    expect(native(null)).toBe('\\N');
  });
});
