/**
 * `copyDatabase`: schema, data, constraints and objects from one database into another. The rows
 * go chunk by chunk, many at once (copy-data.ts); a failed table does not stop the others, and the
 * result says what arrived (STYLE.md rule 11).
 */
import { randomUUID } from 'node:crypto';
import type { Connector, SchemaNote, SourceSnapshot } from '../connectors/connector.js';
import { type FerryError, PreconditionError, UsageError } from '../errors.js';
import { Coercions } from '../values/coercions.js';
import { withConnectedPair } from './connect-pair.js';
import { copyData } from './copy-data.js';
import {
  type CopyOptions,
  DEFAULT_BATCH_ROWS,
  DEFAULT_CHUNK_BYTES,
  DEFAULT_CHUNK_ROWS,
  DEFAULT_RETRIES,
} from './copy-options.js';
import type { CopyResult, TableResult } from './copy-result.js';
import { EarlyIndexes } from './early-indexes.js';
import { asFerryError } from './errors.js';
import { emit, type Reporter } from './events.js';
import { LoadMonitor } from './load-monitor.js';
import { batchBytesFor, DEFAULT_MEMORY_BYTES, minimumMemory } from './memory-budget.js';
import { defaultParallel, MAX_PARALLEL } from './parallelism.js';
import { resolveTables } from './select-tables.js';
import { Throttle } from './throttle.js';

/** Copies a database as `options` say. Throws only for errors that stop the run before any write. */
export async function copyDatabase(options: CopyOptions): Promise<CopyResult> {
  if (options.schemaOnly && options.dataOnly) {
    throw new UsageError('OPTION_CONFLICT', '--schema-only and --data-only cannot be used together.');
  }
  if (options.dataOnly && options.ifExists === 'drop') {
    throw new UsageError(
      'OPTION_CONFLICT',
      '--data-only keeps the target tables: it cannot be used with --if-exists drop.',
    );
  }
  checkRunSize(options);
  return withConnectedPair(options.source, options.target, (source, target) =>
    runCopy(source, target, options),
  );
}

async function runCopy(source: Connector, target: Connector, options: CopyOptions): Promise<CopyResult> {
  const started = performance.now();
  const run = options.run ?? randomUUID();
  // A resumed run whose data phase had begun applied its if-exists policy then: never again.
  const resumed = options.resume?.dataStarted === true;
  const reporters = options.reporters ?? [];
  const ifExists = options.ifExists ?? 'fail';
  const coercions = new Coercions(options.coerce ?? []);
  const throttle = new Throttle(options, (pause) =>
    emit(reporters, 'onThrottle', { table: pause.table ?? '', ...pause }),
  );

  const { schema, excluded, prepared, targetTables, renames } = await resolveTables(source, target, options);
  emit(reporters, 'onConnected', {
    source: source.display,
    target: target.display,
    sourceVersion: schema.serverVersion,
  });
  const notes: SchemaNote[] = [...prepared.notes];
  for (const rename of renames) emit(reporters, 'onRename', rename);

  // Decide about existing tables before writing anything.
  const existing = await target.existingTables(targetTables.map((table) => table.name));
  const existingNames = new Set(existing.map((table) => table.name));
  if (options.dataOnly) {
    const missing = targetTables.filter((table) => !existingNames.has(table.name)).map((t) => t.name);
    if (missing.length > 0) {
      throw new PreconditionError(
        'TARGET_TABLE_MISSING',
        `--data-only needs the tables to exist on the target; missing: ${missing.join(', ')}. Run without --data-only to create them.`,
      );
    }
  }
  const withRows = existing.filter((table) => table.hasRows).map((table) => table.name);
  if (ifExists === 'fail' && withRows.length > 0 && !options.schemaOnly && !resumed) {
    throw new PreconditionError(
      'TARGET_NOT_EMPTY',
      `The target already has rows in ${withRows.join(', ')}; nothing was written. ` +
        'Use --if-exists drop (recreate), truncate (empty them first) or append (add rows) to go ahead.',
    );
  }
  if (ifExists === 'fail' && options.schemaOnly && existing.length > 0) {
    throw new PreconditionError(
      'TARGET_TABLE_EXISTS',
      `The target already has tables ${existing.map((t) => t.name).join(', ')}; nothing was written. Use --if-exists drop to recreate them.`,
    );
  }
  if (ifExists === 'drop' && existing.length > 0 && !resumed) await target.dropTables([...existingNames]);
  if (ifExists === 'truncate' && existing.length > 0 && !options.schemaOnly && !resumed) {
    await target.truncateTables([...existingNames]);
  }

  const reuse = options.dataOnly || ifExists !== 'drop' || resumed;
  // The tables this run creates, and so whose indexes and keys it builds after the data: a resumed
  // run's are those it set out to create the first time, some of which may exist already.
  const intended = new Set(options.resume?.created ?? []);
  const owned = targetTables.filter(
    (table) => intended.has(table.name) || !(reuse && existingNames.has(table.name)),
  );
  const toCreate = owned.filter((table) => !existingNames.has(table.name) || !reuse);
  const parallel = options.parallel ?? defaultParallel();
  const request = { sourceDialect: source.dialect, tables: owned, coercions, parallel };
  if (!options.dataOnly && owned.length > 0) {
    emit(reporters, 'onTablesToCreate', { tables: owned.map((table) => table.name) });
  }
  if (!options.dataOnly && toCreate.length > 0) {
    emit(reporters, 'onPhase', { phase: 'schema', tables: toCreate.length });
    notes.push(...(await target.createSchema({ ...request, tables: toCreate }, 'tables')));
  }

  const results: TableResult[] = [];
  let snapshot: SourceSnapshot | undefined;
  if (options.schemaOnly) {
    for (const [index, sourceTable] of prepared.tables.entries()) {
      results.push({
        table: sourceTable.name,
        targetTable: targetTables[index]!.name,
        status: 'schema-only',
        rows: 0,
        bytes: 0,
        seconds: 0,
        chunks: 0,
        retries: 0,
      });
    }
  } else {
    emit(reporters, 'onPhase', { phase: 'data', tables: prepared.tables.length });
    // The source's health is watched while rows are read: an overloaded source pauses the run.
    const monitor = new LoadMonitor(source, {
      limits: options.maxLoad ?? {},
      ...(options.loadProbeTable ? { probeTable: options.loadProbeTable } : {}),
      onUnavailable: (name) =>
        emit(reporters, 'onWarning', {
          message: `--max-load ${name}: ${source.display} does not report it (engine or privileges), so it cannot pause the run`,
        }),
    });
    await monitor.start();
    throttle.watchLoad(monitor);
    const indexes = options.dataOnly ? undefined : new EarlyIndexes(target, request, owned);
    const data = await copyData({
      source,
      target,
      tables: prepared.tables.map((table, index) => ({ source: table, target: targetTables[index]! })),
      run,
      parallel,
      chunkSize: {
        rows: options.chunkRows ?? DEFAULT_CHUNK_ROWS,
        bytes: options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
      },
      batch: {
        rows: options.batchRows ?? DEFAULT_BATCH_ROWS,
        bytes: options.batchBytes ?? batchBytesFor(options.memory ?? DEFAULT_MEMORY_BYTES, parallel),
      },
      retries: options.retries ?? DEFAULT_RETRIES,
      ...(options.resume ? { resume: options.resume } : {}),
      ...(options.changeStream ? { changeStream: options.changeStream } : {}),
      coercions,
      throttle,
      reporters,
      ...(indexes ? { onTableCopied: indexes.add } : {}),
    }).finally(async () => {
      await monitor.stop();
      await indexes?.settled();
    });
    results.push(...data.tables);
    snapshot = data.snapshot;
  }

  const errors: FerryError[] = [];
  if (!options.dataOnly && owned.length > 0) {
    emit(reporters, 'onPhase', { phase: 'constraints', tables: owned.length });
    await collect(
      reporters,
      errors,
      'CONSTRAINTS_FAILED',
      'creating indexes, foreign keys and sequence positions',
      async () => {
        notes.push(...(await target.createSchema(request, 'constraints')));
      },
    );
  }
  for (const note of notes) emit(reporters, 'onSchemaNote', note);

  const objects = schema.objects.filter((object) => !object.table || !excluded.has(object.table));
  const objectsCopied = [];
  const objectsNotMigrated = [];
  if (options.dataOnly || objects.length === 0) {
    // nothing to do: objects belong to the schema
  } else if (source.dialect === target.dialect) {
    emit(reporters, 'onPhase', { phase: 'objects', tables: objects.length });
    const ok = await collect(
      reporters,
      errors,
      'OBJECTS_FAILED',
      'creating views, triggers and routines',
      () => target.createObjects(objects),
    );
    if (ok) {
      objectsCopied.push(...objects);
      emit(reporters, 'onObjectsCopied', objects);
    }
  } else {
    objectsNotMigrated.push(...objects);
    emit(reporters, 'onObjectsNotMigrated', objects);
  }

  const ok = errors.length === 0 && results.every((result) => result.status !== 'failed');
  return {
    ok,
    run,
    parallel,
    seconds: (performance.now() - started) / 1000,
    tables: results,
    renames,
    notes,
    objectsCopied,
    objectsNotMigrated,
    errors,
    coercions: coercions.counts(),
    throttle: throttle.stats,
    ...(snapshot ? { snapshot } : {}),
  };
}

/** Parallelism and memory budget that cannot work together are a usage error, before connecting. */
function checkRunSize(options: CopyOptions): void {
  const parallel = options.parallel ?? defaultParallel();
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > MAX_PARALLEL) {
    throw new UsageError(
      'BAD_OPTION',
      `--parallel must be a whole number from 1 to ${MAX_PARALLEL}; got ${parallel}.`,
    );
  }
  const memory = options.memory ?? DEFAULT_MEMORY_BYTES;
  if (memory < minimumMemory(parallel)) {
    const mib = (bytes: number) => `${Math.ceil(bytes / 1024 / 1024)}M`;
    throw new UsageError(
      'BAD_OPTION',
      `--memory ${mib(memory)} is too small for --parallel ${parallel}: it needs at least ${mib(minimumMemory(parallel))}. Raise --memory or lower --parallel.`,
    );
  }
}

/** Runs a step whose failure does not stop the run: the error joins the result and is reported. */
async function collect(
  reporters: readonly Reporter[],
  errors: FerryError[],
  code: string,
  what: string,
  work: () => Promise<void>,
): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (error) {
    const failure = asFerryError(error, code, what);
    errors.push(failure);
    emit(reporters, 'onError', { error: failure });
    return false;
  }
}
