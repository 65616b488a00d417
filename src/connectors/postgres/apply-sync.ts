/**
 * The sync tables in a PostgreSQL target (cdc/applier.ts SYNC_*), in the connector's schema,
 * created the way the progress table is (progress.ts): where missing, tolerating a concurrent
 * creator. The applied record and counts are written on the session's connection, inside the
 * transaction of the changes.
 */
import type pg from 'pg';
import type { AppliedState, ChangeCounts } from '../../cdc/applier.js';
import { SYNC_APPLIED_TABLE, SYNC_COUNTS_TABLE, SYNC_STATE_TABLE } from '../../cdc/applier.js';
import type { StreamPosition } from '../../cdc/change.js';
import { positionText, storedPosition } from '../../cdc/sync-records.js';
import {
  SYNC_ANY_LEFT,
  SYNC_APPLIED_CREATE,
  SYNC_APPLIED_FORGET,
  SYNC_APPLIED_SELECT,
  SYNC_COUNTS_CREATE,
  SYNC_COUNTS_SELECT,
  SYNC_RECORD,
  SYNC_STATE_CREATE,
  SYNC_STATE_SELECT,
  SYNC_STATE_UPSERT,
  type SyncCountsRow,
  type SyncStateRow,
} from './apply-sql.js';
import { qualify } from './identifiers.js';

/** SQLSTATEs of a CREATE TABLE IF NOT EXISTS that lost a race with another session's. */
const CREATED_CONCURRENTLY = new Set(['42P07', '23505']);

/** The sync tables' names in one schema, put into the SQL constants. */
export class PostgresSyncTables {
  private readonly state: string;
  private readonly applied: string;
  private readonly counts: string;

  constructor(
    schema: string,
    private readonly stream: string,
  ) {
    this.state = qualify(schema, SYNC_STATE_TABLE);
    this.applied = qualify(schema, SYNC_APPLIED_TABLE);
    this.counts = qualify(schema, SYNC_COUNTS_TABLE);
  }

  private sql(text: string): string {
    return text.replaceAll('%s', this.state).replaceAll('%a', this.applied).replaceAll('%c', this.counts);
  }

  /** Creates the tables where missing, then reads the watermark and the applied keys past it. */
  async prepare(client: pg.ClientBase): Promise<AppliedState> {
    for (const create of [SYNC_STATE_CREATE, SYNC_APPLIED_CREATE, SYNC_COUNTS_CREATE]) {
      try {
        await client.query(this.sql(create));
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (!(typeof code === 'string' && CREATED_CONCURRENTLY.has(code))) throw error;
      }
    }
    const state = (await client.query<SyncStateRow>(this.sql(SYNC_STATE_SELECT), [this.stream])).rows[0];
    const watermark = state ? storedPosition(state.watermark_key, state.watermark) : undefined;
    const applied = await client.query<{ position_key: string }>(this.sql(SYNC_APPLIED_SELECT), [
      this.stream,
      watermark?.key ?? null,
    ]);
    return {
      ...(watermark ? { watermark } : {}),
      appliedAfter: applied.rows.map((row) => row.position_key),
    };
  }

  /** Records the transactions at `positions` and adds their counts to `lane`'s rows, inside the open transaction. */
  async record(
    client: pg.ClientBase,
    positions: readonly StreamPosition[],
    counts: ChangeCounts,
    lane: number,
  ): Promise<void> {
    const tables = Object.entries(counts).filter(
      ([, count]) => count.inserts > 0 || count.updates > 0 || count.deletes > 0,
    );
    await client.query(this.sql(SYNC_RECORD), [
      this.stream,
      positions.map((position) => position.key),
      lane,
      tables.map(([table]) => table),
      tables.map(([, count]) => count.inserts),
      tables.map(([, count]) => count.updates),
      tables.map(([, count]) => count.deletes),
    ]);
  }

  /** Sets the watermark (never back) and forgets the applied records it covers, in one transaction. */
  async advance(client: pg.ClientBase, position: StreamPosition): Promise<void> {
    await client.query('BEGIN');
    try {
      await client.query(this.sql(SYNC_STATE_UPSERT), [this.stream, position.key, positionText(position)]);
      await client.query(this.sql(SYNC_APPLIED_FORGET), [this.stream, position.key]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** The stream's counts per table (none before `prepare`). */
  async read(client: pg.ClientBase): Promise<ChangeCounts> {
    const rows = (await client.query<SyncCountsRow>(this.sql(SYNC_COUNTS_SELECT), [this.stream])).rows;
    const counts: ChangeCounts = {};
    for (const row of rows) {
      counts[row.table_name] = {
        inserts: Number(row.inserts),
        updates: Number(row.updates),
        deletes: Number(row.deletes),
      };
    }
    return counts;
  }

  /** Drops the stream's rows, and the tables once no stream has any. */
  async forget(client: pg.ClientBase): Promise<void> {
    await client.query('BEGIN');
    try {
      for (const table of [this.state, this.applied, this.counts]) {
        await client.query(`DELETE FROM ${table} WHERE stream = $1`, [this.stream]);
      }
      const left = (await client.query<{ n: string }>(this.sql(SYNC_ANY_LEFT))).rows[0]?.n;
      if (Number(left) === 0) await client.query(`DROP TABLE ${this.state}, ${this.applied}, ${this.counts}`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Whether the tables exist (`counts` and `forget` before any `prepare`). */
  async exist(client: pg.ClientBase): Promise<boolean> {
    const found = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [
      this.counts,
    ]);
    return found.rows[0]?.ok ?? false;
  }
}
