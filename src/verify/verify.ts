/**
 * `verifyDatabases` (`ferry verify`): proves that a target holds what its source holds. Every table
 * is split into the copy's key ranges; each range is checksummed on both sides at once, inside the
 * databases, so matching rows never cross the network; a range that differs is bisected down to
 * rows, which are named missing, extra or different. `repair` rewrites those rows from the source
 * and checks the table again. A failed table does not stop the others (STYLE.md rule 11).
 */
import type { Connector, KeyRange } from '../connectors/connector.js';
import { planTableChunks } from '../engine/chunk-plan.js';
import { withConnectedPair } from '../engine/connect-pair.js';
import { DEFAULT_CHUNK_BYTES, DEFAULT_CHUNK_ROWS } from '../engine/copy-options.js';
import { asFerryError } from '../engine/errors.js';
import { emit } from '../engine/events.js';
import { defaultParallel } from '../engine/parallelism.js';
import { resolveTables } from '../engine/select-tables.js';
import { UsageError } from '../errors.js';
import { Coercions } from '../values/coercions.js';
import { bisect } from './bisect.js';
import { sameSides, sideChecksum } from './range-checksum.js';
import { repairTable } from './repair.js';
import type { FoundDifference } from './row-diff.js';
import { pairTable, type TablePair } from './table-pair.js';
import type { VerifyReporter } from './verify-events.js';
import { MAX_LISTED_DIFFERENCES, type VerifyOptions } from './verify-options.js';
import type { TableVerifyResult, VerifyResult } from './verify-result.js';

/** Verifies (and with `repair`, repairs) the target against the source. Throws only before any check ran. */
export async function verifyDatabases(options: VerifyOptions): Promise<VerifyResult> {
  if (options.dryRun && !options.repair) {
    throw new UsageError(
      'OPTION_CONFLICT',
      '--dry-run goes with --repair: it counts what a repair would change.',
    );
  }
  return withConnectedPair(options.source, options.target, (source, target) =>
    runVerify(source, target, options),
  );
}

/** One table's state while its ranges are checked. */
interface TableWork {
  result: TableVerifyResult;
  pair?: TablePair;
  ranges: KeyRange[];
  found: FoundDifference[];
  started: number;
  pending: number;
}

async function runVerify(
  source: Connector,
  target: Connector,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const started = performance.now();
  const reporters = options.reporters ?? [];
  const { chosen, prepared, targetTables } = await resolveTables(source, target, options);
  const present = await target.introspect({ tables: targetTables.map((table) => table.name) });
  const works: TableWork[] = [];
  for (const [at, sourceTable] of prepared.tables.entries()) {
    const written = targetTables[at]!;
    // The source table as introspected and shaped by the plan's rules (prepared ones are adapted
    // to the target's dialect); it carries the rules' row filter, which its reads and checksums apply.
    const original = chosen[at] ?? sourceTable;
    const result = emptyResult(original.name, written.name);
    const work: TableWork = { result, ranges: [], found: [], started: performance.now(), pending: 0 };
    works.push(work);
    const targetTable = present.tables.find((table) => table.name === written.name);
    try {
      if (!targetTable) throw missingTable(written.name);
      work.pair = pairTable(source, target, original, written, targetTable);
      result.mode = work.pair.mode;
      result.hashedInFerry = work.pair.columns
        .filter((c) => !c.inSql || !work.pair!.key)
        .map((c) => c.source.name);
      const plan = await planTableChunks(source, original, {
        rows: options.chunkRows ?? DEFAULT_CHUNK_ROWS,
        bytes: DEFAULT_CHUNK_BYTES,
      });
      work.ranges = plan.ranges;
      result.chunks = plan.ranges.length;
      emit(reporters, 'onVerifyTableStart', {
        table: result.table,
        targetTable: result.targetTable,
        chunks: result.chunks,
        mode: result.mode,
      });
    } catch (error) {
      result.status = 'failed';
      result.error = asFerryError(error, 'VERIFY_FAILED', `verifying table ${original.name}`);
    }
  }

  const tasks = works.flatMap((work) => work.ranges.map((range, chunk) => ({ work, range, chunk })));
  for (const work of works) work.pending = work.ranges.length;
  const parallel = Math.max(1, Math.min(options.parallel ?? defaultParallel(), tasks.length || 1));
  let next = 0;
  const worker = async () => {
    for (let task = tasks[next++]; task; task = tasks[next++]) {
      await checkRange(source, target, task.work, task.range, task.chunk, options, reporters);
      task.work.pending--;
      if (task.work.pending === 0) await finishTable(source, target, task.work, options, reporters);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));

  const tables = works.map((work) => work.result);
  const ok = tables.every((table) => table.status === 'equal' || table.status === 'repaired');
  return { ok, seconds: (performance.now() - started) / 1000, tables };
}

async function checkRange(
  source: Connector,
  target: Connector,
  work: TableWork,
  range: KeyRange,
  chunk: number,
  options: VerifyOptions,
  reporters: readonly VerifyReporter[],
): Promise<void> {
  const { result, pair } = work;
  if (!pair || result.status === 'failed') return;
  try {
    const [a, b] = await Promise.all([
      sideChecksum(source, pair, 'source', range),
      sideChecksum(target, pair, 'target', range),
    ]);
    result.sourceRows += a.rows;
    result.targetRows += b.rows;
    const equal = sameSides(a, b);
    emit(reporters, 'onVerifyChunk', {
      table: result.table,
      chunk,
      chunks: result.chunks,
      rows: a.rows,
      equal,
    });
    if (equal) return;
    result.chunksDiffering++;
    const found = await bisect(source, target, pair, range, [a.rows, b.rows], options.showValues ?? false);
    work.found.push(...found.differences);
    result.unresolved += found.unresolved;
  } catch (error) {
    result.status = 'failed';
    result.error = asFerryError(
      error,
      'VERIFY_FAILED',
      `verifying chunk ${chunk + 1} of table ${result.table}`,
    );
  }
}

/** Counts and lists the table's differences, repairs them if asked, and checks again. */
async function finishTable(
  source: Connector,
  target: Connector,
  work: TableWork,
  options: VerifyOptions,
  reporters: readonly VerifyReporter[],
): Promise<void> {
  const { result, pair, found } = work;
  for (const difference of found) result.counts[difference.kind]++;
  result.differences = found
    .slice(0, MAX_LISTED_DIFFERENCES)
    .map(({ sourceRow: _s, targetKey: _t, ...listed }) => listed);
  if (result.status !== 'failed') {
    const differs = found.length > 0 || result.unresolved > 0;
    result.status = differs ? 'different' : 'equal';
    if (differs && options.repair && pair) {
      try {
        const dryRun = options.dryRun ?? false;
        const count = await repairTable(target, pair, found, {
          dryRun,
          coercions: new Coercions(options.coerce ?? []),
        });
        result.repair = { ...count, dryRun };
        if (!dryRun && (await rangesEqual(source, target, pair, work.ranges))) result.status = 'repaired';
      } catch (error) {
        result.status = 'failed';
        result.error = asFerryError(error, 'REPAIR_FAILED', `repairing table ${result.table}`);
      }
    }
  }
  result.seconds = (performance.now() - work.started) / 1000;
  emit(reporters, 'onVerifyTableDone', result);
}

/** Whether every range of the table checksums equal on both sides (after a repair). */
async function rangesEqual(
  source: Connector,
  target: Connector,
  pair: TablePair,
  ranges: KeyRange[],
): Promise<boolean> {
  for (const range of ranges) {
    const [a, b] = await Promise.all([
      sideChecksum(source, pair, 'source', range),
      sideChecksum(target, pair, 'target', range),
    ]);
    if (!sameSides(a, b)) return false;
  }
  return true;
}

function emptyResult(table: string, targetTable: string): TableVerifyResult {
  return {
    table,
    targetTable,
    status: 'equal',
    mode: 'canonical',
    hashedInFerry: [],
    chunks: 0,
    chunksDiffering: 0,
    sourceRows: 0,
    targetRows: 0,
    counts: { missing: 0, extra: 0, different: 0 },
    differences: [],
    unresolved: 0,
    seconds: 0,
  };
}

function missingTable(name: string) {
  return asFerryError(
    new Error(`the target has no table "${name}": copy it first, or leave it out with --exclude`),
    'VERIFY_TABLE_MISSING',
    `verifying table ${name}`,
  );
}
