import { setImmediate as flush } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { LoadProbe, LoadSample } from '../../../src/connectors/connector.js';
import { DEFAULT_LOAD_LIMITS, parseLoadLimits } from '../../../src/engine/load-limits.js';
import { LoadMonitor, type LoadMonitorOptions } from '../../../src/engine/load-monitor.js';
import { Throttle, type ThrottlePause } from '../../../src/engine/throttle.js';
import { FerryError } from '../../../src/errors.js';

/** A source whose next samples the test sets, on a clock and a timer the test drives by hand. */
function rig(options: LoadMonitorOptions = {}) {
  let now = 0;
  let next: LoadSample | Error = { probeSeconds: 0.01, metrics: {} };
  const probes: Array<LoadProbe | undefined> = [];
  let pending: (() => void) | undefined;
  const events = { overloads: [] as string[], unavailable: [] as string[], errors: [] as unknown[] };
  const source = {
    sampleLoad: async (probe?: LoadProbe) => {
      probes.push(probe);
      if (next instanceof Error) throw next;
      return next;
    },
  };
  const monitor = new LoadMonitor(source, {
    now: () => now,
    timer: {
      set: (callback) => {
        pending = callback;
        return 1;
      },
      clear: () => {
        pending = undefined;
      },
    },
    onOverload: (detail) => events.overloads.push(detail),
    onUnavailable: (name) => events.unavailable.push(name),
    onSampleError: (error) => events.errors.push(error),
    ...options,
  });
  const pauses: ThrottlePause[] = [];
  const throttle = new Throttle({}, (pause) => pauses.push(pause));
  throttle.watchLoad(monitor);
  return {
    monitor,
    throttle,
    pauses,
    probes,
    events,
    /** The next samples the source returns. */
    set: (sample: Partial<LoadSample> | Error) => {
      next = sample instanceof Error ? sample : { probeSeconds: 0.01, metrics: {}, ...sample };
    },
    advance: (ms: number) => {
      now += ms;
    },
    /** Fires the sampling timer and lets the sample land. */
    tick: async () => {
      const callback = pending;
      pending = undefined;
      callback?.();
      await flush();
    },
    timerPending: () => pending !== undefined,
  };
}

/** Whether `promise` has settled after the pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await flush();
  return done;
}

describe('LoadMonitor', () => {
  it('lets batches through while the source is healthy', async () => {
    const { monitor, throttle, pauses } = rig();
    await monitor.start();
    expect(monitor.overloaded).toBe(false);
    await throttle.admit(100, 1000, 'film');
    expect(pauses).toEqual([]);
    expect(throttle.active).toBe(true);
  });

  it('holds batches while the probe is slow, resumes when it recovers, and counts one pause', async () => {
    const { monitor, throttle, pauses, events, set, advance, tick } = rig();
    await monitor.start();
    set({ probeSeconds: 2.1 });
    await tick();
    expect(monitor.overloaded).toBe(true);
    expect(events.overloads).toEqual(['probe-seconds 2.1 > 1']);

    // Two batches of two tables arrive during the same overload: both wait.
    const first = throttle.admit(10, 100, 'film');
    advance(500);
    const second = throttle.admit(10, 100, 'actor');
    expect(await settled(first)).toBe(false);
    expect(await settled(second)).toBe(false);

    advance(1500);
    set({ probeSeconds: 0.05 });
    await tick();
    expect(monitor.overloaded).toBe(false);
    await Promise.all([first, second]);

    // One episode, one pause: its length runs from the first batch held to the resume.
    expect(pauses).toEqual([
      { table: 'film', reason: 'source-load', detail: 'probe-seconds 2.1 > 1', seconds: 2 },
    ]);
    expect(throttle.stats).toEqual({
      pauses: 1,
      seconds: 2,
      byReason: { 'source-load': { pauses: 1, seconds: 2 } },
    });
  });

  it('counts each overload as its own pause', async () => {
    const { monitor, throttle, set, advance, tick } = rig();
    await monitor.start();
    for (let episode = 0; episode < 2; episode++) {
      set({ probeSeconds: 3 });
      await tick();
      const held = throttle.admit(1, 1);
      advance(1000);
      set({ probeSeconds: 0.01 });
      await tick();
      await held;
    }
    expect(throttle.stats.byReason['source-load']).toEqual({ pauses: 2, seconds: 2 });
  });

  it('names every figure above its limit, and waits until all are back under limit × resume ratio', async () => {
    const { monitor, throttle, pauses, set, tick } = rig({
      limits: { 'threads-running': 50, 'history-length': 1_000_000 },
    });
    await monitor.start();
    set({ metrics: { 'threads-running': 80, 'history-length': 2_500_000 } });
    await tick();
    const held = throttle.admit(1, 1, 'film');
    // Under the limits but above 0.8 of them: still paused (no flapping on a borderline figure).
    set({ metrics: { 'threads-running': 45, 'history-length': 900_000 } });
    await tick();
    expect(monitor.overloaded).toBe(true);
    expect(await settled(held)).toBe(false);
    set({ metrics: { 'threads-running': 40, 'history-length': 100 } });
    await tick();
    await held;
    expect(pauses[0]!.detail).toBe('threads-running 80 > 50, history-length 2500000 > 1000000');
  });

  it('does not pause for a figure without a limit, nor for one lifted with Infinity', async () => {
    const { monitor, set, tick } = rig({ limits: { 'probe-seconds': Number.POSITIVE_INFINITY } });
    await monitor.start();
    set({ probeSeconds: 60, metrics: { 'threads-running': 10_000 } });
    await tick();
    expect(monitor.overloaded).toBe(false);
  });

  it('passes the probe table and a timeout of twice the probe limit to the source', async () => {
    const { monitor, probes } = rig({ probeTable: 'probe', limits: { 'probe-seconds': 0.2 } });
    await monitor.start();
    expect(probes[0]).toEqual({ table: 'probe', timeoutSeconds: 0.4 });
    expect(DEFAULT_LOAD_LIMITS).toEqual({ 'probe-seconds': 1 });
  });

  it('says which limited figures the source does not report', async () => {
    const { monitor, events, set } = rig({ limits: { 'threads-running': 50, 'xmin-age': 1e6 } });
    set({ metrics: { 'threads-running': 3 } });
    await monitor.start();
    expect(events.unavailable).toEqual(['xmin-age']);
  });

  it('fails to start when the first sample fails (a missing probe table), then keeps its state on later failures', async () => {
    const broken = rig();
    broken.set(new Error('no table probe'));
    await expect(broken.monitor.start()).rejects.toThrow('no table probe');

    const { monitor, events, set, tick } = rig();
    await monitor.start();
    set({ probeSeconds: 5 });
    await tick();
    set(new Error('connection lost'));
    await tick();
    expect(events.errors).toHaveLength(1);
    expect(monitor.overloaded).toBe(true);
  });

  it('samples again after each interval, and stop() ends sampling and lets held batches go', async () => {
    const { monitor, throttle, pauses, probes, set, tick, timerPending } = rig();
    await monitor.start();
    await tick();
    await tick();
    expect(probes).toHaveLength(3);
    set({ probeSeconds: 9 });
    await tick();
    const held = throttle.admit(1, 1);
    await monitor.stop();
    await held;
    expect(timerPending()).toBe(false);
    expect(pauses.map((p) => p.reason)).toEqual(['source-load']);
  });

  it('keeps the rate limits working beside it', async () => {
    const pauses: ThrottlePause[] = [];
    const throttle = new Throttle(
      { maxRowsPerSecond: 1_000_000 },
      (pause) => pauses.push(pause),
      () => 0,
    );
    throttle.watchLoad({ waitWhileOverloaded: async () => undefined });
    await throttle.admit(1_000_000, 0);
    await throttle.admit(1_000, 0);
    expect(pauses.map((p) => p.reason)).toEqual(['max-rows-per-second']);
    expect(throttle.stats.byReason).toEqual({
      'max-rows-per-second': { pauses: 1, seconds: pauses[0]!.seconds },
    });
  });
});

describe('parseLoadLimits', () => {
  it.each([
    ['threads-running=50,history-length=1000000', { 'threads-running': 50, 'history-length': 1_000_000 }],
    ['Threads_running=25', { 'threads-running': 25 }],
    [' probe-seconds = 500ms , replication-lag=2s ', { 'probe-seconds': 0.5, 'replication-lag': 2 }],
    ['xmin-age=1e6,active-backends=20', { 'xmin-age': 1_000_000, 'active-backends': 20 }],
    ['probe-seconds=off', { 'probe-seconds': Number.POSITIVE_INFINITY }],
    ['probe-seconds=0.25', { 'probe-seconds': 0.25 }],
  ])('reads %j', (text, limits) => {
    expect(parseLoadLimits(text)).toEqual(limits);
  });

  it.each([
    ['', 'needs at least one name=value'],
    ['threads-running', '"threads-running" is not name=value'],
    ['load=5', 'unknown figure "load" in "load=5". Known: probe-seconds, threads-running'],
    ['threads-running=lots', '"threads-running=lots": the limit must be a positive number, or "off"'],
    ['threads-running=0', '"threads-running=0": the limit must be a positive number'],
    ['probe-seconds=-1', '"probe-seconds=-1": the limit must be a positive number of seconds'],
    ['threads-running=50ms', 'threads-running is a count, not a time'],
    ['threads-running=5,Threads_running=6', '"threads-running" is given twice'],
  ])('rejects %j naming the bad part', (text, message) => {
    let error: unknown;
    try {
      parseLoadLimits(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FerryError);
    expect((error as FerryError).kind).toBe('usage');
    expect((error as FerryError).code).toBe('BAD_MAX_LOAD');
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toMatch(/^--max-load/);
  });
});
