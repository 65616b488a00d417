/**
 * A plan's `where` inside a connector's own statements (ReadOptions.where): the user's condition,
 * in the engine's dialect, parenthesised and ANDed after the key range's condition, so that its
 * `OR` cannot reach into the range and its parameters (if the engine has any) bind after the range's.
 */
import type { Table } from '../schema/table.js';

/** The condition a read or checksum applies: the options' `where`, else the table's `rowFilter`. */
export function rowFilterOf(table: Table, options: { where?: string | undefined }): string | undefined {
  const where = options.where ?? table.rowFilter;
  return where === undefined || where.trim() === '' ? undefined : where;
}

/** ` WHERE …` of a key range (or empty) with the condition ANDed after it; unchanged without one. */
export function withRowFilter(rangeWhere: string, where: string | undefined): string {
  if (where === undefined) return rangeWhere;
  // The line break ends a trailing `-- comment` of the condition before its closing parenthesis.
  const condition = `(${where}\n)`;
  return rangeWhere === '' ? ` WHERE ${condition}` : `${rangeWhere} AND ${condition}`;
}

/** For error messages: which rows a failed statement was about. */
export function rowFilterText(where: string | undefined): string {
  return where === undefined ? '' : ` with the plan's condition \`${where}\``;
}
