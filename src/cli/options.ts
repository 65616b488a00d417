/** Parsers for option values shared by commands; each throws a UsageError naming the option. */
import { UsageError } from '../errors.js';

/** `a,b, c` → `['a','b','c']`; repeated options accumulate. */
export function parseList(value: string, previous: string[] = []): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  return [...previous, ...items];
}

/** A value that must be one of `choices`. */
export function oneOf<T extends string>(option: string, choices: readonly T[]) {
  return (value: string): T => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new UsageError('BAD_OPTION', `${option} must be one of ${choices.join(', ')}; got "${value}".`);
  };
}

/** A number greater than zero. */
export function positiveNumber(option: string) {
  return (value: string): number => {
    const number = Number(value);
    if (Number.isFinite(number) && number > 0) return number;
    throw new UsageError('BAD_OPTION', `${option} must be a number greater than 0; got "${value}".`);
  };
}

/** A whole number of at least 1. */
export function positiveInteger(option: string) {
  return (value: string): number => {
    const number = Number(value);
    if (Number.isInteger(number) && number >= 1) return number;
    throw new UsageError('BAD_OPTION', `${option} must be a whole number of at least 1; got "${value}".`);
  };
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A size in bytes: `500000`, `512k`, `20M`, `1G` (binary multiples; a trailing `B` is allowed). */
export function byteSize(option: string) {
  return (value: string): number => {
    const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(value.trim());
    const unit = SIZE_UNITS[(match?.[2] ?? '').toLowerCase()];
    const size = match && unit ? Number(match[1]) * unit : Number.NaN;
    if (Number.isFinite(size) && size > 0) return size;
    throw new UsageError(
      'BAD_OPTION',
      `${option} must be a size such as 500000, 512k or 20M; got "${value}".`,
    );
  };
}
