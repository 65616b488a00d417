/**
 * Whether a number fits a MariaDB integer, DECIMAL, FLOAT/DOUBLE or BIT column exactly, and the
 * substitute LOSS_KINDS documents when it does not (LOAD DATA would clamp or round without an error).
 */
import type { LogicalType } from '../../schema/logical-type.js';
import type { Misfit } from './fit.js';

const FLOAT32_MAX = 3.4028234663852886e38;
const FLOAT64_MAX = Number.MAX_VALUE;

/** The integer a canonical value stands for, or undefined when it is not one (the encoder says why). */
function asBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value)) return BigInt(value);
  return undefined;
}

/** The range of an integer column; YEAR holds 0 and 1901-2155. */
function integerRange(type: Extract<LogicalType, { kind: 'integer' }>, native: string): [bigint, bigint] {
  if (/^year\b/i.test(native)) return [1901n, 2155n];
  const bits = BigInt(type.bits);
  return type.unsigned ? [0n, (1n << bits) - 1n] : [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
}

/** Integers outside the column's range: out-of-range, clamped by `substitute`. */
export function integerMisfit(
  value: unknown,
  type: Extract<LogicalType, { kind: 'integer' }>,
  native: string,
): Misfit | undefined {
  const number = asBigInt(value);
  if (number === undefined) return undefined;
  if (number === 0n && /^year\b/i.test(native)) return undefined;
  const [min, max] = integerRange(type, native);
  if (number < min) return { loss: 'out-of-range', substitute: min };
  if (number > max) return { loss: 'out-of-range', substitute: max };
  return undefined;
}

function nines(whole: number, scale: number, negative: boolean): string {
  const text = `${'9'.repeat(whole) || '0'}${scale > 0 ? `.${'9'.repeat(scale)}` : ''}`;
  return negative ? `-${text}` : text;
}

/** Rounds decimal digits half away from zero (as MariaDB does) to `scale` fractional digits. */
function roundDecimal(negative: boolean, whole: string, fraction: string, scale: number) {
  const kept = BigInt(`${whole}${fraction.slice(0, scale)}` || '0');
  const rounded = (fraction[scale] ?? '0') >= '5' ? kept + 1n : kept;
  const digits = rounded.toString().padStart(scale + 1, '0');
  const newWhole = digits.slice(0, digits.length - scale).replace(/^0+(?=\d)/, '');
  const newFraction = digits.slice(digits.length - scale);
  const text = `${newWhole}${scale > 0 ? `.${newFraction}` : ''}`;
  return {
    text: negative && /[1-9]/.test(text) ? `-${text}` : text,
    wholeDigits: newWhole.replace(/^0+/, '').length,
  };
}

/**
 * Decimal text against DECIMAL(p,s): NaN/±Infinity are special-float (NaN → NULL, ±Infinity →
 * the column's extreme), too many integer digits out-of-range (clamped), too many fractional
 * digits precision (rounded half away from zero).
 */
export function decimalMisfit(
  value: unknown,
  type: Extract<LogicalType, { kind: 'decimal' }>,
): Misfit | undefined {
  const precision = type.precision ?? 65;
  const scale = type.scale ?? 0;
  const maxWhole = precision - scale;
  const text =
    typeof value === 'string' ? value.trim() : typeof value === 'bigint' ? value.toString() : undefined;
  if (text === undefined) return undefined;
  const special = /^([+-]?)(nan|inf|infinity)$/i.exec(text);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return { loss: 'special-float', substitute: null };
    return { loss: 'special-float', substitute: nines(maxWhole, scale, special[1] === '-') };
  }
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const negative = match[1] === '-';
  const whole = match[2]!.replace(/^0+/, '');
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (whole.length > maxWhole) return { loss: 'out-of-range', substitute: nines(maxWhole, scale, negative) };
  if (fraction.length <= scale) return undefined;
  const rounded = roundDecimal(negative, whole, fraction, scale);
  if (rounded.wholeDigits > maxWhole)
    return { loss: 'out-of-range', substitute: nines(maxWhole, scale, negative) };
  return { loss: 'precision', substitute: rounded.text };
}

/**
 * Doubles against FLOAT/DOUBLE: NaN, ±Infinity and -0 are special-float (NaN → NULL, -0 → 0,
 * ±Infinity → the type's largest finite value); into FLOAT, values beyond its range are
 * out-of-range and values with more digits than single precision keeps are precision (rounded).
 */
export function floatMisfit(
  value: unknown,
  type: Extract<LogicalType, { kind: 'float' }>,
): Misfit | undefined {
  if (typeof value !== 'number') return undefined;
  const max = type.bits === 32 ? FLOAT32_MAX : FLOAT64_MAX;
  if (Number.isNaN(value)) return { loss: 'special-float', substitute: null };
  if (value === Number.POSITIVE_INFINITY) return { loss: 'special-float', substitute: max };
  if (value === Number.NEGATIVE_INFINITY) return { loss: 'special-float', substitute: -max };
  if (Object.is(value, -0)) return { loss: 'special-float', substitute: 0 };
  if (type.bits === 32) {
    const single = Math.fround(value);
    if (!Number.isFinite(single)) return { loss: 'out-of-range', substitute: value < 0 ? -max : max };
    if (single !== value) return { loss: 'precision', substitute: Object.is(single, -0) ? 0 : single };
  }
  return undefined;
}

/** A bit string longer than BIT(n) with a 1 beyond n digits: out-of-range, clamped to all ones. */
export function bitMisfit(value: unknown, length: number): Misfit | undefined {
  if (typeof value !== 'string' || !/^[01]+$/.test(value)) return undefined;
  const significant = value.replace(/^0+/, '');
  return significant.length > length ? { loss: 'out-of-range', substitute: '1'.repeat(length) } : undefined;
}
