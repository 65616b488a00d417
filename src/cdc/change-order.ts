/**
 * Puts the changes of a group of source transactions (transaction-group.ts) in an order whose
 * changes of one kind on one table come together, so that the steps (apply-steps.ts) merge them
 * into few multi-row statements: source transactions interleave inserts, updates and deletes of
 * several tables, and only consecutive changes merge. A change never moves before an earlier
 * change it shares an item with (write-set.ts: its row's keys, its parents' keys, the whole table
 * where the stream cannot tell), nor across a TRUNCATE, so every row ends as the source's order
 * leaves it. Targets that run triggers (MariaDB, SQLite) may see rows of different tables change
 * in another order than the source did; the end state is the same.
 */

import { keyIdentity, keyPositions, newKeyOf } from './apply-steps.js';
import type { ChangeRelation, RowChange } from './change.js';
import { UNCHANGED } from './change.js';
import type { WriteSets } from './write-set.js';

/** A relation's number in this group and where its key columns are. */
interface RelationShape {
  id: number;
  keyAt: number[];
}

/** Changes that may merge into one statement: one table, one kind, the same columns sent. */
interface Cluster {
  changes: RowChange[];
}

/** The changes reordered by cluster; the input is left as it is. */
export function clusterChanges(changes: readonly RowChange[], writeSets: WriteSets): RowChange[] {
  const clusters: Cluster[] = [];
  /** Per item: the index of the last cluster that holds a change with it. */
  const lastWith = new Map<string, number>();
  /** Per kind of change: the index of the newest cluster of that kind. */
  const newest = new Map<string, number>();
  const relations = new Map<ChangeRelation, RelationShape>();
  let barrier = -1;
  for (const change of changes) {
    if (change.kind === 'truncate') {
      clusters.push({ changes: [change] });
      barrier = clusters.length - 1;
      continue;
    }
    const items = writeSets.itemsOf(change);
    let after = barrier;
    for (const item of items) {
      const at = lastWith.get(item);
      if (at !== undefined && at > after) after = at;
    }
    const kind = kindOf(change, relations);
    let at = kind === undefined ? undefined : newest.get(kind);
    if (at === undefined || at < after) {
      clusters.push({ changes: [] });
      at = clusters.length - 1;
      if (kind !== undefined) newest.set(kind, at);
    }
    clusters[at]!.changes.push(change);
    for (const item of items) lastWith.set(item, at);
  }
  return clusters.flatMap((cluster) => cluster.changes);
}

/** The cluster kind of a change, or undefined for one that is a statement of its own (a key change). */
function kindOf(
  change: Exclude<RowChange, { kind: 'truncate' }>,
  relations: Map<ChangeRelation, RelationShape>,
): string | undefined {
  let shape = relations.get(change.relation);
  if (!shape) {
    shape = { id: relations.size, keyAt: keyPositions(change.relation) };
    relations.set(change.relation, shape);
  }
  const { id } = shape;
  if (change.kind === 'insert') return `${id}i`;
  if (change.kind === 'delete') return `${id}d`;
  const { key, row } = change;
  const newKey = newKeyOf(key, row, shape.keyAt);
  if (keyIdentity(newKey) !== keyIdentity(key)) return undefined;
  return `${id}u${row.map((value) => (value === UNCHANGED ? '0' : '1')).join('')}`;
}
