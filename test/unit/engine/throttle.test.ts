import { describe, expect, it } from 'vitest';
import { Throttle, type ThrottlePause } from '../../../src/engine/throttle.js';

/** A throttle on a clock the test moves by hand. */
function manual(limits: ConstructorParameters<typeof Throttle>[0]) {
  let now = 0;
  const pauses: ThrottlePause[] = [];
  const throttle = new Throttle(
    limits,
    (pause) => pauses.push(pause),
    () => now,
  );
  return { throttle, pauses, advance: (ms: number) => (now += ms) };
}

describe('Throttle', () => {
  it('lets a first second of budget through, then asks each batch to wait its share', async () => {
    const { throttle, pauses } = manual({ maxRowsPerSecond: 1_000_000 });
    await throttle.admit(1_000_000, 0);
    expect(pauses).toEqual([]);
    // 1000 more rows at a million per second: one millisecond.
    await throttle.admit(1_000, 0);
    expect(pauses).toHaveLength(1);
    expect(pauses[0]!.reason).toBe('max-rows-per-second');
    expect(pauses[0]!.seconds).toBeCloseTo(0.001, 6);
  });

  it('waits for the tighter of two limits, and names it', async () => {
    const { throttle, pauses, advance } = manual({
      maxRowsPerSecond: 1_000_000,
      maxBytesPerSecond: 1_000_000,
    });
    await throttle.admit(10, 1_000_000);
    advance(0);
    await throttle.admit(10, 2_000);
    expect(pauses.map((p) => p.reason)).toEqual(['max-bytes-per-second']);
    expect(pauses[0]!.seconds).toBeCloseTo(0.002, 6);
    expect(throttle.stats.pauses).toBe(1);
  });

  it('refills with time and never saves more than one second of budget', async () => {
    const { throttle, pauses, advance } = manual({ maxRowsPerSecond: 1_000_000 });
    advance(60_000); // an idle minute
    await throttle.admit(1_000_000, 0);
    await throttle.admit(1_000, 0);
    expect(pauses).toHaveLength(1);
  });

  it('does nothing without limits', async () => {
    const { throttle, pauses } = manual({});
    expect(throttle.active).toBe(false);
    await throttle.admit(1e12, 1e12);
    expect(pauses).toEqual([]);
  });
});
