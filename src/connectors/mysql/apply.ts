/**
 * The MariaDB/MySQL applier (cdc/applier.ts): sessions on pooled connections with Ferry's session
 * settings (UTC, utf8mb4, strict sql_mode: session.ts) and `foreign_key_checks = 0` (the source
 * checked them), each applying whole transactions as multi-row statements (cdc/apply-steps.ts) and
 * recording the transaction's position and counts in the same transaction (apply-sync.ts).
 * Triggers on the target still run: MariaDB has no session switch for them. A truncate is
 * `DELETE FROM`, since TRUNCATE commits the transaction it is in.
 */
import type {
  AppliedState,
  ApplierOptions,
  ApplySession,
  ChangeApplier,
  ChangeCounts,
} from '../../cdc/applier.js';
import {
  alreadyAppliedMessage,
  checkCanBegin,
  checkInTransaction,
  checkPositions,
  positionsText,
} from '../../cdc/apply-session-checks.js';
import {
  type ApplyStep,
  applySteps,
  DEFAULT_STEP_LIMITS,
  isWholeRowIdentity,
  type StepLimits,
} from '../../cdc/apply-steps.js';
import type { ChangeRelation, ChangeValue, RowChange, StreamPosition } from '../../cdc/change.js';
import { CountLanes } from '../../cdc/count-lanes.js';
import { DatabaseError, isFerryError, ValueError } from '../../errors.js';
import type { CanonicalValue } from '../../values/canonical.js';
import { type MysqlApplyPlan, mysqlApplyPlan } from './apply-plan.js';
import { SHOW_WARNINGS_LIMIT } from './apply-sql.js';
import {
  deleteKeys,
  deleteOneRow,
  insertRows,
  type MysqlStatement,
  updateByKey,
  updateOneRow,
} from './apply-statements.js';
import { MysqlSyncTables } from './apply-sync.js';
import { driverCode } from './connection-errors.js';
import { sanitizeServerMessage } from './load-warnings.js';
import { type MysqlConnection, type MysqlSession, statementError } from './session.js';
import {
  FOREIGN_KEY_CHECKS_OFF,
  FOREIGN_KEY_CHECKS_ON,
  type MysqlColumnRow,
  quoteIdentifier,
} from './sql.js';

/** Sessions an applier may run at once. */
export const MYSQL_APPLY_SESSIONS = 8;

/** Complete same-key updates are upserts: ON DUPLICATE KEY UPDATE does the update, or the insert of a missing row. */
const LIMITS: StepLimits = { ...DEFAULT_STEP_LIMITS, updatesAsUpserts: true };

/** Server errors that mean "this value cannot go in", as the writer knows them. */
const VALUE_ERRNOS = new Set([1048, 1062, 1263, 1264, 1265, 1292, 1366, 1406, 3819, 4025]);

/** Applies one stream's transactions into the connected database. */
export class MysqlApplier implements ChangeApplier {
  readonly maxSessions = MYSQL_APPLY_SESSIONS;
  private readonly sync: MysqlSyncTables;
  private readonly sessions = new Set<MysqlApplySession>();
  private readonly lanes = new CountLanes();

  constructor(
    private readonly session: MysqlSession,
    private readonly columnsOf: (connection: MysqlConnection, table: string) => Promise<MysqlColumnRow[]>,
    private readonly options: ApplierOptions,
  ) {
    this.sync = new MysqlSyncTables(session, options.stream);
  }

  prepare(): Promise<AppliedState> {
    return this.sync.prepare();
  }

  async openSession(): Promise<ApplySession> {
    const connection = await this.session.acquire();
    try {
      await this.session.run(
        connection,
        'Turning foreign key checks off for applying changes',
        FOREIGN_KEY_CHECKS_OFF,
      );
    } catch (error) {
      connection.destroy();
      throw error;
    }
    const lane = this.lanes.take();
    const session = new MysqlApplySession(
      this.session,
      connection,
      this.sync,
      this.columnsOf,
      this.options,
      lane,
      () => {
        this.sessions.delete(session);
        this.lanes.give(lane);
      },
    );
    this.sessions.add(session);
    return session;
  }

  advanceWatermark(position: StreamPosition): Promise<void> {
    return this.sync.advance(position);
  }

  counts(): Promise<ChangeCounts> {
    return this.sync.read();
  }

  forget(): Promise<void> {
    return this.sync.forget();
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions].map((session) => session.close()));
  }
}

/** One connection applying transactions one after another. */
class MysqlApplySession implements ApplySession {
  /** Plans of this transaction: their column policies count what they change, reported at commit. */
  private readonly plans = new Map<ChangeRelation, Promise<MysqlApplyPlan>>();
  private open = false;
  private broken = false;
  private closed = false;

  constructor(
    private readonly session: MysqlSession,
    private readonly connection: MysqlConnection,
    private readonly sync: MysqlSyncTables,
    private readonly columnsOf: (connection: MysqlConnection, table: string) => Promise<MysqlColumnRow[]>,
    private readonly options: ApplierOptions,
    private readonly lane: number,
    private readonly onClose: () => void,
  ) {}

  async begin(): Promise<void> {
    checkCanBegin({ closed: this.closed, open: this.open });
    this.plans.clear();
    await this.run('Starting an apply transaction', { sql: 'START TRANSACTION', params: [] });
    this.open = true;
  }

  async apply(changes: RowChange[]): Promise<void> {
    checkInTransaction(this.open, 'apply');
    for (const step of applySteps(changes, LIMITS)) await this.step(step);
  }

  async commit(positions: readonly StreamPosition[], counts: ChangeCounts): Promise<void> {
    checkInTransaction(this.open, 'commit');
    checkPositions(positions);
    try {
      await this.sync.record(this.connection, positions, counts, this.lane);
    } catch (error) {
      if (driverCode(error).errno === 1062) {
        throw new DatabaseError('SYNC_ALREADY_APPLIED', alreadyAppliedMessage(positions), { cause: error });
      }
      throw statementError(`Recording ${positionsText(positions)}`, error, this.session.display);
    }
    await this.run(`Committing ${positionsText(positions)}`, { sql: 'COMMIT', params: [] });
    this.open = false;
    for (const plan of this.plans.values()) {
      for (const column of (await plan).columns) column?.load.policy.flush();
    }
    this.plans.clear();
  }

  async rollback(): Promise<void> {
    this.plans.clear();
    if (!this.open) return;
    this.open = false;
    await this.connection.query('ROLLBACK').catch(() => {
      this.broken = true;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    await this.rollback();
    if (!this.broken) {
      await this.connection.query(FOREIGN_KEY_CHECKS_ON).catch(() => {
        this.broken = true;
      });
    }
    if (this.broken) this.connection.destroy();
    else this.connection.release();
  }

  private plan(relation: ChangeRelation): Promise<MysqlApplyPlan> {
    let plan = this.plans.get(relation);
    if (!plan) {
      plan = this.columnsOf(this.connection, relation.name).then((columns) =>
        mysqlApplyPlan(this.session, this.connection, relation, columns, this.options.coercions),
      );
      this.plans.set(relation, plan);
      plan.catch(() => this.plans.delete(relation));
    }
    return plan;
  }

  private async step(step: ApplyStep): Promise<void> {
    if (step.op === 'truncate') {
      for (const relation of step.relations) {
        await this.run(`Emptying table "${relation.name}"`, {
          sql: `DELETE FROM ${quoteIdentifier(relation.name)}`,
          params: [],
        });
      }
      return;
    }
    const plan = await this.plan(step.relation);
    const whole = isWholeRowIdentity(step.relation);
    switch (step.op) {
      case 'upsert':
        return this.upsert(plan, step.rows, whole);
      case 'delete':
        if (whole) {
          for (const key of step.keys) await this.write(plan, 'Deleting a row', deleteOneRow(plan, key));
        } else await this.write(plan, 'Deleting rows', deleteKeys(plan, step.keys));
        return;
      case 'update':
        // Only rows with UNCHANGED values (or of a whole-row identity) come here: one statement each.
        for (let n = 0; n < step.rows.length; n++) {
          const key = step.keys[n]!;
          const row = step.rows[n]!;
          if (whole) await this.updateWhole(plan, key, row);
          else {
            const statement = updateByKey(plan, key, row, false);
            if (statement) await this.write(plan, 'Updating a row', statement);
          }
        }
        return;
      case 'rekey':
        if (!isComplete(step.row)) {
          const statement = updateByKey(plan, step.key, step.row, true);
          if (statement) await this.write(plan, 'Updating a row and its key', statement);
          return;
        }
        await this.write(plan, 'Deleting the old key of a row', deleteKeys(plan, [step.key]));
        return this.upsert(plan, [step.row], false);
    }
  }

  /** Insert-or-replace by key: ON DUPLICATE KEY UPDATE where a unique index has the key, else delete then insert. */
  private async upsert(plan: MysqlApplyPlan, rows: CanonicalValue[][], whole: boolean): Promise<void> {
    if (plan.unique) {
      await this.write(plan, 'Inserting rows', insertRows(plan, rows, whole ? 'keep' : 'replace'));
      return;
    }
    if (!whole) {
      const keys = rows.map((row) => plan.key.map((at) => row[at] ?? null));
      await this.write(plan, 'Deleting the rows to replace', deleteKeys(plan, keys));
    }
    await this.write(plan, 'Inserting rows', insertRows(plan, rows, 'plain'));
  }

  private async updateWhole(plan: MysqlApplyPlan, key: CanonicalValue[], row: ChangeValue[]): Promise<void> {
    const statement = updateOneRow(plan, key, row);
    // FOUND_ROWS (mysql2's default): affectedRows counts a matched row even when its values stay.
    const matched = statement ? await this.write(plan, 'Updating a row', statement) : 0;
    if (matched === 0 && isComplete(row)) await this.upsert(plan, [row], true);
  }

  /** Runs a statement on the relation's table; returns the rows it matched. A refused value or any warning is a ValueError. */
  private async write(plan: MysqlApplyPlan, purpose: string, statement: MysqlStatement): Promise<number> {
    let header: { affectedRows?: number; warningStatus?: number };
    try {
      const [result] = await this.connection.query(statement.sql, statement.params);
      header = result as typeof header;
    } catch (error) {
      const { errno } = driverCode(error);
      if (errno !== undefined && VALUE_ERRNOS.has(errno)) {
        const message = error instanceof Error ? sanitizeServerMessage(error.message) : String(error);
        throw new ValueError(
          'VALUE_CHANGED_BY_TARGET',
          `${plan.product} refused a value of table "${plan.table.name}": ${message}. The transaction was rolled back.`,
          { table: plan.table.name, cause: error },
        );
      }
      throw statementError(`${purpose} of table "${plan.table.name}"`, error, this.session.display);
    }
    if ((header.warningStatus ?? 0) > 0) {
      const [warnings] = await this.connection.query(SHOW_WARNINGS_LIMIT);
      const first = (warnings as Array<{ Message?: string }>)[0]?.Message;
      throw new ValueError(
        'VALUE_CHANGED_BY_TARGET',
        `${plan.product} changed a value of table "${plan.table.name}" with a warning: ${first ? sanitizeServerMessage(first) : 'unlisted'}. The transaction is not committed.`,
        { table: plan.table.name },
      );
    }
    return header.affectedRows ?? 0;
  }

  private async run(purpose: string, statement: MysqlStatement): Promise<void> {
    try {
      await this.connection.query(statement.sql, statement.params);
    } catch (error) {
      if (isFerryError(error)) throw error;
      throw statementError(purpose, error, this.session.display);
    }
  }
}

function isComplete(row: readonly ChangeValue[]): row is CanonicalValue[] {
  return !row.some((value) => typeof value === 'symbol');
}
