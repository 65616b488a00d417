/**
 * Reads whole tables through Ferry's own connectors and compares them value by value, normalising
 * only what differs in spelling between engines (decimal zeros, booleans stored as integers).
 */
import { expect } from 'vitest';
import type { ReadOptions } from '../../src/connectors/connector.js';
import { createConnector } from '../../src/connectors/registry.js';
import type { LogicalType } from '../../src/schema/logical-type.js';
import { copiedColumns, type Table } from '../../src/schema/table.js';
import { type CanonicalValue, normalizeDecimal, normalizeTemporal } from '../../src/values/canonical.js';

/** A table's rows as canonical values, sorted by primary key, plus its described schema. */
export interface TableData {
  table: Table;
  rows: CanonicalValue[][];
}

/** Reads every row of the named tables (all tables when omitted) of a database. */
export async function readDatabase(
  url: string,
  tables?: string[],
  options: Pick<ReadOptions, 'targetDialect' | 'coercions'> = {},
): Promise<Map<string, TableData>> {
  const connector = await createConnector(url);
  await connector.connect();
  try {
    const schema = await connector.introspect(tables ? { tables } : undefined);
    const out = new Map<string, TableData>();
    for (const table of schema.tables) {
      const rows: CanonicalValue[][] = [];
      for await (const batch of connector.read(table, { batchRows: 1000, batchBytes: 1 << 20, ...options })) {
        rows.push(...batch.rows);
      }
      out.set(table.name, { table, rows });
    }
    return out;
  } finally {
    await connector.close();
  }
}

/** A comparable form of a value, independent of the engine that produced it. */
export function comparable(value: CanonicalValue, type: LogicalType): unknown {
  if (value === null) return null;
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'bigint') return value.toString();
  if (type.kind === 'decimal' && typeof value === 'string') return normalizeDecimal(value);
  if (
    (type.kind === 'time' || type.kind === 'datetime' || type.kind === 'timestamptz') &&
    typeof value === 'string'
  ) {
    return normalizeTemporal(value);
  }
  // Spelled out: JSON.stringify would turn NaN and ±Infinity into "null" and hide a change.
  if (typeof value === 'number')
    return Object.is(value, -0) ? '-0' : Number.isFinite(value) ? value : String(value);
  if (Buffer.isBuffer(value)) return `hex:${value.toString('hex')}`;
  return value;
}

/** Asserts that every table of `source` arrived in `target` with the same rows and values. */
export function expectSameData(source: Map<string, TableData>, target: Map<string, TableData>): void {
  expect([...target.keys()].sort()).toEqual([...source.keys()].sort());
  for (const [name, { table, rows }] of source) {
    const copy = target.get(name)!;
    const columns = copiedColumns(table);
    expect(
      copiedColumns(copy.table).map((c) => c.name),
      `columns of ${name}`,
    ).toEqual(columns.map((c) => c.name));
    expect(copy.rows.length, `rows of ${name}`).toBe(rows.length);
    rows.forEach((row, r) => {
      const other = copy.rows[r]!;
      columns.forEach((column, c) => {
        const expected = comparable(row[c]!, column.type);
        const actual = comparable(other[c]!, copiedColumns(copy.table)[c]!.type);
        if (expected !== actual && JSON.stringify(expected) !== JSON.stringify(actual)) {
          expect(actual, `${name}.${column.name} row ${r + 1}`).toEqual(expected);
        }
      });
    });
  }
}
