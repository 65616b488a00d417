import { describe, expect, it } from 'vitest';
import { emit } from '../../../src/engine/events.js';
import { JsonLog } from '../../../src/monitor/json-log.js';
import { registerSecret } from '../../../src/secrets.js';
import type { TableVerifyResult } from '../../../src/verify/verify-result.js';
import { playRun } from './synthetic-run.js';

function collect() {
  const chunks: string[] = [];
  return { chunks, write: (text: string) => chunks.push(text) };
}

describe('JsonLog', () => {
  it('writes one JSON line per event, in order, with time, level and event name', () => {
    const out = collect();
    playRun([new JsonLog(out)]);
    // One write per line: nothing is buffered, nothing split.
    expect(
      out.chunks.every((chunk) => chunk.endsWith('\n') && chunk.indexOf('\n') === chunk.length - 1),
    ).toBe(true);
    const lines = out.chunks.map((chunk) => JSON.parse(chunk));
    expect(lines.map((line) => line.event)).toEqual([
      'connected',
      'phase',
      'phase',
      'snapshot',
      'table.start',
      'chunk.done',
      'table.start',
      'chunk.retry',
      'throttle',
      'chunk.done',
      'chunk.done',
      'chunk.failed',
      'table.done',
      'throttle',
      'chunk.done',
      'table.done',
      'phase',
      'error',
    ]);
    for (const line of lines) expect(Date.parse(line.time)).not.toBeNaN();
    expect(lines[5]).toMatchObject({
      level: 'info',
      table: 'orders',
      chunk: 0,
      chunks: 3,
      rows: 1000,
      bytes: 100_000,
    });
    expect(lines[7]).toMatchObject({ level: 'warn', reason: 'connection lost', attempt: 1 });
    expect(lines[11]).toMatchObject({
      level: 'error',
      table: 'notes',
      chunk: 1,
      error: { code: 'CHUNK_FAILED' },
    });
    expect(lines[12]).toMatchObject({
      level: 'error',
      status: 'failed',
      rows: 400,
      error: { code: 'CHUNK_FAILED' },
    });
    expect(lines[15]).toMatchObject({ level: 'info', status: 'copied', rows: 2500, chunks: 3, retries: 1 });
    expect(lines[17]).toMatchObject({
      level: 'error',
      error: { code: 'CONSTRAINTS_FAILED', message: 'creating indexes: duplicate key' },
    });
  });

  it('never shows a password: URLs and registered secrets are redacted, even inside JSON escapes', () => {
    registerSecret('pa"ss\\word');
    const out = collect();
    const log = new JsonLog(out);
    playRun([log]);
    log.onWarning({ message: 'server said: bad password pa"ss\\word' });
    const text = out.chunks.join('');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('pa\\"ss');
    expect(text).toContain('postgres://app:***@db/x');
    expect(JSON.parse(out.chunks.at(-1)!).message).toBe('server said: bad password ***');
  });

  it('logs a verify table by table, with counts rather than the differing rows', () => {
    const out = collect();
    const log = new JsonLog(out);
    const done: TableVerifyResult = {
      table: 'orders',
      targetTable: 'orders',
      status: 'different',
      mode: 'native',
      hashedInFerry: [],
      chunks: 1,
      chunksDiffering: 1,
      sourceRows: 2,
      targetRows: 1,
      counts: { missing: 1, extra: 0, different: 0 },
      differences: [{ kind: 'missing', key: { id: '2' } }],
      unresolved: 0,
      seconds: 0.1,
    };
    emit([log], 'onVerifyTableStart', { table: 'orders', targetTable: 'orders', chunks: 1, mode: 'native' });
    emit([log], 'onVerifyChunk', { table: 'orders', chunk: 0, chunks: 1, rows: 2, equal: false });
    emit([log], 'onVerifyTableDone', done);
    const lines = out.chunks.map((chunk) => JSON.parse(chunk));
    expect(lines.map((line) => line.event)).toEqual([
      'verify.table.start',
      'verify.chunk',
      'verify.table.done',
    ]);
    expect(lines[2]).toMatchObject({
      level: 'error',
      status: 'different',
      counts: { missing: 1 },
      listed: 1,
    });
    expect(lines[2].differences).toBeUndefined();
  });
});
