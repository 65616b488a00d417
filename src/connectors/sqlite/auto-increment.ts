/**
 * SQLite's two kinds of rowid alias: a plain INTEGER PRIMARY KEY hands out max(rowid)+1 (and may
 * reuse a deleted highest id); with AUTOINCREMENT it never reuses one and keeps a high-water mark
 * in `sqlite_sequence`, which the neutral model calls `strict`.
 */
import type { Column } from '../../schema/table.js';

/** Whether a column was introspected from an AUTOINCREMENT rowid alias. */
export function isStrictAutoIncrement(column: Column): boolean {
  return column.autoIncrement?.strict === true;
}
