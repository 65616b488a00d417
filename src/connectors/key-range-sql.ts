/**
 * The WHERE clause of a key range (connector.ts KeyRange), the same in every dialect: tuples
 * compared lexicographically and spelt out — `a > x OR (a = x AND b > y)` — led by the redundant
 * `a >= x` so that every engine's optimizer scans a range of the leading column's index. Each
 * connector renders one column's comparison (binary order, its own literals or parameters).
 */
import { DatabaseError } from '../errors.js';
import type { CanonicalValue } from '../values/canonical.js';
import type { KeyRange } from './connector.js';

/** A comparison of one key column with one bound value. */
export type KeyComparison = '>' | '>=' | '=' | '<' | '<=';

/** Renders `column[at] op value`; called in the order the text reads (parameters bind in order). */
export type CompareKeyColumn = (at: number, op: KeyComparison, value: CanonicalValue) => string;

function tupleBound(
  width: number,
  values: CanonicalValue[],
  after: boolean,
  compare: CompareKeyColumn,
): string {
  if (values.length !== width) {
    throw new DatabaseError(
      'CHUNK_RANGE_SHAPE',
      `A key range bound has ${values.length} values for a key of ${width} columns.`,
    );
  }
  const strict = after ? '>' : '<';
  const nested = (at: number): string => {
    const value = values[at]!;
    if (at === width - 1) return compare(at, after ? '>' : '<=', value);
    const head = compare(at, strict, value);
    const equal = compare(at, '=', value);
    return `(${head} OR (${equal} AND ${nested(at + 1)}))`;
  };
  if (width === 1) return nested(0);
  const lead = compare(0, after ? '>=' : '<=', values[0]!);
  return `${lead} AND ${nested(0)}`;
}

/** ` WHERE …` for the range of a key of `width` columns; empty for `{}`. */
export function keyRangeWhere(width: number, range: KeyRange, compare: CompareKeyColumn): string {
  const parts: string[] = [];
  if (range.after) parts.push(`(${tupleBound(width, range.after, true, compare)})`);
  if (range.through) parts.push(`(${tupleBound(width, range.through, false, compare)})`);
  return parts.length > 0 ? ` WHERE ${parts.join(' AND ')}` : '';
}

/** ` WHERE …` matching exactly the rows whose key is one of `keys`: `(a = x AND b = y) OR …`. */
export function keyListWhere(
  width: number,
  keys: readonly CanonicalValue[][],
  compare: CompareKeyColumn,
): string {
  if (keys.length === 0) return ' WHERE 1 = 0';
  const tuples = keys.map((values) => {
    if (values.length !== width) {
      throw new DatabaseError(
        'CHUNK_RANGE_SHAPE',
        `A key has ${values.length} values for a key of ${width} columns.`,
      );
    }
    const parts = values.map((value, at) => compare(at, '=', value));
    return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
  });
  return ` WHERE ${tuples.join(' OR ')}`;
}
