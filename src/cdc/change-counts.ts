/**
 * Counting what a transaction applies, per target table, for `ApplySession.commit` and the sync
 * counts table. A truncate counts nothing: it says no number of rows.
 */
import type { ChangeCounts } from './applier.js';
import type { RowChange } from './change.js';

/** Adds the inserts, updates and deletes of `changes` to `into` (a new record by default) and returns it. */
export function countChanges(changes: readonly RowChange[], into: ChangeCounts = {}): ChangeCounts {
  for (const change of changes) {
    if (change.kind === 'truncate') continue;
    const name = change.relation.name;
    const counts = tableCounts(into, name);
    if (change.kind === 'insert') counts.inserts++;
    else if (change.kind === 'update') counts.updates++;
    else counts.deletes++;
  }
  return into;
}

/** Adds `more` to `into`, table by table, and returns `into`. */
export function addCounts(into: ChangeCounts, more: ChangeCounts): ChangeCounts {
  for (const [name, counts] of Object.entries(more)) {
    const sum = tableCounts(into, name);
    sum.inserts += counts.inserts;
    sum.updates += counts.updates;
    sum.deletes += counts.deletes;
  }
  return into;
}

function tableCounts(counts: ChangeCounts, name: string): ChangeCounts[string] {
  let entry = counts[name];
  if (!entry) {
    entry = { inserts: 0, updates: 0, deletes: 0 };
    counts[name] = entry;
  }
  return entry;
}
