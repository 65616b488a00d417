/**
 * Adaptive throttling (like gh-ost's `--max-load`): samples the source's health about once a
 * second and, while any figure is above its limit, holds every batch at the throttle until all
 * figures are back under their limits (times a resume ratio, so one borderline sample does not
 * flap the copy on and off). Each such pause is one episode, reported once with its reason.
 */
import type { LoadProbe, LoadSample } from '../connectors/connector.js';
import { DEFAULT_PROBE_TIMEOUT_SECONDS } from '../connectors/load-probe.js';
import { DEFAULT_LOAD_LIMITS, LOAD_LIMIT_NAMES, type LoadLimitName, type LoadLimits } from './load-limits.js';

/** What the monitor samples: a source connector, or a fake in tests. */
export interface LoadSampler {
  sampleLoad(probe?: LoadProbe): Promise<LoadSample>;
}

/** One figure above its limit. */
export interface LoadBreach {
  name: LoadLimitName;
  value: number;
  limit: number;
}

/** A finished pause: why it began and how long batches waited (from the first one that waited). */
export interface LoadPause {
  /** The figures above their limits when it began, e.g. `probe-seconds 2.1 > 1`. */
  detail: string;
  breaches: LoadBreach[];
  seconds: number;
}

/** A one-shot timer (setTimeout by default; tests pass a hand-driven one). */
export interface LoadTimer {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Options of a LoadMonitor. */
export interface LoadMonitorOptions {
  /** Limits by figure, over DEFAULT_LOAD_LIMITS (`probe-seconds` 1); Infinity lifts one. */
  limits?: LoadLimits;
  /** The table whose `SELECT 1 FROM t LIMIT 1` is the probe (default `SELECT 1`). */
  probeTable?: string;
  /** When a probe is cancelled: default twice the `probe-seconds` limit (5 s without one). */
  probeTimeoutSeconds?: number;
  /** Seconds between samples (default 1). */
  intervalSeconds?: number;
  /** A pause ends once every figure is at most its limit times this (default 0.8; 1 = no hysteresis). */
  resumeRatio?: number;
  /** Milliseconds, for pause lengths (default performance.now). */
  now?: () => number;
  timer?: LoadTimer;
  /** A pause began; `detail` names the figures above their limits. */
  onOverload?(detail: string): void;
  /** A figure with a limit that this source does not report (engine or privileges): it cannot pause the run. */
  onUnavailable?(name: LoadLimitName): void;
  /** A sample failed after the first; the monitor keeps its last state and samples again. */
  onSampleError?(error: unknown): void;
}

/** The default timer: never keeps the process alive. */
const UNREF_TIMER: LoadTimer = {
  set: (callback, ms) => setTimeout(callback, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface Episode {
  breaches: LoadBreach[];
  detail: string;
  firstWaitAt: number | undefined;
  done: Promise<LoadPause>;
  finish(pause: LoadPause): void;
}

/** The figures of `sample` above `limits` times `ratio`. */
export function loadBreaches(sample: LoadSample, limits: LoadLimits, ratio = 1): LoadBreach[] {
  const breaches: LoadBreach[] = [];
  for (const name of LOAD_LIMIT_NAMES) {
    const limit = limits[name];
    const value = name === 'probe-seconds' ? sample.probeSeconds : sample.metrics[name];
    if (limit === undefined || value === undefined || !Number.isFinite(limit)) continue;
    if (value > limit * ratio) breaches.push({ name, value, limit });
  }
  return breaches;
}

/** `probe-seconds 2.1 > 1, threads-running 80 > 50`. */
export function describeBreaches(breaches: readonly LoadBreach[]): string {
  const round = (n: number) => String(Number(n.toFixed(2)));
  return breaches.map((b) => `${b.name} ${round(b.value)} > ${round(b.limit)}`).join(', ');
}

/** Samples a source on a timer and holds callers of `waitWhileOverloaded` while it is overloaded. */
export class LoadMonitor {
  readonly limits: Readonly<LoadLimits>;
  private readonly probe: LoadProbe;
  private readonly intervalMs: number;
  private readonly resumeRatio: number;
  private readonly now: () => number;
  private readonly timer: LoadTimer;
  private episode: Episode | undefined;
  private handle: unknown;
  private polling: Promise<void> | undefined;
  private stopped = false;
  private latest: LoadSample | undefined;

  constructor(
    private readonly source: LoadSampler,
    private readonly options: LoadMonitorOptions = {},
  ) {
    this.limits = { ...DEFAULT_LOAD_LIMITS, ...options.limits };
    const probeLimit = this.limits['probe-seconds'];
    const timeoutSeconds =
      options.probeTimeoutSeconds ??
      (probeLimit !== undefined && Number.isFinite(probeLimit)
        ? 2 * probeLimit
        : DEFAULT_PROBE_TIMEOUT_SECONDS);
    this.probe = {
      timeoutSeconds,
      ...(options.probeTable === undefined ? {} : { table: options.probeTable }),
    };
    this.intervalMs = (options.intervalSeconds ?? 1) * 1000;
    this.resumeRatio = options.resumeRatio ?? 0.8;
    this.now = options.now ?? (() => performance.now());
    this.timer = options.timer ?? UNREF_TIMER;
  }

  /**
   * Takes the first sample, reports limited figures the source does not have, then samples every
   * interval until `stop`. Throws what the first sample throws (a probe table that does not exist).
   */
  async start(): Promise<void> {
    const sample = await this.source.sampleLoad(this.probe);
    for (const name of LOAD_LIMIT_NAMES) {
      const limit = this.limits[name];
      const known = name === 'probe-seconds' || sample.metrics[name] !== undefined;
      if (limit !== undefined && Number.isFinite(limit) && !known) this.options.onUnavailable?.(name);
    }
    this.judge(sample);
    this.schedule();
  }

  /** Takes one sample now and pauses or resumes by it. A failed sample changes nothing. */
  async poll(): Promise<void> {
    let sample: LoadSample;
    try {
      sample = await this.source.sampleLoad(this.probe);
    } catch (error) {
      if (!this.stopped) this.options.onSampleError?.(error);
      return;
    }
    if (!this.stopped) this.judge(sample);
  }

  /** Whether batches are being held now. */
  get overloaded(): boolean {
    return this.episode !== undefined;
  }

  /** The last sample taken, for dashboards. */
  get lastSample(): LoadSample | undefined {
    return this.latest;
  }

  /**
   * Returns at once (undefined) when the source is healthy; otherwise waits until it recovers and
   * returns the pause, the same object to every caller that waited in the same episode.
   */
  async waitWhileOverloaded(): Promise<LoadPause | undefined> {
    const episode = this.episode;
    if (!episode) return undefined;
    episode.firstWaitAt ??= this.now();
    return episode.done;
  }

  /** Stops sampling and lets every waiting batch go. Resolves when a sample in flight has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.handle !== undefined) this.timer.clear(this.handle);
    this.handle = undefined;
    this.resume();
    await this.polling;
  }

  private judge(sample: LoadSample): void {
    this.latest = sample;
    if (!this.episode) {
      const breaches = loadBreaches(sample, this.limits);
      if (breaches.length > 0) this.pause(breaches);
    } else if (loadBreaches(sample, this.limits, this.resumeRatio).length === 0) {
      this.resume();
    }
  }

  private pause(breaches: LoadBreach[]): void {
    let finish: (pause: LoadPause) => void = () => {};
    const done = new Promise<LoadPause>((resolve) => {
      finish = resolve;
    });
    const detail = describeBreaches(breaches);
    this.episode = { breaches, detail, firstWaitAt: undefined, done, finish };
    this.options.onOverload?.(detail);
  }

  private resume(): void {
    const episode = this.episode;
    if (!episode) return;
    this.episode = undefined;
    const waited = episode.firstWaitAt === undefined ? 0 : (this.now() - episode.firstWaitAt) / 1000;
    episode.finish({ detail: episode.detail, breaches: episode.breaches, seconds: waited });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.handle = this.timer.set(() => {
      this.handle = undefined;
      this.polling = this.poll().finally(() => {
        this.polling = undefined;
        this.schedule();
      });
    }, this.intervalMs);
  }
}
