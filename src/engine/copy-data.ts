/**
 * The data phase of a copy: plans every table's chunks, opens the source's snapshot with one
 * reader per worker, and copies chunks from many tables at once (`--parallel`). Each chunk is
 * read as of the snapshot and written in one target transaction that also records it in the
 * progress table, so a chunk whose write failed is redone from scratch — unless its record says
 * the commit went through — and never duplicates or drops a row (DESIGN.md principles 3 and 4).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connector, KeyRange, SourceSnapshot } from '../connectors/connector.js';
import { type FerryError, ValueError } from '../errors.js';
import type { Table } from '../schema/table.js';
import { batchRowCount, type RowBatch } from '../values/canonical.js';
import type { Coercions } from '../values/coercions.js';
import { type ChunkSize, planTableChunks } from './chunk-plan.js';
import type { TableResult } from './copy-result.js';
import { asFerryError } from './errors.js';
import { emit, type Reporter } from './events.js';
import { keyRangeText } from './key-range-text.js';
import type { ResumePoint } from './resume-point.js';
import type { Throttle } from './throttle.js';

/** What the data phase needs from the run. */
export interface DataPhase {
  source: Connector;
  target: Connector;
  /** Source tables and the target tables they land in, pairwise. */
  tables: Array<{ source: Table; target: Table }>;
  /** This run's id in the progress table. */
  run: string;
  parallel: number;
  chunkSize: ChunkSize;
  batch: { rows: number; bytes: number };
  /** Attempts after the first for a chunk that failed for a passing reason (lost connection, deadlock). */
  retries: number;
  /** An interrupted run to finish: its saved chunk plans are reused and its recorded chunks skipped. */
  resume?: ResumePoint;
  coercions: Coercions;
  throttle: Throttle;
  reporters: readonly Reporter[];
  /** Sync mode: the change stream that starts at this data's snapshot (`SnapshotOptions.changeStream`). */
  changeStream?: string;
  /** Called once for each table whose every chunk is in (none failed), with its target table. */
  onTableCopied?: (target: Table) => void;
}

/** What the data phase did: per table results and the snapshot every table was read at. */
export interface DataPhaseResult {
  tables: TableResult[];
  snapshot: SourceSnapshot;
  /** Chunk attempts redone after a passing failure. */
  retries: number;
}

/** One chunk of one table, in plan order. */
interface ChunkTask {
  table: TableProgress;
  index: number;
  range: KeyRange;
  key?: string[];
  /** Copy this chunk as canonical values even where the table has an encoding (after it failed in it). */
  decoded?: boolean;
}

/** A table's state while its chunks run. */
interface TableProgress {
  source: Table;
  target: Table;
  /** The same-engine encoding its rows travel in, when both sides have one (no value decoded). */
  encoding?: string;
  chunks: number;
  finished: number;
  rows: number;
  bytes: number;
  /** Rows read by attempts still running, for progress events. */
  inFlight: number;
  started?: number;
  seconds: number;
  retries: number;
  error?: FerryError;
}

/** Delay before the n-th retry of a chunk (0-based), doubling from half a second. */
const retryDelayMs = (attempt: number) => 500 * 2 ** attempt;

/** Plans, snapshots and copies every table's rows; the snapshot is released before returning. */
export async function copyData(phase: DataPhase): Promise<DataPhaseResult> {
  const { source, target, reporters } = phase;
  await target.prepareProgress();
  const tasks: ChunkTask[] = [];
  const progress: TableProgress[] = [];
  // What an earlier attempt of this run committed: the target's progress table is the truth.
  const recorded = phase.resume ? await target.recordedChunks(phase.run) : [];
  const done = new Map(recorded.map((record) => [`${record.table}\u0000${record.chunk}`, record]));
  for (const pair of phase.tables) {
    const saved = phase.resume?.chunks.get(pair.source.name);
    const plan = saved ?? (await planTableChunks(source, pair.source, phase.chunkSize));
    if (!saved) {
      emit(reporters, 'onChunksPlanned', {
        table: pair.source.name,
        targetTable: pair.target.name,
        ...(plan.key ? { key: plan.key } : {}),
        ranges: plan.ranges,
        ...(pair.source.estimatedRows !== undefined ? { estimatedRows: pair.source.estimatedRows } : {}),
      });
    }
    if (!plan.key) {
      emit(reporters, 'onWarning', {
        table: pair.source.name,
        message:
          'has no primary key and no unique key of NOT NULL columns: copied in one chunk, which cannot be split, run in parallel or verified row by row',
      });
    }
    const encoding = await sharedEncoding(phase, pair.source, pair.target);
    const table: TableProgress = {
      source: pair.source,
      target: pair.target,
      ...(encoding ? { encoding } : {}),
      chunks: plan.ranges.length,
      finished: 0,
      rows: 0,
      bytes: 0,
      inFlight: 0,
      seconds: 0,
      retries: 0,
    };
    progress.push(table);
    for (const [index, range] of plan.ranges.entries()) {
      const committed = done.get(`${pair.target.name}\u0000${index}`);
      if (committed) {
        table.rows += committed.rows;
        table.bytes += committed.bytes;
        table.finished++;
        emit(reporters, 'onChunkAlreadyDone', {
          table: pair.source.name,
          chunk: index,
          chunks: table.chunks,
          rows: committed.rows,
          bytes: committed.bytes,
        });
        continue;
      }
      tasks.push({ table, index, range, ...(plan.key ? { key: plan.key } : {}) });
    }
    if (table.finished === table.chunks) tableDone(phase, table);
  }
  // The largest tables first: the last chunks to run, and the index builds after them, are short.
  tasks.sort((a, b) => sizeOf(b.table.source) - sizeOf(a.table.source));

  // Every chunk is read as of one point in time (DESIGN.md principle 4).
  const snapshot = await source.openSnapshot({
    readers: phase.parallel,
    ...(phase.changeStream
      ? { changeStream: { name: phase.changeStream, tables: phase.tables.map((pair) => pair.source.name) } }
      : {}),
  });
  emit(reporters, 'onSnapshot', snapshot);
  let retries = 0;
  try {
    const workers = Math.max(1, Math.min(phase.parallel, snapshot.readers, tasks.length));
    let next = 0;
    const work = async () => {
      for (let task = tasks[next++]; task; task = tasks[next++]) {
        retries += await runChunk(phase, task);
      }
    };
    await Promise.all(Array.from({ length: workers }, work));
  } finally {
    await source.releaseSnapshot();
  }
  return { tables: progress.map(tableResult), snapshot, retries };
}

/** Copies one chunk, retrying passing failures; returns how many retries it took. */
async function runChunk(phase: DataPhase, task: ChunkTask): Promise<number> {
  const { table } = task;
  const { reporters } = phase;
  if (table.error) return finish(phase, table);
  if (table.started === undefined) {
    table.started = performance.now();
    emit(reporters, 'onTableStart', {
      table: table.source.name,
      targetTable: table.target.name,
      estimatedRows: table.source.estimatedRows,
      chunks: table.chunks,
    });
  }
  let attempt = 0;
  for (;;) {
    const started = performance.now();
    try {
      const written = await attemptChunk(phase, task);
      table.rows += written.rows;
      table.bytes += written.bytes;
      emit(reporters, 'onChunkDone', {
        table: table.source.name,
        chunk: task.index,
        chunks: table.chunks,
        rows: written.rows,
        bytes: written.bytes,
        seconds: (performance.now() - started) / 1000,
      });
      break;
    } catch (error) {
      const failure = asFerryError(
        error,
        'CHUNK_FAILED',
        `copying chunk ${task.index + 1} of table ${table.source.name}`,
      );
      // The commit may have reached the target before the failure did: its record says so.
      const recorded = await recordOf(phase, task).catch(() => undefined);
      if (recorded) {
        table.rows += recorded.rows;
        table.bytes += recorded.bytes;
        // Listeners count rows by chunk: this one arrived too.
        emit(reporters, 'onChunkDone', {
          table: table.source.name,
          chunk: task.index,
          chunks: table.chunks,
          rows: recorded.rows,
          bytes: recorded.bytes,
          seconds: (performance.now() - started) / 1000,
        });
        break;
      }
      const passing = isPassing(phase, error);
      // A value the target refused in an undecoded encoding: the decoded way names its column and
      // key, or lets the run's coercion policy deal with it.
      if (!passing && table.encoding && !task.decoded) {
        task.decoded = true;
        emit(reporters, 'onChunkRetry', {
          table: table.source.name,
          chunk: task.index,
          attempt: attempt + 1,
          reason: `${failure.message} (copying it again with decoded values)`,
        });
        continue;
      }
      if (attempt >= phase.retries || !passing) {
        table.error = failure;
        emit(reporters, 'onChunkFailed', {
          table: table.source.name,
          chunk: task.index,
          chunks: table.chunks,
          attempts: attempt + 1,
          error: failure,
        });
        break;
      }
      emit(reporters, 'onChunkRetry', {
        table: table.source.name,
        chunk: task.index,
        attempt: attempt + 1,
        reason: failure.message,
      });
      await sleep(retryDelayMs(attempt));
      attempt++;
      table.retries++;
    }
  }
  finish(phase, table);
  return attempt;
}

/** One attempt: reads the chunk's range and writes it with its progress record, all or nothing. */
async function attemptChunk(phase: DataPhase, task: ChunkTask): Promise<{ rows: number; bytes: number }> {
  const { table, range, key } = task;
  // Counts of changed values belong to the attempt until it commits.
  const coercions = phase.coercions.fresh();
  const reading = phase.source
    .read(table.source, {
      batchRows: phase.batch.rows,
      batchBytes: phase.batch.bytes,
      coercions,
      targetDialect: phase.target.dialect,
      ...(key ? { key, range } : {}),
      ...(table.encoding && !task.decoded ? { encoding: table.encoding } : {}),
    })
    [Symbol.asyncIterator]();
  const batches: AsyncIterable<RowBatch> = { [Symbol.asyncIterator]: () => reading };
  const read = { rows: 0 };
  try {
    const written = await phase.target.write(table.target, counted(phase, table, batches, read), {
      coercions,
      chunk: { run: phase.run, table: table.target.name, chunk: task.index, range: keyRangeText(range) },
    });
    phase.coercions.absorb(coercions);
    return written;
  } finally {
    table.inFlight -= read.rows;
    // A write that failed may leave the read closing in the background (a MariaDB snapshot read
    // cancels its query): wait until it has, so that its reader is free for the next chunk.
    await reading.return?.(undefined).catch(() => {});
  }
}

/** Passes batches on through the throttle, reporting the table's progress after each. */
async function* counted(
  phase: DataPhase,
  table: TableProgress,
  batches: AsyncIterable<RowBatch>,
  read: { rows: number },
): AsyncGenerator<RowBatch> {
  const name = table.source.name;
  for await (const batch of batches) {
    const rows = batchRowCount(batch);
    await phase.throttle.admit(rows, batch.bytes, name);
    read.rows += rows;
    table.inFlight += rows;
    yield batch;
    emit(phase.reporters, 'onTableProgress', {
      table: name,
      rows: table.rows + table.inFlight,
      bytes: table.bytes,
    });
  }
}

/** The first encoding the source offers for a table that the target accepts, if any. */
async function sharedEncoding(phase: DataPhase, source: Table, target: Table): Promise<string | undefined> {
  for (const encoding of await phase.source.rowEncodings(source)) {
    if (await phase.target.acceptsEncoding(target, encoding)) return encoding;
  }
  return undefined;
}

/** The chunk's record on the target, if its transaction committed. */
async function recordOf(phase: DataPhase, task: ChunkTask) {
  const records = await phase.target.recordedChunks(phase.run);
  return records.find((record) => record.table === task.table.target.name && record.chunk === task.index);
}

/** A failure worth another attempt: a connection lost, a deadlock, a server restarting. */
function isPassing(phase: DataPhase, error: unknown): boolean {
  if (error instanceof ValueError) return false;
  return phase.source.isTransient(error) || phase.target.isTransient(error);
}

/** Counts a chunk as finished (done, failed or skipped); the last one closes the table. */
function finish(phase: DataPhase, table: TableProgress): number {
  table.finished++;
  if (table.finished === table.chunks) {
    table.seconds = table.started === undefined ? 0 : (performance.now() - table.started) / 1000;
    tableDone(phase, table);
  }
  return 0;
}

function tableDone(phase: DataPhase, table: TableProgress): void {
  emit(phase.reporters, 'onTableDone', tableResult(table));
  if (!table.error) phase.onTableCopied?.(table.target);
}

/** A table's size by the source's statistics, for ordering (0 when it has none). */
function sizeOf(table: Table): number {
  return table.estimatedBytes ?? table.estimatedRows ?? 0;
}

function tableResult(table: TableProgress): TableResult {
  return {
    table: table.source.name,
    targetTable: table.target.name,
    status: table.error ? 'failed' : 'copied',
    rows: table.rows,
    bytes: table.bytes,
    seconds: table.seconds,
    chunks: table.chunks,
    retries: table.retries,
    ...(table.encoding ? { encoding: table.encoding } : {}),
    ...(table.error ? { error: table.error } : {}),
  };
}
