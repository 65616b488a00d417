/**
 * `sampleLoad` for MariaDB/MySQL: times the probe on a connection held for sampling alone, then
 * reads Threads_running, InnoDB's history list length and, where this server is a replica, its lag.
 * A figure the account may not read (PROCESS for INNODB_METRICS, REPLICATION CLIENT or
 * SLAVE MONITOR for the replica status) is left out from then on, not an error.
 */
import type { LoadMetric, LoadProbe, LoadSample } from '../connector.js';
import { probeStatement, probeTimeoutSeconds, timeProbe } from '../load-probe.js';
import { driverCode } from './connection-errors.js';
import { coreOf, type MysqlConnection, type MysqlSession, statementError } from './session.js';
import { quoteIdentifier } from './sql.js';

/** Statements executing right now, the sampling one included. */
export const SHOW_THREADS_RUNNING = "SHOW GLOBAL STATUS LIKE 'Threads_running'";

/**
 * InnoDB's history list: undo records purge cannot free while an old snapshot (Ferry's own
 * included) is open. https://mariadb.com/kb/en/information-schema-innodb_metrics-table/
 */
export const SELECT_HISTORY_LENGTH =
  "SELECT `COUNT` AS history_length FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len'";

/** This server's state as a replica: no row on a server that replicates from nobody. */
const SHOW_REPLICA_STATUS_MARIADB = 'SHOW SLAVE STATUS';
/** MySQL 8.0.22 renamed the statement (8.4 dropped the old name) and its lag column. */
const SHOW_REPLICA_STATUS_MYSQL = 'SHOW REPLICA STATUS';

/** Stops a statement of another connection of the same account. */
function killQuery(threadId: number): string {
  return `KILL QUERY ${threadId}`;
}

/** `ER_QUERY_INTERRUPTED` (1317) and MariaDB's `ER_STATEMENT_TIMEOUT` (1969): the probe was stopped. */
const CANCELLATION_ERRNOS = new Set([1317, 1969]);

/** A row of SHOW GLOBAL STATUS. */
interface StatusRow {
  Variable_name: string;
  Value: string;
}

/** The lag columns of SHOW SLAVE STATUS / SHOW REPLICA STATUS; NULL while replication is stopped. */
interface ReplicaStatusRow {
  Seconds_Behind_Master?: string | number | null;
  Seconds_Behind_Source?: string | number | null;
}

/** One source's load sampler: a pooled connection kept for sampling, released by `close`. */
export class MysqlLoad {
  private connection: MysqlConnection | undefined;
  /** Figures the server refused once (missing privilege, no such table): not asked again. */
  private readonly refused = new Set<LoadMetric>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly session: MysqlSession) {}

  /** See Connector.sampleLoad. Samples run one at a time. */
  sample(probe?: LoadProbe): Promise<LoadSample> {
    const run = this.queue.then(
      () => this.sampleNow(probe),
      () => this.sampleNow(probe),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Gives the sampling connection back to the pool. Safe to call twice. */
  close(): void {
    this.connection?.release();
    this.connection = undefined;
  }

  private async sampleNow(probe: LoadProbe | undefined): Promise<LoadSample> {
    const timeoutSeconds = probeTimeoutSeconds(probe);
    const sql = probeStatement(probe, quoteIdentifier);
    this.connection ??= await this.session.acquire();
    const connection = this.connection;
    try {
      const probeSeconds = await timeProbe({
        run: () => connection.query(sql),
        timeoutSeconds,
        // From another connection: this one is busy waiting. KILL QUERY leaves the connection usable.
        cancel: () =>
          this.session.use(
            async (other) => void (await other.query(killQuery(coreOf(connection).threadId ?? 0))),
          ),
        isCancellation: (error) => CANCELLATION_ERRNOS.has(driverCode(error).errno ?? 0),
      });
      return { probeSeconds, metrics: await this.metrics(connection) };
    } catch (error) {
      // Whatever failed, the next sample starts on a fresh connection.
      this.connection = undefined;
      connection.destroy();
      throw statementError(`Sampling the load (${sql})`, error, this.session.display);
    }
  }

  private async metrics(connection: MysqlConnection): Promise<LoadSample['metrics']> {
    const metrics: LoadSample['metrics'] = {};
    const [status] = await connection.query(SHOW_THREADS_RUNNING);
    const threads = (status as StatusRow[])[0]?.Value;
    if (threads !== undefined) metrics['threads-running'] = Number(threads);
    const history = await this.optional(connection, 'history-length', SELECT_HISTORY_LENGTH);
    const length = (history as Array<{ history_length: string | number }> | undefined)?.[0]?.history_length;
    if (length !== undefined) metrics['history-length'] = Number(length);
    const lag = replicationLag(
      (await this.optional(connection, 'replication-lag', this.replicaStatusStatement())) as
        | ReplicaStatusRow[]
        | undefined,
    );
    if (lag !== undefined) metrics['replication-lag'] = lag;
    return metrics;
  }

  /** Runs a statement whose refusal only means the figure is unknown; remembers the refusal. */
  private async optional(connection: MysqlConnection, metric: LoadMetric, sql: string): Promise<unknown> {
    if (this.refused.has(metric)) return undefined;
    try {
      const [rows] = await connection.query(sql);
      return rows;
    } catch (error) {
      // A server error (privilege, unknown statement) is an answer; a broken connection is not.
      if (driverCode(error).errno === undefined) throw error;
      this.refused.add(metric);
      return undefined;
    }
  }

  private replicaStatusStatement(): string {
    const { flavor, version } = this.session.server;
    const [major, minor, patch] = version;
    const renamed = flavor === 'mysql' && (major > 8 || (major === 8 && (minor > 0 || patch >= 22)));
    return renamed ? SHOW_REPLICA_STATUS_MYSQL : SHOW_REPLICA_STATUS_MARIADB;
  }
}

/** The largest lag over the replication channels that report one; undefined on a primary. */
function replicationLag(rows: ReplicaStatusRow[] | undefined): number | undefined {
  let lag: number | undefined;
  for (const row of rows ?? []) {
    const value = row.Seconds_Behind_Master ?? row.Seconds_Behind_Source;
    if (value === null || value === undefined) continue;
    lag = Math.max(lag ?? 0, Number(value));
  }
  return lag;
}
