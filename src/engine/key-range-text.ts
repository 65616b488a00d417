/** The text form of a chunk's key range, as the progress table records it and people read it. */
import type { KeyRange } from '../connectors/connector.js';
import type { CanonicalValue } from '../values/canonical.js';

/**
 * `{"after":[17],"through":[42]}`: JSON with 64-bit integers as decimal strings and binary as
 * `0x…` hex, so the boundaries read back exactly; an open bound is left out (`{}` = the whole table).
 */
export function keyRangeText(range: KeyRange): string {
  const plain: Record<string, unknown[]> = {};
  if (range.after) plain.after = range.after.map(plainValue);
  if (range.through) plain.through = range.through.map(plainValue);
  return JSON.stringify(plain);
}

function plainValue(value: CanonicalValue): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `0x${value.toString('hex')}`;
  return value;
}
