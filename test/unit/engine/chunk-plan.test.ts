import { describe, expect, it } from 'vitest';
import { rowsPerChunk } from '../../../src/engine/chunk-plan.js';
import { keyRangeText } from '../../../src/engine/key-range-text.js';
import { batchBytesFor, minimumMemory } from '../../../src/engine/memory-budget.js';
import { defaultParallel } from '../../../src/engine/parallelism.js';
import { chunkKeyOf, type Table } from '../../../src/schema/table.js';

const column = (name: string, nullable = false) => ({
  name,
  type: { kind: 'integer', bytes: 4, unsigned: false },
  nativeType: 'int',
  nullable,
});

function table(overrides: Partial<Table>): Table {
  return {
    name: 't',
    columns: [column('id'), column('code'), column('maybe', true)],
    primaryKey: [],
    indexes: [],
    foreignKeys: [],
    ...overrides,
  } as Table;
}

describe('chunkKeyOf', () => {
  it('takes the primary key first', () => {
    expect(chunkKeyOf(table({ primaryKey: ['id'] }))).toEqual(['id']);
  });

  it('falls back to a unique index of NOT NULL whole columns', () => {
    const indexes = [
      { name: 'ix_maybe', unique: true, columns: [{ name: 'maybe' }] },
      { name: 'ix_prefix', unique: true, columns: [{ name: 'code', prefixLength: 3 }] },
      { name: 'ix_plain', unique: false, columns: [{ name: 'id' }] },
      { name: 'ix_code', unique: true, columns: [{ name: 'code' }, { name: 'id' }] },
    ];
    expect(chunkKeyOf(table({ indexes }))).toEqual(['code', 'id']);
  });

  it('is undefined with neither', () => {
    expect(chunkKeyOf(table({ indexes: [{ name: 'x', unique: true, columns: [] }] }))).toBeUndefined();
  });
});

describe('rowsPerChunk', () => {
  it('uses the row target when rows are narrow or statistics are missing', () => {
    expect(rowsPerChunk(table({}), { rows: 1000, bytes: 1 << 20 })).toBe(1000);
    expect(
      rowsPerChunk(table({ estimatedRows: 10, estimatedBytes: 100 }), { rows: 1000, bytes: 1 << 20 }),
    ).toBe(1000);
  });

  it('takes fewer rows when rows are wide', () => {
    // 10 KiB rows, 1 MiB chunks: about 102 rows.
    const wide = table({ estimatedRows: 1000, estimatedBytes: 1000 * 10240 });
    expect(rowsPerChunk(wide, { rows: 100_000, bytes: 1 << 20 })).toBe(102);
  });
});

describe('keyRangeText', () => {
  it('spells 64-bit integers and binary so they read back exactly', () => {
    const text = keyRangeText({ after: [18446744073709551615n, Buffer.from([0, 255])], through: ['é', 1.5] });
    expect(JSON.parse(text)).toEqual({ after: ['18446744073709551615', '0x00ff'], through: ['é', 1.5] });
    expect(keyRangeText({})).toBe('{}');
  });
});

describe('memory budget', () => {
  it('shrinks batches as parallelism grows, within bounds', () => {
    const budget = 256 * 1024 * 1024;
    expect(batchBytesFor(budget, 2)).toBe(1024 * 1024);
    expect(batchBytesFor(128 * 1024 * 1024, 16)).toBeLessThan(batchBytesFor(128 * 1024 * 1024, 4));
    expect(batchBytesFor(minimumMemory(8), 8)).toBe(64 * 1024);
    expect(batchBytesFor(1, 8)).toBe(64 * 1024);
  });

  it('defaults to one chunk per core, two to eight', () => {
    expect(defaultParallel(1)).toBe(2);
    expect(defaultParallel(4)).toBe(4);
    expect(defaultParallel(64)).toBe(8);
  });
});
