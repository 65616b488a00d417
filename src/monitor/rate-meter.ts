/** A rate over a sliding window: how many rows per second a run copies now, not on average. */

/** Counts amounts as they happen and gives their rate over the last `windowSeconds`. */
export class RateMeter {
  private readonly samples: Array<{ at: number; amount: number }> = [];
  private readonly started: number;

  constructor(
    private readonly windowSeconds = 10,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  /** Records `amount` (rows) as done now. */
  add(amount: number): void {
    const at = this.now();
    this.samples.push({ at, amount });
    this.prune(at);
  }

  /** The amount per second over the window, or over the time since the start when that is shorter. */
  perSecond(): number {
    const now = this.now();
    this.prune(now);
    const span = Math.min(this.windowSeconds, (now - this.started) / 1000);
    if (span <= 0) return 0;
    return this.samples.reduce((sum, sample) => sum + sample.amount, 0) / span;
  }

  private prune(now: number): void {
    const oldest = now - this.windowSeconds * 1000;
    while (this.samples.length > 0 && this.samples[0]!.at < oldest) this.samples.shift();
  }
}
