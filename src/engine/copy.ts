/**
 * `copyDatabase`: schema, data, constraints and objects from one database into another. Tables are
 * copied one after another, each in one target transaction; a failed table does not stop the
 * others, and the result says what arrived (STYLE.md rule 11).
 */
import type { Connector, SchemaNote, SourceSnapshot } from '../connectors/connector.js';
import { createConnector } from '../connectors/registry.js';
import { parseConnectionUrl } from '../connectors/url.js';
import { FerryError, messageOf, PreconditionError, UsageError } from '../errors.js';
import type { Table } from '../schema/table.js';
import type { RowBatch } from '../values/canonical.js';
import { Coercions } from '../values/coercions.js';
import { type CopyOptions, DEFAULT_BATCH_BYTES, DEFAULT_BATCH_ROWS } from './copy-options.js';
import type { CopyResult, TableResult } from './copy-result.js';
import { emit, type Reporter } from './events.js';
import { checkDistinctDatabases } from './same-database.js';
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
  const sourceUrl = parseConnectionUrl(options.source, 'source');
  const targetUrl = parseConnectionUrl(options.target, 'target');
  checkDistinctDatabases(sourceUrl, targetUrl);
  const source = await createConnector(sourceUrl);
  const target = await createConnector(targetUrl);
  try {
    await Promise.all([source.connect(), target.connect()]);
    return await runCopy(source, target, options);
  } finally {
    await Promise.allSettled([source.close(), target.close()]);
  }
}

async function runCopy(source: Connector, target: Connector, options: CopyOptions): Promise<CopyResult> {
  const started = performance.now();
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
  if (ifExists === 'fail' && withRows.length > 0 && !options.schemaOnly) {
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
  if (ifExists === 'drop' && existing.length > 0) await target.dropTables([...existingNames]);
  if (ifExists === 'truncate' && existing.length > 0 && !options.schemaOnly) {
    await target.truncateTables([...existingNames]);
  }

  const reuse = options.dataOnly || ifExists !== 'drop';
  const toCreate = targetTables.filter((table) => !(reuse && existingNames.has(table.name)));
  const request = { sourceDialect: source.dialect, tables: toCreate, coercions };
  if (!options.dataOnly && toCreate.length > 0) {
    emit(reporters, 'onPhase', { phase: 'schema', tables: toCreate.length });
    notes.push(...(await target.createSchema(request, 'tables')));
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
      });
    }
  } else {
    emit(reporters, 'onPhase', { phase: 'data', tables: prepared.tables.length });
    // Every table is read as of one point in time (DESIGN.md principle 4).
    snapshot = await source.openSnapshot();
    emit(reporters, 'onSnapshot', snapshot);
    try {
      for (const [index, sourceTable] of prepared.tables.entries()) {
        const targetTable = targetTables[index]!;
        const result = await copyTable(
          source,
          target,
          sourceTable,
          targetTable,
          options,
          { coercions, throttle },
          reporters,
        );
        results.push(result);
        emit(reporters, 'onTableDone', result);
      }
    } finally {
      await source.releaseSnapshot();
    }
  }

  const errors: FerryError[] = [];
  if (!options.dataOnly && toCreate.length > 0) {
    emit(reporters, 'onPhase', { phase: 'constraints', tables: toCreate.length });
    await collect(
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
    const ok = await collect(errors, 'OBJECTS_FAILED', 'creating views, triggers and routines', () =>
      target.createObjects(objects),
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

async function copyTable(
  source: Connector,
  target: Connector,
  sourceTable: Table,
  targetTable: Table,
  options: CopyOptions,
  { coercions, throttle }: { coercions: Coercions; throttle: Throttle },
  reporters: readonly Reporter[],
): Promise<TableResult> {
  const started = performance.now();
  emit(reporters, 'onTableStart', {
    table: sourceTable.name,
    targetTable: targetTable.name,
    estimatedRows: sourceTable.estimatedRows,
  });
  const batches = source.read(sourceTable, {
    batchRows: options.batchRows ?? DEFAULT_BATCH_ROWS,
    batchBytes: options.batchBytes ?? DEFAULT_BATCH_BYTES,
    coercions,
    targetDialect: target.dialect,
  });
  try {
    const written = await target.write(targetTable, counted(batches, sourceTable.name, throttle, reporters), {
      coercions,
    });
    const seconds = (performance.now() - started) / 1000;
    return {
      table: sourceTable.name,
      targetTable: targetTable.name,
      status: 'copied',
      rows: written.rows,
      bytes: written.bytes,
      seconds,
    };
  } catch (error) {
    const seconds = (performance.now() - started) / 1000;
    coercions.discard(targetTable.name);
    coercions.discard(sourceTable.name);
    return {
      table: sourceTable.name,
      targetTable: targetTable.name,
      status: 'failed',
      rows: 0,
      bytes: 0,
      seconds,
      error: asFerryError(error, 'TABLE_FAILED', `copying table ${sourceTable.name}`),
    };
  }
}

async function* counted(
  batches: AsyncIterable<RowBatch>,
  table: string,
  throttle: Throttle,
  reporters: readonly Reporter[],
) {
  let rows = 0;
  let bytes = 0;
  for await (const batch of batches) {
    await throttle.admit(batch.rows.length, batch.bytes, table);
    rows += batch.rows.length;
    bytes += batch.bytes;
    yield batch;
    emit(reporters, 'onTableProgress', { table, rows, bytes });
  }
}

async function collect(
  errors: FerryError[],
  code: string,
  what: string,
  work: () => Promise<void>,
): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (error) {
    errors.push(asFerryError(error, code, what));
    return false;
  }
}

/** Keeps a FerryError as it is; wraps anything else so the user sees what Ferry was doing. */
function asFerryError(error: unknown, code: string, what: string): FerryError {
  if (error instanceof FerryError) return error;
  return new FerryError(code, `Failed while ${what}: ${messageOf(error)}`, { cause: error });
}
