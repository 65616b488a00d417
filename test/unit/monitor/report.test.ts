import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/monitor/report.js';
import { renderJson, renderMarkdown } from '../../../src/monitor/report-render.js';
import type { VerifyResult } from '../../../src/verify/verify-result.js';
import { RESULT } from './synthetic-run.js';

const VERIFIED: VerifyResult = {
  ok: false,
  seconds: 1.5,
  tables: [
    {
      table: 'orders',
      targetTable: 'orders',
      status: 'different',
      mode: 'canonical',
      hashedInFerry: [],
      chunks: 3,
      chunksDiffering: 1,
      sourceRows: 2500,
      targetRows: 2499,
      counts: { missing: 1, extra: 0, different: 2 },
      differences: [],
      unresolved: 0,
      seconds: 1.5,
    },
  ],
};

describe('buildReport', () => {
  const report = buildReport(RESULT, { verify: VERIFIED });

  it('computes per table throughput, errors, consistency and verification', () => {
    const [orders, notes] = report.tables;
    expect(orders).toMatchObject({
      rows: 2500,
      seconds: 2,
      rowsPerSecond: 1250,
      megabytesPerSecond: 0.125,
      retries: 1,
      errors: [],
      consistency: 'consistent at 2026-01-02T03:04:05.000Z (lsn 0/16B3748)',
      verification: {
        status: 'different',
        sourceRows: 2500,
        targetRows: 2499,
        missing: 1,
        extra: 0,
        different: 2,
      },
    });
    expect(notes).toMatchObject({ status: 'failed', rowsPerSecond: 400, errors: [{ code: 'CHUNK_FAILED' }] });
    // A failed table was not read whole: no consistency claim.
    expect(notes?.consistency).toBeUndefined();
    expect(notes?.verification).toBeUndefined();
  });

  it('computes the run totals with the success and error rates', () => {
    expect(report.totals).toEqual({
      tables: 2,
      succeeded: 1,
      failed: 1,
      rows: 2900,
      bytes: 290_000,
      rowsPerSecond: 725,
      megabytesPerSecond: expect.closeTo(0.0725, 9),
      chunks: 5,
      retries: 1,
      errors: 2,
      successRate: 0.5,
      // 6 attempts (5 chunks + 1 retry), of which the retried one and the failed table's last failed.
      errorRate: 2 / 6,
    });
    expect(report.ok).toBe(false);
    expect(report.verification).toEqual({
      ok: false,
      seconds: 1.5,
      counts: { equal: 0, different: 1, repaired: 0, failed: 0 },
    });
  });

  it('takes the consistency a run states for a table over the snapshot', () => {
    const healed = buildReport(RESULT, { consistency: { orders: 'not consistent since lsn 0/16B0000' } });
    expect(healed.tables[0]?.consistency).toBe('not consistent since lsn 0/16B0000');
  });

  it('gives rates of an empty run without dividing by zero', () => {
    const empty = buildReport({ ...RESULT, ok: true, tables: [], errors: [], seconds: 0 });
    expect(empty.totals).toMatchObject({ successRate: 1, errorRate: 0, rowsPerSecond: 0 });
  });
});

describe('renderMarkdown and renderJson', () => {
  const report = buildReport(RESULT, { verify: VERIFIED });

  it('renders a Markdown page with one row per table and the errors, passwords hidden', () => {
    const text = renderMarkdown(report);
    expect(text).toContain('# Ferry run report');
    expect(text).toContain('- Tables: 1 of 2 arrived (success rate 50.0 %), 1 failed');
    expect(text).toContain('error rate 33.3 %, 2 errors');
    expect(text).toContain('- Consistency: consistent at 2026-01-02T03:04:05.000Z (lsn 0/16B3748)');
    expect(text).toContain('- Throttled: 2 pauses, 0.75 s (max-rows-per-second 2 (0.75 s))');
    expect(text).toMatch(
      /^\| orders \| copied \| 2,500 \| 2\.00 \| 1,250 \| 0\.13 \| 3 \| 1 \| 0 \| consistent at .* \| different: 1 missing, 0 extra, 2 different \|$/m,
    );
    expect(text).toMatch(/^\| notes \| failed \| 400 \|/m);
    expect(text).toContain('## Errors');
    expect(text).toContain('- creating indexes: duplicate key [CONSTRAINTS_FAILED]');
    expect(text).not.toContain('hunter2');
  });

  it('renders JSON that reads back to the report, passwords hidden', () => {
    const text = renderJson(report);
    expect(text).not.toContain('hunter2');
    const parsed = JSON.parse(text);
    expect(parsed.totals).toEqual(report.totals);
    expect(parsed.tables[1].errors[0].message).toContain('postgres://app:***@db/x');
  });
});
