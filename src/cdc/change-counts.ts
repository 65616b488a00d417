/** Inserts, updates and deletes per target table, as the sync counts and reports them. */
import type { ChangeCounts } from './applier.js';
import type { RowChange } from './change.js';

type Entry = ChangeCounts[string];

function entryOf(counts: ChangeCounts, table: string): Entry {
  let entry = counts[table];
  if (!entry) {
    entry = { inserts: 0, updates: 0, deletes: 0 };
    counts[table] = entry;
  }
  return entry;
}

/** Adds the changes to `counts` (by target table; a TRUNCATE counts nothing) and returns it. */
export function addCounts(counts: ChangeCounts, changes: readonly RowChange[]): ChangeCounts {
  for (const change of changes) {
    if (change.kind === 'truncate') continue;
    const entry = entryOf(counts, change.relation.name);
    if (change.kind === 'insert') entry.inserts++;
    else if (change.kind === 'update') entry.updates++;
    else entry.deletes++;
  }
  return counts;
}

/** Adds `counts` into `into`. */
export function mergeCounts(into: ChangeCounts, counts: ChangeCounts): void {
  for (const [table, entry] of Object.entries(counts)) {
    const total = entryOf(into, table);
    total.inserts += entry.inserts;
    total.updates += entry.updates;
    total.deletes += entry.deletes;
  }
}
