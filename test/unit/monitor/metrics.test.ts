import { describe, expect, it } from 'vitest';
import { RunMetrics } from '../../../src/monitor/metrics.js';
import { playRun } from './synthetic-run.js';

/** The value of one sample of the exposition text, e.g. `ferry_rows_copied_total{table="orders"}`. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('RunMetrics', () => {
  it('counts rows, bytes, chunks, throttling and errors from the events', async () => {
    let now = 0;
    const metrics = new RunMetrics({ now: () => now, rateWindowSeconds: 10 });
    now = 4000;
    playRun([metrics]);
    const text = await metrics.text();
    expect(sample(text, 'ferry_rows_copied_total{table="orders"}')).toBe(2500);
    expect(sample(text, 'ferry_rows_copied_total{table="notes"}')).toBe(400);
    expect(sample(text, 'ferry_bytes_copied_total{table="orders"}')).toBe(250_000);
    expect(sample(text, 'ferry_chunks_total{table="orders",status="done"}')).toBe(3);
    expect(sample(text, 'ferry_chunks_total{table="orders",status="retried"}')).toBe(1);
    expect(sample(text, 'ferry_chunks_total{table="notes",status="failed"}')).toBe(1);
    expect(sample(text, 'ferry_chunk_duration_seconds_count')).toBe(4);
    expect(sample(text, 'ferry_chunk_duration_seconds_sum')).toBeCloseTo(2.2, 9);
    expect(sample(text, 'ferry_chunk_duration_seconds_bucket{le="0.5"}')).toBe(3);
    expect(sample(text, 'ferry_throttle_pauses_total{reason="max-rows-per-second"}')).toBe(2);
    expect(sample(text, 'ferry_throttle_seconds_total{reason="max-rows-per-second"}')).toBe(0.75);
    expect(sample(text, 'ferry_tables_total{status="failed"}')).toBe(1);
    // The failed table and the failed step, as the report counts them.
    expect(sample(text, 'ferry_errors_total')).toBe(2);
    expect(sample(text, 'ferry_phase{phase="constraints"}')).toBe(1);
    expect(sample(text, 'ferry_phase{phase="data"}')).toBe(0);
    // 2900 rows in the 4 s since the start.
    expect(sample(text, 'ferry_rows_per_second')).toBe(725);
  });

  it('gives the current rate over its window, not the average since the start', async () => {
    let now = 0;
    const metrics = new RunMetrics({ now: () => now, rateWindowSeconds: 10 });
    now = 1000;
    metrics.onChunkDone({ table: 't', rows: 5000, bytes: 1, seconds: 1 });
    now = 20_000;
    metrics.onChunkDone({ table: 't', rows: 300, bytes: 1, seconds: 1 });
    expect(sample(await metrics.text(), 'ferry_rows_per_second')).toBe(30);
  });

  it('keeps each run in its own registry', async () => {
    const one = new RunMetrics();
    const two = new RunMetrics();
    one.onChunkDone({ table: 't', rows: 5, bytes: 1, seconds: 1 });
    expect(sample(await two.text(), 'ferry_rows_copied_total{table="t"}')).toBeUndefined();
    expect(sample(await one.text(), 'ferry_rows_copied_total{table="t"}')).toBe(5);
  });
});
