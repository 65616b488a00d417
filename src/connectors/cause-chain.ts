/** Walks an error and its `cause`s, for classifiers that look for a driver's code anywhere in it. */

/** The error itself, then each `cause` in turn (at most 10 deep, in case of a cycle). */
export function* causeChain(error: unknown): Generator<unknown> {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth++) {
    yield current;
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
}
