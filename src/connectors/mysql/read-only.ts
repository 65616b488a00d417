/**
 * Connector.makeReadOnly on MariaDB/MySQL, for `ferry cutover --read-only`: the server's global
 * `read_only`, which waits for open transactions to commit and then refuses writes from every
 * account without READ ONLY ADMIN (MySQL: SUPER or CONNECTION_ADMIN), on all databases of the
 * server. Accounts that hold the privilege (root) still write: the documentation says so.
 */
import type { ReadOnlySource } from '../connector.js';
import type { MysqlSession } from './session.js';

/** Turns the server's `read_only` on. Needs SUPER (MariaDB: or READ ONLY ADMIN). */
export async function makeMysqlReadOnly(session: MysqlSession): Promise<ReadOnlySource> {
  await session.use((connection) =>
    session.run(
      connection,
      'Making the source server read-only (SET GLOBAL read_only = ON)',
      'SET GLOBAL read_only = ON',
    ),
  );
  return {
    detail: `the server ${session.display} refuses writes (read_only = ON) from accounts without READ ONLY ADMIN or SUPER, on all its databases`,
    undo: 'SET GLOBAL read_only = OFF;',
  };
}
