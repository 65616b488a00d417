import { describe, expect, it } from 'vitest';
import { AppliedPositions } from '../../../src/cdc/applied-positions.js';

const at = (n: number) => ({ key: String(n).padStart(6, '0'), fields: { n: String(n) } });

describe('AppliedPositions', () => {
  it('moves the watermark only over positions whose predecessors all committed', () => {
    const positions = new AppliedPositions({ appliedAfter: [] });
    const one = positions.handOut(at(1));
    const two = positions.handOut(at(2));
    const three = positions.handOut(at(3));
    expect(positions.watermark()).toBeUndefined();
    three.done = true;
    expect(positions.watermark()).toBeUndefined();
    one.done = true;
    expect(positions.watermark()?.key).toBe(at(1).key);
    two.done = true;
    expect(positions.watermark()?.key).toBe(at(3).key);
    expect(positions.outstanding).toBe(0);
  });

  it('treats progress handed out done as passed at once', () => {
    const positions = new AppliedPositions({ watermark: at(5), appliedAfter: [] });
    positions.handOut(at(6), true);
    expect(positions.watermark()?.key).toBe(at(6).key);
  });

  it('knows what the target holds: at or below the watermark, and the applied records past it', () => {
    const positions = new AppliedPositions({ watermark: at(10), appliedAfter: [at(12).key, at(14).key] });
    expect(positions.isApplied(at(9))).toBe(true);
    expect(positions.isApplied(at(10))).toBe(true);
    expect(positions.isApplied(at(11))).toBe(false);
    expect(positions.isApplied(at(12))).toBe(true);
    expect(positions.isApplied(at(13))).toBe(false);
    expect(positions.isApplied(at(14))).toBe(true);
  });

  it('keeps working after many positions (the queue is trimmed)', () => {
    const positions = new AppliedPositions({ appliedAfter: [] });
    const tickets = [];
    for (let n = 1; n <= 5000; n++) tickets.push(positions.handOut(at(n)));
    for (const ticket of tickets.slice(0, 3000)) ticket.done = true;
    expect(positions.watermark()?.key).toBe(at(3000).key);
    expect(positions.outstanding).toBe(2000);
    for (const ticket of tickets) ticket.done = true;
    expect(positions.watermark()?.key).toBe(at(5000).key);
  });
});
