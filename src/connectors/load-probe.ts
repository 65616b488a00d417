/**
 * What every connector's `sampleLoad` shares: the probe's default timeout, its SQL, and a stopwatch
 * that cancels a probe still waiting at the timeout and reports it as having taken that long.
 */
import { UsageError } from '../errors.js';
import type { LoadProbe } from './connector.js';

/** Seconds a probe may wait before it is cancelled, unless `LoadProbe.timeoutSeconds` says otherwise. */
export const DEFAULT_PROBE_TIMEOUT_SECONDS = 5;

/** The probe's timeout in seconds; throws UsageError for one that is not a positive number. */
export function probeTimeoutSeconds(probe: LoadProbe | undefined): number {
  const seconds = probe?.timeoutSeconds ?? DEFAULT_PROBE_TIMEOUT_SECONDS;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(
      'BAD_PROBE_TIMEOUT',
      `The load probe's timeout must be a positive number of seconds, not ${seconds}.`,
    );
  }
  return seconds;
}

/** The probe statement: `SELECT 1 FROM <quoted table> LIMIT 1`, or `SELECT 1` without a table. */
export function probeStatement(probe: LoadProbe | undefined, quote: (table: string) => string): string {
  return probe?.table === undefined ? 'SELECT 1' : `SELECT 1 FROM ${quote(probe.table)} LIMIT 1`;
}

/** How `timeProbe` runs and stops one probe. */
export interface TimedProbe {
  /** Runs the probe statement. */
  run(): Promise<unknown>;
  timeoutSeconds: number;
  /** Asks the server to stop the probe (absent where the server stops it itself, e.g. statement_timeout). */
  cancel?(): Promise<void>;
  /** Whether an error of `run` is the probe being stopped at its timeout. */
  isCancellation(error: unknown): boolean;
}

/**
 * Times a probe. Past its timeout it is cancelled (`cancel`), and once it has ended the result is
 * the elapsed time, never less than the timeout. Any other failure of the probe is rethrown.
 */
export async function timeProbe(probe: TimedProbe): Promise<number> {
  const started = performance.now();
  let cancelling: Promise<void> | undefined;
  const timer =
    probe.cancel === undefined
      ? undefined
      : setTimeout(() => {
          // The probe's own rejection reports the outcome; a failed cancel only means it ran to its end.
          cancelling = probe.cancel?.().catch(() => {});
        }, probe.timeoutSeconds * 1000);
  timer?.unref();
  try {
    await probe.run();
    return (performance.now() - started) / 1000;
  } catch (error) {
    if (!probe.isCancellation(error)) throw error;
    return Math.max(probe.timeoutSeconds, (performance.now() - started) / 1000);
  } finally {
    clearTimeout(timer);
    await cancelling;
  }
}
