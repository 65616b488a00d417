/**
 * The PostgreSQL applier (cdc/applier.ts): sessions on pooled connections with
 * `session_replication_role = replica` (no triggers, no foreign-key checks: the source ran them),
 * each applying whole transactions as multi-row statements (cdc/apply-steps.ts) and recording the
 * transaction's position and counts in the same transaction (apply-sync.ts).
 */
import type pg from 'pg';
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
} from '../../cdc/apply-steps.js';
import type { ChangeRelation, ChangeValue, RowChange, StreamPosition } from '../../cdc/change.js';
import { CountLanes } from '../../cdc/count-lanes.js';
import { TransactionCoercions } from '../../cdc/transaction-coercions.js';
import { DatabaseError, isFerryError, messageOf } from '../../errors.js';
import type { CanonicalValue } from '../../values/canonical.js';
import { Coercions } from '../../values/coercions.js';
import { type PostgresApplyPlan, postgresApplyPlan } from './apply-plan.js';
import { DEFAULT_ROLE, INSUFFICIENT_PRIVILEGE, REPLICA_ROLE } from './apply-sql.js';
import {
  deleteKeys,
  deleteOneRow,
  insertRows,
  type PostgresStatement,
  updateKeyInPlace,
  updateOneRow,
  updateRows,
} from './apply-statements.js';
import { PostgresSyncTables } from './apply-sync.js';
import { copyErrorToValueError } from './copy-errors.js';
import { qualify } from './identifiers.js';
import { withPostgresClient } from './session.js';

/** Sessions an applier may run at once: enough to hide round trips, few enough to leave the pool room. */
export const POSTGRES_APPLY_SESSIONS = 8;

/** Statement texts kept prepared on one connection (the rest run unnamed). */
const PREPARED_PER_CONNECTION = 200;

/**
 * Names of the statements prepared on each pooled connection, by text: a prepared statement
 * outlives the session that prepared it, and pg refuses a known name with another text.
 */
const PREPARED = new WeakMap<pg.ClientBase, Map<string, string>>();

/** Applies one stream's transactions into one schema. */
export class PostgresApplier implements ChangeApplier {
  readonly maxSessions = POSTGRES_APPLY_SESSIONS;
  private readonly sync: PostgresSyncTables;
  private readonly coercions: Coercions;
  private readonly sessions = new Set<PostgresApplySession>();
  private readonly lanes = new CountLanes();

  constructor(
    private readonly acquire: () => Promise<pg.PoolClient>,
    private readonly schema: string,
    private readonly options: ApplierOptions,
  ) {
    this.sync = new PostgresSyncTables(schema, options.stream);
    this.coercions = options.coercions ?? new Coercions();
  }

  prepare(): Promise<AppliedState> {
    return this.withClient('Preparing the sync tables', (client) => this.sync.prepare(client));
  }

  async openSession(): Promise<ApplySession> {
    const client = await this.acquire();
    try {
      await client.query(REPLICA_ROLE);
    } catch (error) {
      client.release(true);
      throw replicaRoleError(error);
    }
    const coercions = new TransactionCoercions(this.coercions);
    const lane = this.lanes.take();
    const session = new PostgresApplySession(client, this.schema, this.sync, coercions, lane, () => {
      this.sessions.delete(session);
      this.lanes.give(lane);
    });
    this.sessions.add(session);
    return session;
  }

  advanceWatermark(position: StreamPosition): Promise<void> {
    return this.withClient(
      `Moving the watermark of stream ${this.options.stream} to ${position.key}`,
      (client) => this.sync.advance(client, position),
    );
  }

  counts(): Promise<ChangeCounts> {
    return this.withClient(`Reading the counts of stream ${this.options.stream}`, async (client) =>
      (await this.sync.exist(client)) ? this.sync.read(client) : {},
    );
  }

  async forget(): Promise<void> {
    await this.withClient(`Forgetting stream ${this.options.stream}`, async (client) => {
      if (await this.sync.exist(client)) await this.sync.forget(client);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions].map((session) => session.close()));
  }

  private withClient<T>(purpose: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withPostgresClient(() => this.acquire(), 'PG_SYNC_FAILED', purpose, work);
  }
}

/** The error for a refused `session_replication_role`, saying how to grant it. */
function replicaRoleError(error: unknown): DatabaseError {
  const refused = (error as { code?: unknown }).code === INSUFFICIENT_PRIVILEGE;
  const fix = refused
    ? ' Applying changes turns triggers and foreign-key checks off with session_replication_role = replica, which needs a superuser or, on PostgreSQL 15 and later, GRANT SET ON PARAMETER session_replication_role TO <the target user>.'
    : '';
  return new DatabaseError(
    refused ? 'PG_REPLICA_ROLE_REFUSED' : 'PG_APPLY_SESSION_FAILED',
    `Opening an apply session on PostgreSQL failed: ${messageOf(error)}.${fix}`,
    { cause: error },
  );
}

/** One connection applying transactions one after another. */
class PostgresApplySession implements ApplySession {
  private readonly plans = new Map<ChangeRelation, Promise<PostgresApplyPlan>>();
  private open = false;
  private broken = false;
  private closed = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly schema: string,
    private readonly sync: PostgresSyncTables,
    private readonly coercions: TransactionCoercions,
    private readonly lane: number,
    private readonly onClose: () => void,
  ) {}

  async begin(): Promise<void> {
    checkCanBegin({ closed: this.closed, open: this.open });
    this.coercions.rollback();
    await this.statement('Starting an apply transaction', { text: 'BEGIN', values: [] });
    this.open = true;
  }

  async apply(changes: RowChange[]): Promise<void> {
    checkInTransaction(this.open, 'apply');
    for (const step of applySteps(changes, DEFAULT_STEP_LIMITS)) await this.run(step);
  }

  async commit(positions: readonly StreamPosition[], counts: ChangeCounts): Promise<void> {
    checkInTransaction(this.open, 'commit');
    checkPositions(positions);
    try {
      await this.sync.record(this.client, positions, counts, this.lane);
    } catch (error) {
      const duplicate = (error as { code?: unknown }).code === '23505';
      throw new DatabaseError(
        duplicate ? 'SYNC_ALREADY_APPLIED' : 'PG_SYNC_FAILED',
        duplicate
          ? alreadyAppliedMessage(positions)
          : `Recording ${positionsText(positions)} failed: ${messageOf(error)}`,
        { cause: error },
      );
    }
    await this.statement(`Committing ${positionsText(positions)}`, { text: 'COMMIT', values: [] });
    this.open = false;
    this.coercions.commit();
  }

  async rollback(): Promise<void> {
    this.coercions.rollback();
    if (!this.open) return;
    this.open = false;
    await this.client.query('ROLLBACK').catch(() => {
      this.broken = true;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    await this.rollback();
    if (!this.broken) {
      await this.client.query(DEFAULT_ROLE).catch(() => {
        this.broken = true;
      });
    }
    this.client.release(this.broken);
  }

  private plan(relation: ChangeRelation): Promise<PostgresApplyPlan> {
    let plan = this.plans.get(relation);
    if (!plan) {
      plan = postgresApplyPlan(this.client, this.schema, relation, this.coercions);
      this.plans.set(relation, plan);
      plan.catch(() => this.plans.delete(relation));
    }
    return plan;
  }

  private async run(step: ApplyStep): Promise<void> {
    if (step.op === 'truncate') {
      const names = step.relations.map((relation) => qualify(this.schema, relation.name)).join(', ');
      await this.statement('Emptying tables (TRUNCATE)', { text: `TRUNCATE TABLE ${names}`, values: [] });
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
        return whole ? this.updateWhole(plan, step.keys[0]!, step.rows[0]!) : this.update(plan, step);
      case 'rekey':
        return this.rekey(plan, step.key, step.row);
    }
  }

  /** Insert-or-replace by key: ON CONFLICT where a unique index has the key, else delete then insert. */
  private async upsert(plan: PostgresApplyPlan, rows: CanonicalValue[][], whole: boolean): Promise<void> {
    if (plan.conflict) {
      await this.write(plan, 'Inserting rows', insertRows(plan, rows, whole ? 'ignore' : 'replace'));
      return;
    }
    if (!whole) {
      await this.write(
        plan,
        'Deleting the rows to replace',
        deleteKeys(
          plan,
          rows.map((row) => plan.key.map((at) => row[at] ?? null)),
        ),
      );
    }
    await this.write(plan, 'Inserting rows', insertRows(plan, rows, 'plain'));
  }

  private async update(plan: PostgresApplyPlan, step: Extract<ApplyStep, { op: 'update' }>): Promise<void> {
    const statement = updateRows(plan, step.present, step.keys, step.rows);
    if (!statement) return;
    const result = await this.write(plan, 'Updating rows', statement);
    if (result.rowCount === step.rows.length) return;
    // Rows the update did not find: a complete one is inserted (it was copied without it, or deleted since).
    const found = new Set(result.rows.map((row) => Number((row as { ferry_n: unknown }).ferry_n)));
    const missing = step.rows.filter((row, n) => !found.has(n) && isComplete(row)) as CanonicalValue[][];
    if (missing.length > 0) await this.upsert(plan, missing, false);
  }

  private async updateWhole(
    plan: PostgresApplyPlan,
    key: CanonicalValue[],
    row: ChangeValue[],
  ): Promise<void> {
    const statement = updateOneRow(plan, key, row);
    const result = statement ? await this.write(plan, 'Updating a row', statement) : undefined;
    if ((result?.rowCount ?? 0) === 0 && isComplete(row)) await this.upsert(plan, [row], true);
  }

  private async rekey(plan: PostgresApplyPlan, key: CanonicalValue[], row: ChangeValue[]): Promise<void> {
    if (!isComplete(row)) {
      await this.write(plan, 'Updating a row and its key', updateKeyInPlace(plan, key, row));
      return;
    }
    await this.write(plan, 'Deleting the old key of a row', deleteKeys(plan, [key]));
    await this.upsert(plan, [row], false);
  }

  /** A statement on the relation's table; failures name the table (and the column, for a refused value). */
  private async write(
    plan: PostgresApplyPlan,
    purpose: string,
    statement: PostgresStatement,
  ): Promise<pg.QueryResult> {
    try {
      return await this.query(statement);
    } catch (error) {
      if (isFerryError(error)) throw error;
      const fields = error as { code?: string; column?: string; constraint?: string };
      const valueError = copyErrorToValueError(
        { ...fields, message: messageOf(error) },
        plan.table,
        plan.table.columns,
        () => undefined,
      );
      if (valueError) throw valueError;
      const code = typeof fields.code === 'string' ? ` (SQLSTATE ${fields.code})` : '';
      throw new DatabaseError(
        'PG_APPLY_FAILED',
        `${purpose} of table "${plan.table.name}" on PostgreSQL failed${code}: ${messageOf(error)}`,
        { cause: error },
      );
    }
  }

  private async statement(purpose: string, statement: PostgresStatement): Promise<void> {
    try {
      await this.query(statement);
    } catch (error) {
      throw new DatabaseError('PG_APPLY_FAILED', `${purpose} on PostgreSQL failed: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  /** Runs a statement, prepared under a name of its own while there is room (a parse saved per repeat). */
  private query(statement: PostgresStatement): Promise<pg.QueryResult> {
    if (statement.values.length === 0) return this.client.query(statement.text);
    let prepared = PREPARED.get(this.client);
    if (!prepared) {
      prepared = new Map();
      PREPARED.set(this.client, prepared);
    }
    let name = prepared.get(statement.text);
    if (name === undefined && prepared.size < PREPARED_PER_CONNECTION) {
      name = `ferry_apply_${prepared.size}`;
      prepared.set(statement.text, name);
    }
    return this.client.query(name ? { name, text: statement.text, values: statement.values } : statement);
  }
}

function isComplete(row: readonly ChangeValue[]): row is CanonicalValue[] {
  return !row.some((value) => typeof value === 'symbol');
}
