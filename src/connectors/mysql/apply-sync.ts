/**
 * The sync tables in a MariaDB/MySQL target (cdc/applier.ts SYNC_*), created where missing as the
 * progress table is (progress.ts). The applied record and counts are written on the session's
 * connection, inside the transaction of the changes. DDL commits implicitly here, so creating and
 * dropping the tables happens outside any transaction.
 */
import type { AppliedState, ChangeCounts } from '../../cdc/applier.js';
import type { StreamPosition } from '../../cdc/change.js';
import { positionText, storedPosition } from '../../cdc/sync-records.js';
import { isFerryError } from '../../errors.js';
import {
  type MysqlSyncCountsRow,
  type MysqlSyncStateRow,
  SYNC_ANY_LEFT,
  SYNC_APPLIED_CREATE,
  SYNC_APPLIED_FORGET,
  SYNC_APPLIED_SELECT,
  SYNC_COUNTS_CREATE,
  SYNC_COUNTS_SELECT,
  SYNC_DROP,
  SYNC_FORGET,
  SYNC_STATE_CREATE,
  SYNC_STATE_SELECT,
  SYNC_STATE_UPSERT,
  SYNC_TABLES_EXIST,
  syncAppliedInsert,
  syncCountsAdd,
} from './apply-sql.js';
import { type MysqlConnection, type MysqlSession, statementError } from './session.js';

/** One stream's records in the sync tables of the connected database. */
export class MysqlSyncTables {
  constructor(
    private readonly session: MysqlSession,
    private readonly stream: string,
  ) {}

  /** Creates the tables where missing, then reads the watermark and the applied keys past it. */
  prepare(): Promise<AppliedState> {
    return this.session.use(async (connection) => {
      for (const create of [SYNC_STATE_CREATE, SYNC_APPLIED_CREATE, SYNC_COUNTS_CREATE]) {
        await this.session.run(connection, "Creating Ferry's sync tables", create);
      }
      const [state] = await this.session.run<MysqlSyncStateRow>(
        connection,
        `Reading the watermark of stream ${this.stream}`,
        SYNC_STATE_SELECT,
        [this.stream],
      );
      const watermark = state ? storedPosition(state.watermark_key, state.watermark) : undefined;
      const after = watermark?.key ?? null;
      const applied = await this.session.run<{ position_key: string }>(
        connection,
        `Reading the transactions stream ${this.stream} applied`,
        SYNC_APPLIED_SELECT,
        [this.stream, after, after],
      );
      return { ...(watermark ? { watermark } : {}), appliedAfter: applied.map((row) => row.position_key) };
    });
  }

  /** Records the transactions at `positions` and adds their counts to `lane`'s rows, inside the open transaction. */
  async record(
    connection: MysqlConnection,
    positions: readonly StreamPosition[],
    counts: ChangeCounts,
    lane: number,
  ): Promise<void> {
    await connection.query(
      syncAppliedInsert(positions.length),
      positions.flatMap((position) => [this.stream, position.key]),
    );
    const tables = Object.entries(counts).filter(
      ([, count]) => count.inserts > 0 || count.updates > 0 || count.deletes > 0,
    );
    if (tables.length === 0) return;
    await connection.query(
      syncCountsAdd(tables.length),
      tables.flatMap(([table, count]) => [
        this.stream,
        table,
        lane,
        count.inserts,
        count.updates,
        count.deletes,
      ]),
    );
  }

  /** Sets the watermark (never back) and forgets the applied records it covers, in one transaction. */
  advance(position: StreamPosition): Promise<void> {
    return this.inTransaction(
      `Moving the watermark of stream ${this.stream} to ${position.key}`,
      async (connection) => {
        await connection.query(SYNC_STATE_UPSERT, [this.stream, position.key, positionText(position)]);
        await connection.query(SYNC_APPLIED_FORGET, [this.stream, position.key]);
      },
    );
  }

  /** The stream's counts per table (none before `prepare`). */
  read(): Promise<ChangeCounts> {
    return this.session.use(async (connection) => {
      const purpose = `Reading the counts of stream ${this.stream}`;
      if ((await this.session.run(connection, purpose, SYNC_TABLES_EXIST)).length === 0) return {};
      const rows = await this.session.run<MysqlSyncCountsRow>(connection, purpose, SYNC_COUNTS_SELECT, [
        this.stream,
      ]);
      const counts: ChangeCounts = {};
      for (const row of rows) {
        counts[row.table_name] = {
          inserts: Number(row.inserts),
          updates: Number(row.updates),
          deletes: Number(row.deletes),
        };
      }
      return counts;
    });
  }

  /** Drops the stream's rows, and the tables once no stream has any. */
  async forget(): Promise<void> {
    const purpose = `Forgetting stream ${this.stream}`;
    const exists = await this.session.use(
      async (connection) => (await this.session.run(connection, purpose, SYNC_TABLES_EXIST)).length > 0,
    );
    if (!exists) return;
    await this.inTransaction(purpose, async (connection) => {
      for (const sql of SYNC_FORGET) await connection.query(sql, [this.stream]);
    });
    await this.session.use(async (connection) => {
      const [left] = await this.session.run<{ n: string | number }>(connection, purpose, SYNC_ANY_LEFT);
      if (Number(left?.n ?? 0) === 0) await this.session.run(connection, purpose, SYNC_DROP);
    });
  }

  private inTransaction(
    purpose: string,
    work: (connection: MysqlConnection) => Promise<void>,
  ): Promise<void> {
    return this.session.use(async (connection) => {
      await this.session.run(connection, purpose, 'START TRANSACTION');
      try {
        await work(connection);
        await this.session.run(connection, purpose, 'COMMIT');
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        if (isFerryError(error)) throw error;
        throw statementError(purpose, error, this.session.display);
      }
    });
  }
}
