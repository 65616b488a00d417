/** Which MariaDB/MySQL failures may pass on a second attempt (Connector.isTransient). */
import { causeChain } from '../cause-chain.js';
import { driverCode } from './connection-errors.js';

/**
 * Server errors that end a statement, not the data's chances: lock wait timeout (1205), deadlock
 * (1213), server shutdown (1053), connection killed (1927, MariaDB), query interrupted (1317),
 * and the client-side "server has gone away" / "lost connection" (2006, 2013).
 */
const TRANSIENT_ERRNOS = new Set([1053, 1205, 1213, 1317, 1927, 2006, 2013]);

/** Driver codes of a broken connection. */
const TRANSIENT_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
]);

/** True when a driver error anywhere in the chain is one of the passing kinds. */
export function isMysqlTransient(error: unknown): boolean {
  for (const link of causeChain(error)) {
    const { code, errno } = driverCode(link);
    if (errno !== undefined && TRANSIENT_ERRNOS.has(errno)) return true;
    if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  }
  return false;
}
