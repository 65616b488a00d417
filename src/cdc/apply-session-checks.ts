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

/** The message of SYNC_ALREADY_APPLIED: a position's record exists, so this transaction was dropped. */
export function alreadyAppliedMessage(positions: readonly StreamPosition[]): string {
  const what = positions.length === 1 ? 'it is' : 'one of them is';
  return `Recording ${positionsText(positions)} failed: ${what} recorded as applied already; nothing of this transaction was kept.`;
}

/** How a commit names its source transactions in messages: the position, or the first and last. */
export function positionsText(positions: readonly StreamPosition[]): string {
  if (positions.length === 1) return `the transaction at ${positions[0]!.key}`;
  return `${positions.length} transactions from ${positions[0]!.key} to ${positions.at(-1)!.key}`;
}

/** Throws unless a commit names at least one source transaction. */
export function checkPositions(positions: readonly StreamPosition[]): void {
  if (positions.length === 0) {
    throw new FerryError(
      'APPLY_NO_POSITION',
      'commit() needs the position of at least one source transaction.',
    );
  }
}
