/**
 * Throttling of a run. Fixed rates (`--max-rows-per-second`, `--max-bytes-per-second`): one token
 * bucket per limit, shared by every table (and later every worker) of the run, holding at most one
 * second of budget so a pause never turns into a burst. Source load (`--max-load`): a LoadMonitor,
 * when one is attached, holds batches while the source is overloaded. Each pause is reported with
 * its reason and counted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadPause } from './load-monitor.js';

/** The limits of a run; absent = unlimited. */
export interface ThrottleLimits {
  maxRowsPerSecond?: number;
  maxBytesPerSecond?: number;
}

/** Why and how long a read waited. */
export interface ThrottlePause {
  /** The table whose batch waited, when the caller named it. */
  table?: string;
  reason: 'max-rows-per-second' | 'max-bytes-per-second' | 'source-load';
  /** For `source-load`: the figures above their limits, e.g. `probe-seconds 2.1 > 1`. */
  detail?: string;
  seconds: number;
}

/** What the throttle waits on for source load: a LoadMonitor. */
export interface LoadGate {
  waitWhileOverloaded(): Promise<LoadPause | undefined>;
}

/** Pauses and their total length, in all and by reason. */
export interface ThrottleStats {
  pauses: number;
  seconds: number;
  byReason: Partial<Record<ThrottlePause['reason'], { pauses: number; seconds: number }>>;
}

class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly now: () => number,
  ) {
    this.tokens = rate;
    this.last = now();
  }

  /** Seconds to wait before `amount` may pass; takes the tokens (the balance may go negative). */
  take(amount: number): number {
    const now = this.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.tokens -= amount;
    return this.tokens >= 0 ? 0 : -this.tokens / this.rate;
  }
}

/** A run's throttle. `admit` waits until a batch may go on, and says why it waited. */
export class Throttle {
  private readonly buckets: Array<{
    reason: ThrottlePause['reason'];
    bucket: TokenBucket;
    unit: 'rows' | 'bytes';
  }> = [];
  private pauseCount = 0;
  private pausedSeconds = 0;
  private readonly byReason: ThrottleStats['byReason'] = {};
  private load: LoadGate | undefined;
  /** Source-load pauses already reported: every batch held in one episode gets the same object. */
  private readonly reported = new WeakSet<LoadPause>();

  constructor(
    limits: ThrottleLimits,
    private readonly onPause: (pause: ThrottlePause) => void = () => {},
    now: () => number = () => performance.now(),
  ) {
    if (limits.maxRowsPerSecond) {
      this.buckets.push({
        reason: 'max-rows-per-second',
        bucket: new TokenBucket(limits.maxRowsPerSecond, now),
        unit: 'rows',
      });
    }
    if (limits.maxBytesPerSecond) {
      this.buckets.push({
        reason: 'max-bytes-per-second',
        bucket: new TokenBucket(limits.maxBytesPerSecond, now),
        unit: 'bytes',
      });
    }
  }

  /** Whether any limit is set or a load monitor attached. */
  get active(): boolean {
    return this.buckets.length > 0 || this.load !== undefined;
  }

  /** From now on `admit` also waits while `monitor` finds the source overloaded. */
  watchLoad(monitor: LoadGate): void {
    this.load = monitor;
  }

  /**
   * Waits while the source is overloaded (one pause reported per episode, when it ends), then as
   * long as the tightest rate limit requires for a batch of `rows` rows and `bytes` bytes of `table`.
   */
  async admit(rows: number, bytes: number, table?: string): Promise<void> {
    const overload = await this.load?.waitWhileOverloaded();
    if (overload && !this.reported.has(overload)) {
      this.reported.add(overload);
      this.record({
        ...(table === undefined ? {} : { table }),
        reason: 'source-load',
        detail: overload.detail,
        seconds: overload.seconds,
      });
    }
    let wait = 0;
    let reason: ThrottlePause['reason'] | undefined;
    for (const { bucket, unit, reason: why } of this.buckets) {
      const seconds = bucket.take(unit === 'rows' ? rows : bytes);
      if (seconds > wait) {
        wait = seconds;
        reason = why;
      }
    }
    if (wait <= 0 || reason === undefined) return;
    this.record({ ...(table === undefined ? {} : { table }), reason, seconds: wait });
    await sleep(wait * 1000);
  }

  /** Pauses so far and their total length, in all and by reason. */
  get stats(): ThrottleStats {
    const byReason: ThrottleStats['byReason'] = {};
    for (const [reason, counts] of Object.entries(this.byReason)) {
      byReason[reason as ThrottlePause['reason']] = { ...counts };
    }
    return { pauses: this.pauseCount, seconds: this.pausedSeconds, byReason };
  }

  private record(pause: ThrottlePause): void {
    this.pauseCount++;
    this.pausedSeconds += pause.seconds;
    const counts = this.byReason[pause.reason] ?? { pauses: 0, seconds: 0 };
    this.byReason[pause.reason] = counts;
    counts.pauses++;
    counts.seconds += pause.seconds;
    this.onPause(pause);
  }
}
