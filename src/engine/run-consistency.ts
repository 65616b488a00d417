/**
 * What a run may claim about consistency (DESIGN.md principle 4): a table whose chunks were all
 * read at one snapshot is consistent as of that snapshot's position; a table whose chunks span
 * snapshots of several attempts (the first one's snapshot died with its process) is *not
 * consistent since* the first position, unless the source's log did not move in between.
 */
import type { SnapshotRecord, TableState } from '../state/state-store.js';

/** One table's consistency after a run. */
export interface TableConsistency {
  table: string;
  consistent: boolean;
  /** The position it is consistent at, or the one it is not consistent since. */
  position?: Record<string, string>;
  /** When that snapshot was taken. */
  takenAt?: string;
  /** How many attempts' snapshots its chunks were read at. */
  snapshots: number;
}

/**
 * Two snapshots show the same data when the source's log stood at the same place at both (a
 * MariaDB binlog position, a PostgreSQL LSN). A source without a log position (SQLite) cannot
 * show that, so two of its snapshots never count as one.
 */
function viewOf(snapshot: SnapshotRecord | undefined): string {
  if (!snapshot) return 'unknown';
  return snapshot.position ? JSON.stringify(snapshot.position) : `snapshot ${snapshot.seq}`;
}

/** The consistency of every table the store knows, from the snapshots its chunks were read at. */
export function tableConsistency(tables: TableState[], snapshots: SnapshotRecord[]): TableConsistency[] {
  const bySeq = new Map(snapshots.map((snapshot) => [snapshot.seq, snapshot]));
  return tables.map((table) => {
    const seen = table.snapshots.map((seq) => bySeq.get(seq));
    const views = new Set(seen.map(viewOf));
    const first = seen.find((snapshot) => snapshot !== undefined);
    return {
      table: table.table,
      consistent: views.size <= 1 && !views.has('unknown'),
      ...(first?.position ? { position: first.position } : {}),
      ...(first ? { takenAt: first.takenAt } : {}),
      snapshots: views.size,
    };
  });
}
