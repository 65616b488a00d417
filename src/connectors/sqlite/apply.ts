/**
 * The SQLite applier (cdc/applier.ts): one session at a time (SQLite has one writer), each
 * transaction under `BEGIN IMMEDIATE` holding the file's writer lock (session.ts `exclusive`) from
 * begin to commit or rollback, and recording its position and counts in that transaction
 * (apply-sync.ts). Foreign keys are off in the connection (session.ts); SQLite has no switch for
 * triggers, so the target's triggers run on applied changes.
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
import { TransactionCoercions } from '../../cdc/transaction-coercions.js';
import { DatabaseError, FerryError, isFerryError, messageOf } from '../../errors.js';
import type { CanonicalValue } from '../../values/canonical.js';
import { Coercions } from '../../values/coercions.js';
import { type SqliteApplyPlan, SqliteStatements, sqliteApplyPlan } from './apply-plan.js';
import {
  advanceSqliteSync,
  forgetSqliteSync,
  prepareSqliteSync,
  readSqliteSync,
  recordSqliteSync,
} from './apply-sync.js';
import type { SqliteDatabase, SqliteSession } from './session.js';

/** In-process: every row runs its own prepared statement, so steps only need to keep their order. */
const LIMITS: StepLimits = { ...DEFAULT_STEP_LIMITS, maxRows: 10_000, maxParams: Number.MAX_SAFE_INTEGER };

function wrapped<T>(purpose: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (isFerryError(error)) throw error;
    throw new DatabaseError('SQLITE_APPLY_FAILED', `${purpose} failed: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

/** Applies one stream's transactions into one SQLite file. */
export class SqliteApplier implements ChangeApplier {
  readonly maxSessions = 1;
  private current: SqliteApplySession | undefined;

  constructor(
    private readonly session: SqliteSession,
    private readonly options: ApplierOptions,
  ) {}

  prepare(): Promise<AppliedState> {
    return this.session.exclusive(() =>
      wrapped("Preparing Ferry's sync tables", () =>
        prepareSqliteSync(this.session.writer(), this.options.stream),
      ),
    );
  }

  async openSession(): Promise<ApplySession> {
    if (this.current) {
      throw new FerryError(
        'SQLITE_ONE_SESSION',
        'A SQLite target applies changes in one session at a time (maxSessions 1): close the open one first.',
      );
    }
    const session = new SqliteApplySession(this.session, this.options, () => {
      this.current = undefined;
    });
    this.current = session;
    return session;
  }

  advanceWatermark(position: StreamPosition): Promise<void> {
    return this.session.exclusive(() =>
      wrapped(`Moving the watermark of stream ${this.options.stream}`, () =>
        advanceSqliteSync(this.session.writer(), this.options.stream, position),
      ),
    );
  }

  counts(): Promise<ChangeCounts> {
    return this.session.exclusive(() =>
      wrapped(`Reading the counts of stream ${this.options.stream}`, () =>
        readSqliteSync(this.session.existing(), this.options.stream),
      ),
    );
  }

  forget(): Promise<void> {
    return this.session.exclusive(() =>
      wrapped(`Forgetting stream ${this.options.stream}`, () => {
        if (this.session.existing()) forgetSqliteSync(this.session.writer(), this.options.stream);
      }),
    );
  }

  async close(): Promise<void> {
    await this.current?.close();
  }
}

/** The one session: the writer lock is held from `begin` to `commit` or `rollback`. */
class SqliteApplySession implements ApplySession {
  private db: SqliteDatabase | undefined;
  private statements: SqliteStatements | undefined;
  private readonly plans = new Map<ChangeRelation, SqliteApplyPlan>();
  private release: (() => void) | undefined;
  private closed = false;
  /** Counts of the open transaction's coerced values, kept only when it commits. */
  private readonly coercions: TransactionCoercions;

  constructor(
    private readonly session: SqliteSession,
    private readonly options: ApplierOptions,
    private readonly onClose: () => void,
  ) {
    this.coercions = new TransactionCoercions(options.coercions ?? new Coercions());
  }

  async begin(): Promise<void> {
    checkCanBegin({ closed: this.closed, open: this.release !== undefined });
    this.release = await this.lock();
    this.coercions.rollback();
    try {
      const db = this.session.writer();
      if (db !== this.db) {
        // The file was reopened (read-only before): statements belong to the connection that prepared them.
        this.db = db;
        this.statements = new SqliteStatements(db, this.coercions);
        this.plans.clear();
      }
      wrapped('Starting an apply transaction', () => db.exec('BEGIN IMMEDIATE'));
    } catch (error) {
      this.unlock();
      throw error;
    }
  }

  async apply(changes: RowChange[]): Promise<void> {
    const db = this.openDb();
    for (const step of applySteps(changes, LIMITS)) wrapped('Applying changes', () => this.step(db, step));
  }

  async commit(positions: readonly StreamPosition[], counts: ChangeCounts): Promise<void> {
    const db = this.openDb();
    checkPositions(positions);
    try {
      recordSqliteSync(db, this.options.stream, positions, counts);
    } catch (error) {
      const duplicate = String((error as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT');
      throw new DatabaseError(
        duplicate ? 'SYNC_ALREADY_APPLIED' : 'SQLITE_SYNC_FAILED',
        duplicate
          ? alreadyAppliedMessage(positions)
          : `Recording ${positionsText(positions)} failed: ${messageOf(error)}`,
        { cause: error },
      );
    }
    wrapped(`Committing ${positionsText(positions)}`, () => db.exec('COMMIT'));
    this.coercions.commit();
    this.unlock();
  }

  async rollback(): Promise<void> {
    this.coercions.rollback();
    if (!this.release) return;
    try {
      if (this.db?.open && this.db.inTransaction) this.db.exec('ROLLBACK');
    } finally {
      this.unlock();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    await this.rollback();
  }

  private openDb(): SqliteDatabase {
    checkInTransaction(this.release !== undefined && this.db !== undefined, 'apply() or commit');
    return this.db!;
  }

  /** Waits for the file's writer lock and returns its release. */
  private lock(): Promise<() => void> {
    return new Promise((acquired) => {
      void this.session.exclusive(
        () =>
          new Promise<void>((release) => {
            acquired(release);
          }),
      );
    });
  }

  private unlock(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  private plan(db: SqliteDatabase, relation: ChangeRelation): SqliteApplyPlan {
    let plan = this.plans.get(relation);
    if (!plan) {
      plan = sqliteApplyPlan(db, relation);
      this.plans.set(relation, plan);
    }
    return plan;
  }

  private step(db: SqliteDatabase, step: ApplyStep): void {
    const statements = this.statements!;
    if (step.op === 'truncate') {
      for (const relation of step.relations) statements.truncate(relation.name);
      return;
    }
    const plan = this.plan(db, step.relation);
    const whole = isWholeRowIdentity(step.relation);
    switch (step.op) {
      case 'upsert':
        for (const row of step.rows) this.upsert(plan, row, whole);
        return;
      case 'delete':
        for (const key of step.keys) {
          if (whole) statements.deleteOne(plan, key);
          else statements.deleteKey(plan, key);
        }
        return;
      case 'update':
        step.rows.forEach((row, n) => {
          const key = step.keys[n]!;
          const matched = whole
            ? statements.updateOne(plan, key, row)
            : statements.update(plan, key, row, false);
          if (matched === 0 && isComplete(row)) this.upsert(plan, row, whole);
        });
        return;
      case 'rekey':
        if (!isComplete(step.row)) {
          statements.update(plan, step.key, step.row, true);
          return;
        }
        statements.deleteKey(plan, step.key);
        this.upsert(plan, step.row, false);
    }
  }

  /** Insert-or-replace by key: ON CONFLICT where a unique index has the key, else delete then insert. */
  private upsert(plan: SqliteApplyPlan, row: CanonicalValue[], whole: boolean): void {
    const statements = this.statements!;
    if (plan.unique) {
      statements.insert(plan, row, whole ? 'keep' : 'replace');
      return;
    }
    if (!whole)
      statements.deleteKey(
        plan,
        plan.key.map((at) => row[at] ?? null),
      );
    statements.insert(plan, row, 'plain');
  }
}

function isComplete(row: readonly ChangeValue[]): row is CanonicalValue[] {
  return !row.some((value) => typeof value === 'symbol');
}
