/** How the engine words failures it did not raise itself. */
import { FerryError, messageOf } from '../errors.js';

/** Keeps a FerryError as it is; wraps anything else so the user sees what Ferry was doing. */
export function asFerryError(error: unknown, code: string, what: string): FerryError {
  if (error instanceof FerryError) return error;
  return new FerryError(code, `Failed while ${what}: ${messageOf(error)}`, { cause: error });
}
