/** Which PostgreSQL failures may pass on a second attempt (Connector.isTransient). */
import { causeChain } from '../cause-chain.js';

/**
 * SQLSTATE classes and codes that end a transaction, not the data's chances: connection
 * exceptions (08…), serialization failure and deadlock (40001, 40P01), lock timeout (55P03),
 * administrator shutdown or termination, crash shutdown, cannot connect now (57P01–57P03).
 */
const TRANSIENT_STATES = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03']);

/** Node socket errors of a broken connection. */
const SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED']);

/** pg's own wording when the server closes the socket under it. */
const LOST_CONNECTION =
  /Connection terminated|terminating connection|Client has encountered a connection error/i;

/** True when an error anywhere in the chain is one of the passing kinds. */
export function isPostgresTransient(error: unknown): boolean {
  for (const link of causeChain(error)) {
    if (typeof link !== 'object' || link === null) continue;
    const { code, message } = link as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (code.startsWith('08') || TRANSIENT_STATES.has(code) || SOCKET_CODES.has(code)) return true;
    }
    if (typeof message === 'string' && LOST_CONNECTION.test(message)) return true;
  }
  return false;
}
