/**
 * Picks the tables a copy works on from the source's schema, and prepares them for the target:
 * a table named on the command line that does not exist is a usage error; generated columns and
 * foreign keys that cannot cross are turned into notes rather than dropped silently.
 */
import type { Connector, SchemaNote } from '../connectors/connector.js';
import type { Dialect } from '../connectors/dialect.js';
import { UsageError } from '../errors.js';
import type { DatabaseSchema, Table } from '../schema/table.js';
import type { CopyOptions } from './copy-options.js';
import { planTargetNames, type Rename } from './target-names.js';

/** Throws a UsageError naming every requested table the source does not have. */
export function checkNamedTables(schema: DatabaseSchema, names: string[] | undefined, option: string): void {
  if (!names || names.length === 0) return;
  const present = new Set(schema.tables.map((table) => table.name));
  const missing = names.filter((name) => !present.has(name));
  if (missing.length === 0) return;
  const known = schema.tables.map((table) => table.name);
  const hint =
    known.length > 0
      ? ` Tables in the source: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}.`
      : '';
  throw new UsageError(
    'TABLE_NOT_FOUND',
    `${option} names ${missing.length === 1 ? 'a table' : 'tables'} the source does not have: ${missing.join(', ')}.${hint}`,
  );
}

/** The tables to copy, adapted to the target's dialect, with notes for what was adapted. */
export function prepareTables(
  tables: Table[],
  sourceDialect: Dialect,
  targetDialect: Dialect,
): { tables: Table[]; notes: SchemaNote[] } {
  const notes: SchemaNote[] = [];
  const names = new Set(tables.map((table) => table.name));
  const prepared = tables.map((table): Table => {
    const foreignKeys = table.foreignKeys.filter((fk) => {
      if (names.has(fk.referencedTable)) return true;
      notes.push({
        table: table.name,
        object: fk.name,
        message: `foreign key ${fk.name} not created: it references ${fk.referencedTable}, which is not copied`,
      });
      return false;
    });
    if (sourceDialect === targetDialect) return { ...table, foreignKeys };
    const columns = table.columns.map((column) => {
      if (!column.generated) return column;
      notes.push({
        table: table.name,
        object: column.name,
        message: `generated column ${column.name} copied as plain values: its expression is in the source's dialect`,
      });
      const { generated: _dropped, ...plain } = column;
      return plain;
    });
    return { ...table, columns, foreignKeys };
  });
  return { tables: prepared, notes };
}

/** The tables of a copy: as the source has them, adapted for the target, and named for it. */
export interface ResolvedTables {
  schema: DatabaseSchema;
  excluded: Set<string>;
  /** Source tables adapted to the target dialect (same order as `targetTables`). */
  prepared: { tables: Table[]; notes: SchemaNote[] };
  /** The same tables as the target will name them. */
  targetTables: Table[];
  renames: Rename[];
}

/** Introspects the source, applies `--tables`/`--exclude` (usage error for unknown names), adapts and names. */
export async function resolveTables(
  source: Connector,
  target: Pick<Connector, 'dialect' | 'capabilities'>,
  options: Pick<CopyOptions, 'tables' | 'exclude'>,
): Promise<ResolvedTables> {
  const schema = await source.introspect(options.tables?.length ? { tables: options.tables } : undefined);
  checkNamedTables(schema, options.tables, '--tables');
  if (options.exclude?.length) {
    const all = options.tables?.length ? await source.introspect() : schema;
    checkNamedTables(all, options.exclude, '--exclude');
  }
  const excluded = new Set(options.exclude ?? []);
  const chosen = schema.tables.filter((table) => !excluded.has(table.name));
  const prepared = prepareTables(chosen, source.dialect, target.dialect);
  const { tables: targetTables, renames } = planTargetNames(prepared.tables, target.capabilities);
  return { schema, excluded, prepared, targetTables, renames };
}
