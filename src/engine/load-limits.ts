/**
 * The source-load thresholds of a run (`--max-load "threads-running=50,history-length=1000000"`):
 * their names, the defaults that are safe on any server, and the parser of the option's text.
 */
import type { LoadMetric } from '../connectors/connector.js';
import { UsageError } from '../errors.js';

/** Every figure a limit can be set on: the probe's latency plus the connectors' `LoadMetric`s. */
export const LOAD_LIMIT_NAMES = [
  'probe-seconds',
  'threads-running',
  'history-length',
  'replication-lag',
  'active-backends',
  'xmin-age',
] as const satisfies ReadonlyArray<'probe-seconds' | LoadMetric>;

/** The name of a load limit. */
export type LoadLimitName = (typeof LOAD_LIMIT_NAMES)[number];

/** Thresholds by figure: the run pauses while a figure is above its own. Infinity = no limit. */
export type LoadLimits = Partial<Record<LoadLimitName, number>>;

/**
 * Limits that hold on any server: a probe answering in over a second means the source is
 * struggling (or the probe table is locked). Every other figure depends on the server's size, so
 * it has a limit only when one is given.
 */
export const DEFAULT_LOAD_LIMITS: Readonly<LoadLimits> = { 'probe-seconds': 1 };

/** The figures measured in seconds, which also take an `ms` or `s` suffix. */
const SECONDS: ReadonlySet<LoadLimitName> = new Set(['probe-seconds', 'replication-lag']);

/**
 * Parses `name=value[,name=value…]`. Names are case-insensitive and take `_` for `-` (gh-ost's
 * `Threads_running=25` works); a value is a positive number, `ms`/`s` after a seconds figure, or
 * `off` to lift a default. Throws UsageError naming the part that is wrong.
 * @example parseLoadLimits('threads-running=50,probe-seconds=500ms') // { 'threads-running': 50, 'probe-seconds': 0.5 }
 */
export function parseLoadLimits(text: string, option = '--max-load'): LoadLimits {
  const limits: LoadLimits = {};
  const parts = text.split(',').map((part) => part.trim());
  if (parts.every((part) => part === '')) {
    throw new UsageError(
      'BAD_MAX_LOAD',
      `${option} needs at least one name=value, e.g. "threads-running=50".`,
    );
  }
  for (const part of parts) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    if (equals < 0) {
      throw new UsageError(
        'BAD_MAX_LOAD',
        `${option}: "${part}" is not name=value (e.g. "threads-running=50").`,
      );
    }
    const rawName = part.slice(0, equals).trim();
    const name = rawName.toLowerCase().replaceAll('_', '-') as LoadLimitName;
    if (!(LOAD_LIMIT_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(
        'BAD_MAX_LOAD',
        `${option}: unknown figure "${rawName}" in "${part}". Known: ${LOAD_LIMIT_NAMES.join(', ')}.`,
      );
    }
    if (limits[name] !== undefined) {
      throw new UsageError('BAD_MAX_LOAD', `${option}: "${name}" is given twice.`);
    }
    limits[name] = parseLimit(part.slice(equals + 1).trim(), name, part, option);
  }
  return limits;
}

function parseLimit(value: string, name: LoadLimitName, part: string, option: string): number {
  if (value.toLowerCase() === 'off') return Number.POSITIVE_INFINITY;
  const match = /^(\d+(?:\.\d*)?|\.\d+)(?:e\d+)?(ms|s)?$/i.exec(value);
  const unit = match?.[2]?.toLowerCase();
  const number = match ? Number(value.slice(0, value.length - (unit?.length ?? 0))) : Number.NaN;
  if (!match || !(number > 0) || !Number.isFinite(number)) {
    throw new UsageError(
      'BAD_MAX_LOAD',
      `${option}: "${part}": the limit must be a positive number${SECONDS.has(name) ? ' of seconds (or with ms)' : ''}, or "off".`,
    );
  }
  if (unit !== undefined && !SECONDS.has(name)) {
    throw new UsageError(
      'BAD_MAX_LOAD',
      `${option}: "${part}": ${name} is a count, not a time; drop "${match[2]}".`,
    );
  }
  return unit === 'ms' ? number / 1000 : number;
}
