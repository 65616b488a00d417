/** The checks and messages every engine's apply session shares: one wording, one set of codes. */
import { FerryError } from '../errors.js';
import type { StreamPosition } from './change.js';

/** Throws unless a new transaction may begin: the session is open and holds none. */
export function checkCanBegin(state: { closed: boolean; open: boolean }): void {
  if (state.closed) throw new FerryError('APPLY_SESSION_CLOSED', 'The apply session is closed.');
  if (state.open) {
    throw new FerryError('APPLY_TRANSACTION_OPEN', 'An apply transaction is already open in this session.');
  }
}

/** Throws unless a transaction is open, for `what` (apply, commit). */
export function checkInTransaction(open: boolean, what: string): void {
  if (!open) throw new FerryError('APPLY_NO_TRANSACTION', `${what}() needs begin() first.`);
}

/** The message of SYNC_ALREADY_APPLIED: the position's record exists, so this transaction was dropped. */
export function alreadyAppliedMessage(position: StreamPosition): string {
  return `The transaction at ${position.key} is recorded as applied already; nothing of this transaction was kept.`;
}
