/**
 * Whether a date/time value fits a MariaDB DATE, TIME, DATETIME or TIMESTAMP column exactly:
 * PostgreSQL infinity and BC dates (infinite-date), TIMESTAMP's 1970-2038 range (out-of-range),
 * TIME beyond ±838:59:59.999999 (time-range), more fractional digits than the column keeps
 * (precision, rounded as LOSS_KINDS documents).
 */
import type { Misfit } from './fit.js';

/** What kind of date/time column a value goes into, with its fractional-seconds digits. */
export type MysqlTemporalTarget = { kind: 'date' | 'time' | 'datetime' | 'timestamp'; fsp: number };

const TIMESTAMP_MIN = '1970-01-01 00:00:01';
const TIMESTAMP_MAX = '2038-01-19 03:14:07.999999';
const TIME_MAX_MICROS = ((838n * 60n + 59n) * 60n + 59n) * 1_000_000n + 999_999n;

function cut(text: string, fsp: number): string {
  const dot = text.indexOf('.');
  if (dot < 0) return text;
  return fsp === 0 ? text.slice(0, dot) : text.slice(0, dot + 1 + fsp);
}

/** The first and last value of a column, for clamping. */
function bounds(target: MysqlTemporalTarget): [string, string] {
  if (target.kind === 'date') return ['0001-01-01', '9999-12-31'];
  if (target.kind === 'timestamp') return [TIMESTAMP_MIN, cut(TIMESTAMP_MAX, target.fsp)];
  return ['0001-01-01 00:00:00', cut('9999-12-31 23:59:59.999999', target.fsp)];
}

/** Infinity, -infinity, BC dates, and years beyond 9999 (as PostgreSQL prints them). */
function infinite(text: string, target: MysqlTemporalTarget): Misfit | undefined {
  const [first, last] = bounds(target);
  if (/^-infinity$/i.test(text) || /\sBC$/i.test(text)) return { loss: 'infinite-date', substitute: first };
  if (/^\+?infinity$/i.test(text) || /^\d{5,}-/.test(text))
    return { loss: 'infinite-date', substitute: last };
  return undefined;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` with all six fractional digits, for comparing instants as text. */
function padded(text: string): string {
  const [whole = '', fraction = ''] = text.replace('T', ' ').split('.');
  return `${whole.length === 16 ? `${whole}:00` : whole}.${fraction.padEnd(6, '0')}`;
}

function addSecondToDatetime(whole: string): string {
  const match = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)$/.exec(whole);
  if (!match) return whole;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const date = new Date(0);
  date.setUTCFullYear(y!, mo! - 1, d!);
  date.setUTCHours(h!, mi!, s! + 1);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

function timeMicros(text: string): bigint | undefined {
  const match = /^(-?)(\d+):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?$/.exec(text);
  if (!match) return undefined;
  const [, sign, h, m, s = '0', f = ''] = match;
  const micros = ((BigInt(h!) * 60n + BigInt(m!)) * 60n + BigInt(s)) * 1_000_000n + BigInt(f.padEnd(6, '0'));
  return sign === '-' ? -micros : micros;
}

function timeText(micros: bigint, fsp: number): string {
  const negative = micros < 0n;
  let rest = negative ? -micros : micros;
  const fraction = rest % 1_000_000n;
  rest /= 1_000_000n;
  const pad = (n: bigint) => n.toString().padStart(2, '0');
  const clock = `${pad(rest / 3600n)}:${pad((rest / 60n) % 60n)}:${pad(rest % 60n)}`;
  const digits = fsp > 0 ? `.${fraction.toString().padStart(6, '0').slice(0, fsp)}` : '';
  return `${negative ? '-' : ''}${clock}${digits}`;
}

/** Rounds the fractional seconds of a datetime/time text half away from zero to `fsp` digits. */
export function roundFraction(text: string, fsp: number, kind: MysqlTemporalTarget['kind']): string {
  const match = /^(.*:\d\d)\.(\d+)$/.exec(text);
  if (!match || match[2]!.length <= fsp) return text;
  if (kind === 'time') {
    const micros = timeMicros(`${match[1]}.${match[2]!.slice(0, 6)}`);
    if (micros === undefined) return text;
    const unit = 10n ** BigInt(6 - fsp);
    const magnitude = micros < 0n ? -micros : micros;
    const rounded = ((magnitude + unit / 2n) / unit) * unit;
    return timeText(micros < 0n ? -rounded : rounded, fsp);
  }
  const digits = match[2]!;
  const kept = BigInt(digits.slice(0, fsp) || '0') + (digits[fsp]! >= '5' ? 1n : 0n);
  if (kept < 10n ** BigInt(fsp)) {
    return fsp === 0 ? match[1]! : `${match[1]}.${kept.toString().padStart(fsp, '0')}`;
  }
  const next = addSecondToDatetime(match[1]!);
  return fsp === 0 ? next : `${next}.${'0'.repeat(fsp)}`;
}

function precision(text: string, target: MysqlTemporalTarget): Misfit | undefined {
  const fraction = /\.(\d+)$/.exec(text)?.[1]?.replace(/0+$/, '') ?? '';
  if (fraction.length <= target.fsp) return undefined;
  return { loss: 'precision', substitute: roundFraction(text, target.fsp, target.kind) };
}

/** The misfit of a date/time text in a column of the given kind, or undefined when it fits. */
export function temporalMisfit(value: unknown, target: MysqlTemporalTarget): Misfit | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (target.kind === 'time') {
    const micros = timeMicros(text);
    if (micros !== undefined && (micros > TIME_MAX_MICROS || micros < -TIME_MAX_MICROS)) {
      return { loss: 'time-range' };
    }
    return precision(text, target);
  }
  const endless = infinite(text, target);
  if (endless) return endless;
  if (target.kind === 'date') return undefined;
  if (target.kind === 'timestamp' && !text.startsWith('0000-00-00')) {
    const instant = padded(text);
    if (instant <= padded('1970-01-01 00:00:00')) return { loss: 'out-of-range', substitute: TIMESTAMP_MIN };
    if (instant > padded(TIMESTAMP_MAX))
      return { loss: 'out-of-range', substitute: cut(TIMESTAMP_MAX, target.fsp) };
  }
  return precision(text, target);
}
