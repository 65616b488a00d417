import { describe, expect, it } from 'vitest';
import { LagMeter } from '../../../src/cdc/lag-meter.js';

describe('LagMeter', () => {
  it('measures the lag from the oldest pending commit, and is 0 once everything is applied', () => {
    const meter = new LagMeter();
    const now = Date.parse('2026-12-02T10:00:10Z');
    const first = {};
    const second = {};
    meter.received(first, '2026-12-02T10:00:04Z', 3);
    meter.received(second, '2026-12-02T10:00:08Z', 2);
    expect(meter.lagSeconds(now)).toBe(6);
    expect(meter.pendingChanges).toBe(5);
    meter.applied(first);
    expect(meter.lagSeconds(now)).toBe(2);
    meter.applied(second);
    expect(meter.lagSeconds(now)).toBe(0);
    expect(meter.totals).toEqual({ transactions: 2, changes: 5 });
  });

  it('gives the rate over its window', () => {
    const meter = new LagMeter(5);
    for (let n = 0; n < 10; n++) {
      const ticket = {};
      meter.received(ticket, new Date().toISOString(), 100);
      meter.applied(ticket);
    }
    expect(meter.rate()).toBe(200);
    expect(meter.rate(Date.now() + 60_000)).toBe(0);
  });
});
