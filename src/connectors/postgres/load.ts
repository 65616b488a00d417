/**
 * `sampleLoad` for PostgreSQL: times the probe under a transaction-local statement_timeout on a
 * connection of its own (a one-connection pool, so a pool full of readers cannot delay it), then
 * reads the active backends of this database, the oldest snapshot's xmin age and, on a primary
 * with replicas, the largest replay lag. Other roles' sessions show only to superusers and
 * members of pg_read_all_stats; without that the figures cover this role's sessions.
 */
import pg from 'pg';
import { DatabaseError, messageOf } from '../../errors.js';
import type { LoadProbe, LoadSample } from '../connector.js';
import { probeStatement, probeTimeoutSeconds, timeProbe } from '../load-probe.js';
import type { ConnectionUrl } from '../url.js';
import { postgresConnectionError } from './connection-errors.js';
import { qualify } from './identifiers.js';
import { acquirePostgres, postgresPoolConfig } from './session.js';

/** Stops the probe server-side at its timeout, for this transaction only (the lock wait included). */
function probeTimeout(seconds: number): string {
  return `BEGIN; SET LOCAL statement_timeout = ${Math.max(1, Math.round(seconds * 1000))}`;
}

/**
 * The load figures in one row: client backends running a statement in this database, the age in
 * transactions of the oldest backend snapshot (0 when none holds one back), and the largest replay
 * lag of the replicas in seconds (NULL without replicas: physical standbys, whose walsenders are
 * connected to no database; a logical stream such as Ferry's own sync is not a replica). The
 * sampling session is left out.
 * https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW
 */
export const SELECT_LOAD_FIGURES = `SELECT
  (SELECT count(*) FROM pg_stat_activity
    WHERE datname = current_database() AND state = 'active' AND backend_type = 'client backend'
      AND pid <> pg_backend_pid()) AS active_backends,
  (SELECT coalesce(max(age(backend_xmin)), 0) FROM pg_stat_activity
    WHERE pid <> pg_backend_pid()) AS xmin_age,
  (SELECT extract(epoch FROM max(r.replay_lag)) FROM pg_stat_replication r
    JOIN pg_stat_activity a ON a.pid = r.pid WHERE a.datname IS NULL) AS replication_lag`;

/** The row of SELECT_LOAD_FIGURES (count and extract arrive as text). */
interface LoadFiguresRow {
  active_backends: string;
  xmin_age: number | string;
  replication_lag: string | null;
}

/** SQLSTATE 57014 query_canceled: statement_timeout stopped the probe. */
const QUERY_CANCELED = '57014';

/** One source's load sampler on a connection of its own, closed by `close`. */
export class PostgresLoad {
  private pool: pg.Pool | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly url: ConnectionUrl,
    private readonly schema: string,
    private readonly display: string,
  ) {}

  /** See Connector.sampleLoad. Samples run one at a time. */
  sample(probe?: LoadProbe): Promise<LoadSample> {
    const run = this.queue.then(
      () => this.sampleNow(probe),
      () => this.sampleNow(probe),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Closes the sampling connection. Safe to call twice. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  private async connection(): Promise<pg.PoolClient> {
    if (!this.pool) {
      // allowExitOnIdle: an idle sampling connection never keeps the process alive.
      this.pool = new pg.Pool({ ...postgresPoolConfig(this.url), max: 1, allowExitOnIdle: true });
      this.pool.on('error', () => {});
    }
    try {
      return await acquirePostgres(this.pool, this.schema);
    } catch (error) {
      throw postgresConnectionError(error, this.url);
    }
  }

  private async sampleNow(probe: LoadProbe | undefined): Promise<LoadSample> {
    const timeoutSeconds = probeTimeoutSeconds(probe);
    const sql = probeStatement(probe, (table) => qualify(this.schema, table));
    const client = await this.connection();
    let broken = false;
    try {
      await client.query(probeTimeout(timeoutSeconds));
      let probeSeconds: number;
      try {
        probeSeconds = await timeProbe({
          run: () => client.query(sql),
          timeoutSeconds,
          isCancellation: (error) => (error as { code?: unknown }).code === QUERY_CANCELED,
        });
      } finally {
        await client.query('ROLLBACK');
      }
      const row = (await client.query<LoadFiguresRow>(SELECT_LOAD_FIGURES)).rows[0];
      return { probeSeconds, metrics: figures(row) };
    } catch (error) {
      broken = true;
      throw new DatabaseError(
        'PG_LOAD_SAMPLE_FAILED',
        `Sampling the load of ${this.display} (${sql}) failed: ${messageOf(error)}`,
        { cause: error },
      );
    } finally {
      client.release(broken);
    }
  }
}

function figures(row: LoadFiguresRow | undefined): LoadSample['metrics'] {
  if (!row) return {};
  const metrics: LoadSample['metrics'] = {
    'active-backends': Number(row.active_backends),
    'xmin-age': Number(row.xmin_age),
  };
  if (row.replication_lag !== null) metrics['replication-lag'] = Number(row.replication_lag);
  return metrics;
}
