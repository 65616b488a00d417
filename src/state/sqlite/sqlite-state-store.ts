/**
 * The embedded StateStore: one SQLite file per plan (`.ferry/<plan-name>.db` by default), in WAL
 * mode so that `ferry status` reads it while `ferry run` writes, with synchronous commits so that
 * a checkpoint survives a SIGKILL or a power loss the moment its call returns.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { CutoverRequest } from '../../cdc/cutover-request.js';
import type { SyncProgress } from '../../cdc/sync-progress.js';
import type { SourceSnapshot } from '../../connectors/connector.js';
import type { TableChunks } from '../../engine/chunk-plan.js';
import type { ChunksPlanned } from '../../engine/events.js';
import { PreconditionError } from '../../errors.js';
import { decodeKeyRange, encodeKeyRange } from '../key-range-codec.js';
import type {
  ChunkState,
  CutoverRecord,
  RunRecord,
  SnapshotRecord,
  StateStore,
  TableState,
} from '../state-store.js';
import * as sql from './state-sql.js';

interface RunRow {
  id: string;
  plan_name: string;
  identity: string;
  started_at: string;
  updated_at: string;
  status: RunRecord['status'];
  attempts: number;
  phase: string | null;
  pid: number | null;
  finished_at: string | null;
  report: string | null;
}

interface TableRow {
  name: string;
  target_table: string;
  key: string | null;
  chunks: number;
  estimated_rows: number | null;
  status: TableState['status'];
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}

interface ChunkRow {
  table_name: string;
  chunk: number;
  range: string;
  done: number;
  rows: number;
  bytes: number;
  snapshot: number | null;
}

const now = () => new Date().toISOString();

/** Opens (creating when `readonly` is not set) the state file at `path`. */
export function openSqliteStateStore(path: string, options: { readonly?: boolean } = {}): StateStore {
  if (!options.readonly) mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
  } catch (error) {
    throw new PreconditionError(
      'STATE_UNREADABLE',
      `Cannot open the state file ${path}: ${(error as Error).message}. ${options.readonly ? 'Has the plan been run yet (ferry run)?' : 'Check that its folder is writable, or set state: in the plan.'}`,
      { cause: error },
    );
  }
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(sql.CREATE_STATE_TABLES);
    db.prepare(sql.INSERT_VERSION).run(sql.STATE_VERSION);
  }
  const version = (db.prepare(sql.SELECT_VERSION).get() as { value: string } | undefined)?.value;
  if (version !== sql.STATE_VERSION) {
    db.close();
    throw new PreconditionError(
      'STATE_VERSION',
      `The state file ${path} was written by another version of Ferry (state version ${version ?? 'unknown'}, this one reads ${sql.STATE_VERSION}): finish it with that version, or start over with --restart.`,
    );
  }
  return new SqliteStateStore(db, path);
}

class SqliteStateStore implements StateStore {
  readonly #db: Database.Database;
  readonly location: string;

  constructor(db: Database.Database, location: string) {
    this.#db = db;
    this.location = location;
  }

  run(): RunRecord | undefined {
    const row = this.#db.prepare(sql.SELECT_RUN).get() as RunRow | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      planName: row.plan_name,
      identity: row.identity,
      startedAt: row.started_at,
      updatedAt: row.updated_at,
      status: row.status,
      attempts: row.attempts,
      ...(row.phase ? { phase: row.phase } : {}),
      ...(row.pid !== null ? { pid: row.pid } : {}),
      ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
      ...(row.report ? { report: row.report } : {}),
    };
  }

  startRun(run: { id: string; planName: string; identity: string }): void {
    this.#db.transaction(() => {
      this.#db.exec(sql.CLEAR_STATE);
      this.#db.prepare(sql.INSERT_RUN).run(run.id, run.planName, run.identity, now(), now());
    })();
  }

  beginAttempt(pid: number): void {
    this.#db.prepare(sql.BEGIN_ATTEMPT).run(pid, now());
  }

  recordPhase(phase: string): void {
    this.#db.transaction(() => {
      this.#db.prepare(sql.SET_PHASE).run(phase, now());
      this.#db.prepare(sql.INSERT_PHASE).run(phase, now());
    })();
  }

  phasesBegun(): Set<string> {
    const rows = this.#db.prepare(sql.SELECT_PHASES).all() as Array<{ name: string }>;
    return new Set(rows.map((row) => row.name));
  }

  recordTablesToCreate(tables: string[]): void {
    const insert = this.#db.prepare(sql.INSERT_CREATED);
    this.#db.transaction(() => {
      for (const table of tables) insert.run(table);
    })();
  }

  tablesToCreate(): string[] {
    const rows = this.#db.prepare(sql.SELECT_CREATED).all() as Array<{ target_table: string }>;
    return rows.map((row) => row.target_table);
  }

  recordChunksPlanned(plan: ChunksPlanned): void {
    const insert = this.#db.prepare(sql.INSERT_CHUNK);
    this.#db.transaction(() => {
      this.#db
        .prepare(sql.INSERT_TABLE)
        .run(
          plan.table,
          plan.targetTable,
          plan.key ? JSON.stringify(plan.key) : null,
          plan.ranges.length,
          plan.estimatedRows ?? null,
        );
      this.#db.prepare(sql.DELETE_CHUNKS_OF).run(plan.table);
      for (const [index, range] of plan.ranges.entries())
        insert.run(plan.table, index, encodeKeyRange(range));
    })();
  }

  chunkPlans(): Map<string, TableChunks> {
    const plans = new Map<string, TableChunks>();
    for (const table of this.#db.prepare(sql.SELECT_TABLES).all() as TableRow[]) {
      const ranges = this.chunks(table.name).map((chunk) => chunk.range);
      plans.set(table.name, { ...(table.key ? { key: JSON.parse(table.key) as string[] } : {}), ranges });
    }
    return plans;
  }

  recordSnapshot(snapshot: SourceSnapshot): number {
    const result = this.#db
      .prepare(sql.INSERT_SNAPSHOT)
      .run(snapshot.takenAt, snapshot.position ? JSON.stringify(snapshot.position) : null);
    return Number(result.lastInsertRowid);
  }

  snapshots(): SnapshotRecord[] {
    const rows = this.#db.prepare(sql.SELECT_SNAPSHOTS).all() as Array<{
      seq: number;
      taken_at: string;
      position: string | null;
    }>;
    return rows.map((row) => ({
      seq: row.seq,
      takenAt: row.taken_at,
      ...(row.position ? { position: JSON.parse(row.position) as Record<string, string> } : {}),
    }));
  }

  recordTableStart(table: string): void {
    this.#db.prepare(sql.START_TABLE).run(now(), table);
  }

  recordChunkDone(chunk: {
    table: string;
    chunk: number;
    rows: number;
    bytes: number;
    snapshot: number;
  }): void {
    this.#db.transaction(() => {
      this.#db
        .prepare(sql.CHUNK_DONE)
        .run(chunk.rows, chunk.bytes, chunk.snapshot, now(), chunk.table, chunk.chunk);
      this.#db.prepare(sql.TOUCH_RUN).run(now());
    })();
  }

  recordTableDone(result: {
    table: string;
    status: 'copied' | 'failed' | 'schema-only';
    error?: string;
  }): void {
    const status = result.status === 'schema-only' ? 'copied' : result.status;
    this.#db.prepare(sql.TABLE_DONE).run(status, result.error ?? null, now(), result.table);
  }

  finishRun(status: 'finished' | 'failed', report: string): void {
    this.#db.prepare(sql.FINISH_RUN).run(status, report, now(), now());
  }

  tables(): TableState[] {
    const done = new Map<string, ChunkRow[]>();
    for (const chunk of this.#db.prepare(sql.SELECT_DONE_CHUNKS).all() as ChunkRow[]) {
      done.set(chunk.table_name, [...(done.get(chunk.table_name) ?? []), chunk]);
    }
    return (this.#db.prepare(sql.SELECT_TABLES).all() as TableRow[]).map((row) => {
      const own = done.get(row.name) ?? [];
      return {
        table: row.name,
        targetTable: row.target_table,
        ...(row.key ? { key: JSON.parse(row.key) as string[] } : {}),
        chunks: row.chunks,
        chunksDone: own.length,
        ...(row.estimated_rows !== null ? { estimatedRows: row.estimated_rows } : {}),
        rows: own.reduce((sum, chunk) => sum + chunk.rows, 0),
        bytes: own.reduce((sum, chunk) => sum + chunk.bytes, 0),
        status: row.status,
        ...(row.error ? { error: row.error } : {}),
        ...(row.started_at ? { startedAt: row.started_at } : {}),
        ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
        snapshots: [...new Set(own.map((chunk) => chunk.snapshot ?? 0))].sort((a, b) => a - b),
      };
    });
  }

  chunks(table: string): ChunkState[] {
    return (this.#db.prepare(sql.SELECT_CHUNKS).all(table) as ChunkRow[]).map((row) => ({
      table: row.table_name,
      chunk: row.chunk,
      range: decodeKeyRange(row.range),
      done: row.done === 1,
      rows: row.rows,
      bytes: row.bytes,
      ...(row.snapshot !== null ? { snapshot: row.snapshot } : {}),
    }));
  }

  recordSyncProgress(progress: SyncProgress): void {
    this.#db.prepare(sql.UPSERT_SYNC).run(JSON.stringify(progress));
  }

  syncProgress(): SyncProgress | undefined {
    if (!this.hasSyncTables()) return undefined;
    const row = this.#db.prepare(sql.SELECT_SYNC).get() as { progress: string } | undefined;
    return row ? (JSON.parse(row.progress) as SyncProgress) : undefined;
  }

  requestCutover(request: CutoverRequest): void {
    this.#db.prepare(sql.UPSERT_CUTOVER).run(JSON.stringify(request), now(), now());
  }

  cutover(): CutoverRecord | undefined {
    if (!this.hasSyncTables()) return undefined;
    const row = this.#db.prepare(sql.SELECT_CUTOVER).get() as
      | {
          request: string;
          requested_at: string;
          status: CutoverRecord['status'];
          updated_at: string;
          result: string | null;
        }
      | undefined;
    if (!row) return undefined;
    return {
      request: JSON.parse(row.request) as CutoverRequest,
      requestedAt: row.requested_at,
      status: row.status,
      updatedAt: row.updated_at,
      ...(row.result !== null ? { result: row.result } : {}),
    };
  }

  recordCutover(status: CutoverRecord['status'], result?: string): void {
    this.#db.prepare(sql.SET_CUTOVER_STATUS).run(status, now(), result ?? null);
  }

  close(): void {
    this.#db.close();
  }

  /** A file opened read-only from an older version has no sync tables (they are made on first write). */
  private hasSyncTables(): boolean {
    return (this.#db.prepare(sql.HAS_SYNC_TABLES).get() as { n: number }).n === 2;
  }
}
