/**
 * Names a row in error messages by its primary key values only (never other values), so that a
 * ValueError says where the bad value is without leaking data.
 */
import type { Column } from '../../schema/table.js';
import type { CanonicalValue } from '../../values/canonical.js';

/** Positions of the primary key columns among `columns`. */
export function keyPositions(columns: Column[], primaryKey: string[]): number[] {
  return primaryKey
    .map((name) => columns.findIndex((column) => column.name.toLowerCase() === name.toLowerCase()))
    .filter((at) => at >= 0);
}

function show(value: CanonicalValue | bigint | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (Buffer.isBuffer(value)) return `x'${value.toString('hex')}'`;
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** `key id=3`, `key (a, b)=(1, "x")`, or `row 17` when the table has no primary key. */
export function describeRowKey(
  columns: Column[],
  positions: number[],
  row: ReadonlyArray<CanonicalValue | bigint | number | string | Buffer>,
  ordinal: number,
): string {
  if (positions.length === 0) return `row ${ordinal} (the table has no primary key)`;
  const names = positions.map((at) => columns[at]!.name);
  const values = positions.map((at) => show(row[at] as CanonicalValue));
  return names.length === 1
    ? `key ${names[0]}=${values[0]}`
    : `key (${names.join(', ')})=(${values.join(', ')})`;
}

/** The key for `lossError`: `id=3` or `a=1, b="x"`, or `row 17 (no primary key)`. */
export function rowKeyText(
  columns: Column[],
  positions: number[],
  row: ReadonlyArray<CanonicalValue | bigint | number | string | Buffer>,
  ordinal: number,
): string {
  if (positions.length === 0) return `row ${ordinal} (no primary key)`;
  return positions.map((at) => `${columns[at]!.name}=${show(row[at] as CanonicalValue)}`).join(', ');
}
