/**
 * Per value: does it fit the PostgreSQL column it is bound for, and if not, which loss kind
 * (src/values/loss-kinds.ts) is it; plus the documented substitute for each kind. Checked against
 * the target column's real type, so a widened column (bytea, interval, numeric, …) simply fits.
 */
import type { LogicalType } from '../../schema/logical-type.js';
import { numberToDecimalText } from '../../values/canonical.js';
import type { LossKind } from '../../values/loss-kinds.js';
import type { PresentValue } from './codecs.js';

const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;
const ZERO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const TIME = /^(-?)(\d+):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const FLOAT32_MAX = 3.4028234663852886e38;

const INTEGER_RANGE: Record<number, [bigint, bigint]> = {
  16: [-32768n, 32767n],
  32: [-2147483648n, 2147483647n],
  64: [-9223372036854775808n, 9223372036854775807n],
};

/** The range of a PostgreSQL integer type (smallint, integer, bigint). */
export function postgresIntegerRange(bits: number): [bigint, bigint] {
  return INTEGER_RANGE[bits] ?? INTEGER_RANGE[64]!;
}

/** Digits after the point that are not trailing zeros. */
function fractionDigits(text: string): number {
  const fraction = /\.(\d+)/.exec(text)?.[1];
  return fraction === undefined ? 0 : fraction.replace(/0+$/, '').length;
}

function textLoss(text: string, target: LogicalType): LossKind | undefined {
  if (LONE_SURROGATE.test(text)) return 'invalid-text';
  if (target.kind === 'binary') return undefined;
  if (text.includes('\u0000')) return 'nul-in-text';
  // PostgreSQL silently cuts an over-long value whose excess is spaces, so length is checked here.
  if (target.kind === 'text' && target.length !== undefined && text.length > target.length) {
    if ([...text].length > target.length) return 'too-long';
  }
  return undefined;
}

function isZeroDate(text: string): boolean {
  const match = ZERO_DATE.exec(text);
  return match !== null && (match[1] === '0000' || match[2] === '00' || match[3] === '00');
}

/** Outside PostgreSQL `time`'s 00:00:00–24:00:00 (MySQL TIME runs from -838:59:59 to 838:59:59). */
function isOutsideDay(text: string): boolean {
  const match = TIME.exec(text);
  if (!match) return false;
  const [, sign, hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  const rest = Number(minutes) + Number(seconds) + Number(`0.${fraction || '0'}`);
  if (sign === '-') return Number(hours) + rest > 0;
  return Number(hours) > 24 || (Number(hours) === 24 && rest > 0);
}

function decimalLoss(value: PresentValue, target: Extract<LogicalType, { kind: 'decimal' }>) {
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return 'special-float';
    if (Number.isNaN(value)) return undefined;
    if (!Number.isFinite(value)) return target.precision === undefined ? undefined : 'special-float';
  }
  if (target.precision === undefined) return undefined;
  const text = typeof value === 'number' ? numberToDecimalText(value) : String(value);
  if (/^[+-]?infinity$/i.test(text)) return 'out-of-range';
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const scale = target.scale ?? 0;
  const whole = (match[2] ?? '').replace(/^0+/, '');
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (whole.length > target.precision - scale) return 'out-of-range';
  if (fraction.length > Math.max(scale, 0)) return 'precision';
  // A negative scale rounds to tens, hundreds…: the last -scale digits must be zeros.
  if (scale < 0 && !/^0*$/.test(whole.slice(whole.length + scale))) return 'precision';
  return undefined;
}

/**
 * The loss a value would suffer in a column of PostgreSQL logical type `target`, or undefined
 * when it fits exactly. `source` is the column's logical type where the value came from.
 */
export function postgresLossOf(
  value: PresentValue,
  source: LogicalType,
  target: LogicalType,
): LossKind | undefined {
  if (source.kind === 'other' && !(target.kind === 'other' && target.name === source.name)) {
    return 'no-target-type';
  }
  if (typeof value === 'string') {
    const loss = textLoss(value, target);
    if (loss) return loss;
  }
  switch (target.kind) {
    case 'integer': {
      if (typeof value !== 'bigint') return undefined;
      const [min, max] = postgresIntegerRange(target.bits);
      return value < min || value > max ? 'out-of-range' : undefined;
    }
    case 'decimal':
      return decimalLoss(value, target);
    case 'float': {
      if (target.bits !== 32 || typeof value !== 'number' || Number.isNaN(value)) return undefined;
      const single = Math.fround(value);
      if (Object.is(single, value)) return undefined;
      return Number.isFinite(value) && !Number.isFinite(single) ? 'out-of-range' : 'precision';
    }
    case 'date':
      return typeof value === 'string' && isZeroDate(value) ? 'zero-date' : undefined;
    case 'datetime':
    case 'timestamptz':
      if (typeof value !== 'string') return undefined;
      if (isZeroDate(value)) return 'zero-date';
      return fractionDigits(value) > (target.fsp ?? 6) ? 'precision' : undefined;
    case 'time':
      if (typeof value !== 'string') return undefined;
      if (isOutsideDay(value)) return 'time-range';
      return fractionDigits(value) > (target.fsp ?? 6) ? 'precision' : undefined;
    default:
      return undefined;
  }
}

/** `-12.345` rounded half away from zero to `scale` places (negative scale: tens, hundreds…). */
export function roundDecimalText(text: string, scale: number): string {
  const match = DECIMAL.exec(text);
  if (!match) return text;
  const [, sign = '', whole = '', fraction = ''] = match;
  const shift = Math.max(scale, 0);
  const digits = `${whole}${fraction.padEnd(shift, '0').slice(0, shift)}`;
  const dropped = scale < 0 ? -scale : 0;
  const kept = dropped > 0 ? digits.slice(0, Math.max(digits.length - dropped, 0)) : digits;
  const next = scale < 0 ? (digits[digits.length - dropped] ?? '0') : (fraction[shift] ?? '0');
  let units = BigInt(kept || '0') + (next >= '5' ? 1n : 0n);
  if (dropped > 0) units *= 10n ** BigInt(dropped);
  let body = units.toString().padStart(shift + 1, '0');
  if (shift > 0) body = `${body.slice(0, -shift)}.${body.slice(-shift)}`;
  return units === 0n || sign !== '-' ? body : `-${body}`;
}

function decimalMax(precision: number, scale: number): string {
  if (scale <= 0) return `${'9'.repeat(precision)}${'0'.repeat(-scale)}`;
  return `${'9'.repeat(Math.max(precision - scale, 0)) || '0'}.${'9'.repeat(scale)}`;
}

function negative(value: PresentValue): boolean {
  if (typeof value === 'bigint') return value < 0n;
  if (typeof value === 'number') return value < 0;
  return typeof value === 'string' && value.trim().startsWith('-');
}

function clamp(value: PresentValue, target: LogicalType): PresentValue | undefined {
  if (target.kind === 'integer') {
    const [min, max] = postgresIntegerRange(target.bits);
    return negative(value) ? min : max;
  }
  if (target.kind === 'decimal' && target.precision !== undefined) {
    const max = decimalMax(target.precision, target.scale ?? 0);
    return negative(value) ? `-${max}` : max;
  }
  if (target.kind === 'float') return negative(value) ? -FLOAT32_MAX : FLOAT32_MAX;
  return undefined;
}

function rounded(value: PresentValue, target: LogicalType): PresentValue {
  if (target.kind === 'float' && typeof value === 'number') return Math.fround(value);
  if (target.kind === 'decimal' && (typeof value === 'string' || typeof value === 'number')) {
    const text = typeof value === 'number' ? numberToDecimalText(value) : value;
    return roundDecimalText(text, target.scale ?? 0);
  }
  // Fractional seconds: PostgreSQL rounds to the column's precision itself (with carries into
  // the seconds, minutes and days that a string edit would get wrong).
  return value;
}

/**
 * LOSS_KINDS' documented substitute for `value` in a column of type `target`: `null` for SQL
 * NULL (NaN's substitute), undefined when the kind has no substitute here.
 */
export function postgresSubstitute(
  loss: LossKind,
  value: PresentValue,
  target: LogicalType,
): PresentValue | null | undefined {
  switch (loss) {
    case 'zero-date':
      return typeof value === 'string'
        ? value.replace(ZERO_DATE, (_, y: string, m: string, d: string) =>
            [y === '0000' ? '0001' : y, m === '00' ? '01' : m, d === '00' ? '01' : d].join('-'),
          )
        : undefined;
    case 'nul-in-text':
      return typeof value === 'string' ? value.replaceAll('\u0000', '') : undefined;
    case 'invalid-text':
      return typeof value === 'string' ? value.replace(LONE_SURROGATES, '\uFFFD') : undefined;
    case 'too-long':
      return typeof value === 'string' && target.kind === 'text' && target.length !== undefined
        ? [...value].slice(0, target.length).join('')
        : undefined;
    case 'out-of-range':
      return clamp(value, target);
    case 'precision':
      return rounded(value, target);
    case 'special-float':
      if (typeof value !== 'number' || Number.isNaN(value)) return null;
      if (Object.is(value, -0)) return 0;
      return value > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
    default:
      return undefined;
  }
}
