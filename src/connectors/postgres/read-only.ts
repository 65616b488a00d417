/**
 * Connector.makeReadOnly on PostgreSQL, for `ferry cutover --read-only`. PostgreSQL has no switch
 * that makes a database refuse writes: new sessions of the database start read-only
 * (`default_transaction_read_only`), and the sessions already open are ended so that the
 * application reconnects into read-only ones (their open transactions roll back). Ferry's own
 * sessions (same `application_name`) and the walsenders stay. A client that turns the setting off
 * in its session can still write: the documentation says so.
 */
import type pg from 'pg';
import type { ReadOnlySource } from '../connector.js';
import { quoteIdent } from './identifiers.js';

/** Ends the other client sessions of this database, waiting up to 5 s for each to be gone (its commit either landed or never will). */
const END_OTHER_SESSIONS = `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000))::int AS ended FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
  AND application_name IS DISTINCT FROM current_setting('application_name')`;

/** Makes the connected database read-only for new sessions and ends the others. */
export async function makePostgresReadOnly(client: pg.ClientBase): Promise<ReadOnlySource> {
  const database = (await client.query<{ name: string }>('SELECT current_database() AS name')).rows[0]!.name;
  const quoted = quoteIdent(database);
  await client.query(`ALTER DATABASE ${quoted} SET default_transaction_read_only = on`);
  const ended = (await client.query<{ ended: number }>(END_OTHER_SESSIONS)).rows[0]?.ended ?? 0;
  return {
    detail: `database ${quoted} starts every new session read-only (default_transaction_read_only = on); ${ended} open session${ended === 1 ? ' was' : 's were'} ended so that clients reconnect read-only`,
    // Its own session starts read-only too: the undo opens a read-write transaction explicitly.
    undo: `BEGIN READ WRITE; ALTER DATABASE ${quoted} RESET default_transaction_read_only; COMMIT;`,
  };
}
