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
