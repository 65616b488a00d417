/**
 * `sampleLoad` for SQLite: only the probe (an embedded file has no server figures), on a read-only
 * connection opened for the sample. SQLite waits for a lock by blocking the whole process, so the
 * probe does not wait: a file locked by a writer (SQLITE_BUSY) counts as a probe that reached its
 * timeout.
 */
import Database from 'better-sqlite3';
import { DatabaseError, messageOf } from '../../errors.js';
import type { LoadProbe, LoadSample } from '../connector.js';
import { probeStatement, probeTimeoutSeconds } from '../load-probe.js';
import type { SqliteDatabase } from './session.js';
import { quoteSqliteIdent } from './sql.js';

/** Times the probe on `path` (an in-memory database, which no other connection can see, on `shared`). */
export function sampleSqliteLoad(path: string, shared: () => SqliteDatabase, probe?: LoadProbe): LoadSample {
  const timeoutSeconds = probeTimeoutSeconds(probe);
  const sql = probeStatement(probe, quoteSqliteIdent);
  let own: SqliteDatabase | undefined;
  try {
    if (path !== ':memory:') own = new Database(path, { readonly: true, fileMustExist: true, timeout: 0 });
    const db = own ?? shared();
    const started = performance.now();
    db.prepare(sql).get();
    return { probeSeconds: (performance.now() - started) / 1000, metrics: {} };
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY')
      return { probeSeconds: timeoutSeconds, metrics: {} };
    throw new DatabaseError(
      'SQLITE_LOAD_SAMPLE_FAILED',
      `Sampling the load of ${path} (${sql}) failed: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    own?.close();
  }
}
