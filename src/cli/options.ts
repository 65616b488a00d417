/** Parsers for option values shared by commands; each throws a UsageError naming the option. */
import { BYTE_SIZE_EXAMPLES, parseByteSize } from '../engine/byte-size.js';
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

/** A size in bytes: `500000`, `512k`, `20M`, `1G` (binary multiples; a trailing `B` is allowed). */
export function byteSize(option: string) {
  return (value: string): number => {
    const size = parseByteSize(value);
    if (size !== undefined) return size;
    throw new UsageError(
      'BAD_OPTION',
      `${option} must be a size such as ${BYTE_SIZE_EXAMPLES}; got "${value}".`,
    );
  };
}
