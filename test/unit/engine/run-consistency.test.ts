import { describe, expect, it } from 'vitest';
import { tableConsistency } from '../../../src/engine/run-consistency.js';
import { identityChanges } from '../../../src/engine/run-plan.js';
import type { SnapshotRecord, TableState } from '../../../src/state/state-store.js';

const table = (name: string, snapshots: number[]): TableState => ({
  table: name,
  targetTable: name,
  chunks: 4,
  chunksDone: 4,
  rows: 10,
  bytes: 100,
  status: 'copied',
  snapshots,
});

const at = (seq: number, position?: Record<string, string>): SnapshotRecord => ({
  seq,
  takenAt: `2026-12-02T10:00:0${seq}Z`,
  ...(position ? { position } : {}),
});

describe('tableConsistency', () => {
  const snapshots = [
    at(1, { file: 'bin.1', position: '100' }),
    at(2, { file: 'bin.1', position: '100' }),
    at(3, { file: 'bin.1', position: '250' }),
  ];

  it.each([
    ['one snapshot', [1], true],
    ['two snapshots at one log position (nothing written between)', [1, 2], true],
    ['snapshots at two positions', [1, 3], false],
    ['a chunk whose snapshot is not known', [0, 1], false],
  ])('%s', (_, seen, consistent) => {
    const [result] = tableConsistency([table('t', seen as number[])], snapshots);
    expect(result!.consistent).toBe(consistent);
    expect(result!.position).toEqual({ file: 'bin.1', position: '100' });
  });

  it('never merges two snapshots of a source without a log position', () => {
    const [result] = tableConsistency([table('t', [1, 2])], [at(1), at(2)]);
    expect(result!.consistent).toBe(false);
    expect(result!.snapshots).toBe(2);
  });
});

describe('identityChanges', () => {
  it('names the entries that differ, in either direction', () => {
    expect(
      identityChanges(
        { source: 'a', chunkRows: 100, tables: null },
        { source: 'a', chunkRows: 200, exclude: ['x'] },
      ),
    ).toEqual(['chunkRows', 'tables', 'exclude']);
    expect(identityChanges({ source: 'a' }, { source: 'a' })).toEqual([]);
  });
});
