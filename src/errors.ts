/**
 * Ferry's errors. Every error a user can see is a FerryError with a stable `code`; the CLI maps
 * `kind` to the exit code (usage → 2, everything else → 1) in one place, `cli/main.ts`.
 */

/** Whether the invocation was wrong (`usage`) or the work ran and failed (`failure`). */
export type ErrorKind = 'usage' | 'failure';

/** Base class: a stable code, a message that says what to do, and the underlying cause. */
export class FerryError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;

  constructor(code: string, message: string, options: { kind?: ErrorKind; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = options.kind ?? 'failure';
  }
}

/** The command line, a URL or a plan is malformed, or names something that does not exist. */
export class UsageError extends FerryError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, kind: 'usage' });
  }
}

/** A server could not be reached or refused the connection (bad credentials, missing database). */
export class ConnectionError extends FerryError {}

/** A target precondition failed before any write (for example a non-empty existing table). */
export class PreconditionError extends FerryError {}

/** A value cannot be carried into the target without changing it. Names table, column and key. */
export class ValueError extends FerryError {
  readonly table: string;
  readonly column: string | undefined;

  constructor(code: string, message: string, where: { table: string; column?: string; cause?: unknown }) {
    super(code, message, { cause: where.cause });
    this.table = where.table;
    this.column = where.column;
  }
}

/** A statement failed on a server. The message names the statement's purpose, never row values. */
export class DatabaseError extends FerryError {}

/** Change data capture cannot go on as it is (a schema change it cannot follow, a stream it cannot resume). Says which change, on which table, and how to continue. */
export class SyncError extends FerryError {}

/** True for errors Ferry raised on purpose (as opposed to bugs). */
export function isFerryError(error: unknown): error is FerryError {
  return error instanceof FerryError;
}

/** The message of any thrown value, for wrapping driver errors. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
