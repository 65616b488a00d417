import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from '../../../src/state/sqlite/sqlite-state-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const statePath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-state-'));
  dirs.push(dir);
  return join(dir, 'nested', 'plan.db');
};

describe('SQLite state store', () => {
  it('keeps a run, its chunk plan, snapshots and checkpoints across reopenings', () => {
    const path = statePath();
    const store = openSqliteStateStore(path);
    expect(store.run()).toBeUndefined();
    store.startRun({ id: 'run-1', planName: 'shop', identity: '{"source":"x"}' });
    store.beginAttempt(4242);
    store.recordTablesToCreate(['orders', 'customers']);
    store.recordPhase('schema');
    store.recordChunksPlanned({
      table: 'orders',
      targetTable: 'orders',
      key: ['id'],
      ranges: [{ through: [100n] }, { after: [100n] }],
      estimatedRows: 200,
    });
    store.recordPhase('data');
    const seq = store.recordSnapshot({
      takenAt: '2026-12-02T10:00:00Z',
      position: { lsn: '0/1' },
      readers: 2,
    });
    store.recordTableStart('orders');
    store.recordChunkDone({ table: 'orders', chunk: 1, rows: 100, bytes: 999, snapshot: seq });
    store.close();

    const again = openSqliteStateStore(path);
    const run = again.run()!;
    expect(run).toMatchObject({
      id: 'run-1',
      planName: 'shop',
      attempts: 1,
      pid: 4242,
      phase: 'data',
      status: 'running',
    });
    expect([...again.phasesBegun()].sort()).toEqual(['data', 'schema']);
    expect(again.tablesToCreate()).toEqual(['customers', 'orders']);
    expect(again.chunkPlans().get('orders')).toEqual({
      key: ['id'],
      ranges: [{ through: [100n] }, { after: [100n] }],
    });
    expect(again.snapshots()).toEqual([
      { seq: 1, takenAt: '2026-12-02T10:00:00Z', position: { lsn: '0/1' } },
    ]);
    const [orders] = again.tables();
    expect(orders).toMatchObject({
      table: 'orders',
      chunks: 2,
      chunksDone: 1,
      rows: 100,
      bytes: 999,
      status: 'copying',
      snapshots: [1],
    });
    // A second report of a done chunk (found committed by a later attempt) changes nothing.
    again.recordChunkDone({ table: 'orders', chunk: 1, rows: 100, bytes: 999, snapshot: 7 });
    expect(again.chunks('orders')[1]).toMatchObject({ done: true, snapshot: 1 });
    again.beginAttempt(5151);
    expect(again.run()).toMatchObject({ attempts: 2, pid: 5151 });
    again.finishRun('finished', '{"ok":true}');
    expect(again.run()).toMatchObject({ status: 'finished', report: '{"ok":true}' });
    // --restart forgets everything.
    again.startRun({ id: 'run-2', planName: 'shop', identity: '{}' });
    expect(again.run()).toMatchObject({ id: 'run-2', attempts: 0 });
    expect(again.tables()).toEqual([]);
    expect(again.snapshots()).toEqual([]);
    again.close();
  });

  it('opens read-only for status and refuses a missing file with what to do', () => {
    const path = statePath();
    expect(() => openSqliteStateStore(path, { readonly: true })).toThrow(/ferry run/);
    openSqliteStateStore(path).close();
    const reader = openSqliteStateStore(path, { readonly: true });
    expect(reader.run()).toBeUndefined();
    reader.close();
  });

  it('hands a cutover request from one process to another and keeps the latest sync progress', () => {
    const path = statePath();
    const running = openSqliteStateStore(path);
    running.startRun({ id: 'run-1', planName: 'shop', identity: '{}' });
    expect(running.cutover()).toBeUndefined();
    expect(running.syncProgress()).toBeUndefined();
    const progress = {
      at: '2026-12-02T10:00:00.000Z',
      stream: 'shop',
      appliedPosition: { lsn: '0/10' },
      lagSeconds: 0.5,
      pendingChanges: 3,
      appliedTransactions: 7,
      appliedChanges: 12,
      changesPerSecond: 4,
      tables: { orders: { inserts: 10, updates: 1, deletes: 1 } },
    };
    running.recordSyncProgress(progress);
    running.recordSyncProgress({ ...progress, appliedChanges: 20 });

    const asking = openSqliteStateStore(path);
    expect(asking.syncProgress()?.appliedChanges).toBe(20);
    asking.requestCutover({ maxLagSeconds: 2, timeoutSeconds: 60, readOnly: false });
    expect(running.cutover()).toMatchObject({ status: 'requested', request: { maxLagSeconds: 2 } });
    running.recordCutover('done', '{"finalPosition":{"lsn":"0/20"}}');
    expect(asking.cutover()).toMatchObject({ status: 'done', result: '{"finalPosition":{"lsn":"0/20"}}' });
    // --restart forgets them with the rest of the run.
    running.startRun({ id: 'run-2', planName: 'shop', identity: '{}' });
    expect(asking.cutover()).toBeUndefined();
    expect(asking.syncProgress()).toBeUndefined();
    running.close();
    asking.close();
  });
});
