/**
 * Fixed-rate throttling of a run (`--max-rows-per-second`, `--max-bytes-per-second`): one token
 * bucket per limit, shared by every table (and later every worker) of the run, holding at most one
 * second of budget so a pause never turns into a burst. Each pause is reported with its reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** The limits of a run; absent = unlimited. */
export interface ThrottleLimits {
  maxRowsPerSecond?: number;
  maxBytesPerSecond?: number;
}

/** Why and how long a read waited. */
export interface ThrottlePause {
  /** The table whose batch waited, when the caller named it. */
  table?: string;
  reason: 'max-rows-per-second' | 'max-bytes-per-second';
  seconds: number;
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

  /** Whether any limit is set. */
  get active(): boolean {
    return this.buckets.length > 0;
  }

  /** Waits as long as the tightest limit requires for a batch of `rows` rows and `bytes` bytes of `table`. */
  async admit(rows: number, bytes: number, table?: string): Promise<void> {
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
    this.pauseCount++;
    this.pausedSeconds += wait;
    this.onPause({ ...(table === undefined ? {} : { table }), reason, seconds: wait });
    await sleep(wait * 1000);
  }

  /** Pauses so far and their total length. */
  get stats(): { pauses: number; seconds: number } {
    return { pauses: this.pauseCount, seconds: this.pausedSeconds };
  }
}
