/** Which SQLite failures may pass on a second attempt (Connector.isTransient). */
import { causeChain } from '../cause-chain.js';

/** Another process holds the file's lock (SQLITE_BUSY, SQLITE_LOCKED and their extended codes). */
const BUSY = /^SQLITE_(BUSY|LOCKED)/;

/** True when an error anywhere in the chain is a busy or locked database. */
export function isSqliteTransient(error: unknown): boolean {
  for (const link of causeChain(error)) {
    const code = typeof link === 'object' && link !== null ? (link as { code?: unknown }).code : undefined;
    if (typeof code === 'string' && BUSY.test(code)) return true;
  }
  return false;
}
