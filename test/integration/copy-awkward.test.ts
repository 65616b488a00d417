/**
 * The awkward-values fixture (NULL vs empty, quotes, backslashes, control characters, 4-byte
 * UTF-8, NUL bytes, integers past 2^53 up to 2^64−1, 30-digit decimals, FLOAT, TINYINT(1) holding
 * 2 and −1, microsecond timestamps) through every ordered engine pair, compared value by value.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { copyDatabase } from '../../src/engine/copy.js';
import { comparable, expectSameData, readDatabase } from '../helpers/compare.js';
import { fixtureDatabase } from '../helpers/datasets.js';
import { ENGINES, freshDatabase, type TestDatabase } from '../helpers/servers.js';

type Engine = (typeof ENGINES)[number];
const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

describe.each(ENGINES)('awkward values from %s', (sourceEngine: Engine) => {
  it.each(ENGINES)('arrive exactly in %s', async (targetEngine: Engine) => {
    const source = await fixtureDatabase(sourceEngine, 'awkward');
    const target = await freshDatabase(targetEngine, 'awkward_copy');
    cleanup.push(source, target);

    const result = await copyDatabase({ source: source.url, target: target.url });
    expect(result.tables.map((t) => t.error?.message ?? t.status)).toEqual(['copied']);
    expect(result.tables[0]?.rows).toBe(6);

    const before = await readDatabase(source.url);
    const after = await readDatabase(target.url);
    expectSameData(before, after);

    // The values the fixture exists for, checked by name rather than only against the source.
    const data = after.get('awkward')!;
    const column = (name: string) => data.table.columns.findIndex((c) => c.name === name);
    const value = (row: number, name: string) => {
      const c = column(name);
      return comparable(data.rows[row - 1]![c]!, data.table.columns[c]!.type);
    };
    expect(value(3, 'ubig')).toBe('18446744073709551615');
    expect(value(3, 'big')).toBe('9007199254740993');
    expect(value(3, 'dec')).toBe('1234567890.12345678901234567890123456789');
    expect(value(3, 'f32')).toBe(4056.666748046875);
    expect(value(3, 'flag')).toBe('2');
    expect(value(4, 'flag')).toBe('-1');
    expect(value(4, 'ts')).toBe('9999-12-31 23:59:59.999999');
    expect(value(1, 'label')).toBeNull();
    expect(value(2, 'label')).toBe('');
    expect(value(6, 'label')).toBe('\\N');
    expect(value(5, 'body')).toBe('NULL');
    expect(value(4, 'body')).toBe('line1\nline2\r\nline3');
    expect(value(5, 'label')).toBe('emoji 😀 𝄞 ñ e\u0301');
    expect(value(5, 'data')).toBe(
      `hex:${Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('hex')}`,
    );
  });
});
