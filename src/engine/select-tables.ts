/**
 * Picks the tables a copy works on from the source's schema, and prepares them for the target:
 * a table named on the command line or in the plan's rules that does not exist is a usage error;
 * the rules (table-rules.ts) shape the tables; generated columns and foreign keys that cannot cross
 * are turned into notes rather than dropped silently.
 */
import type { Connector, SchemaNote } from '../connectors/connector.js';
import type { Dialect } from '../connectors/dialect.js';
import { UsageError } from '../errors.js';
import type { DatabaseSchema, Table } from '../schema/table.js';
import type { CopyOptions } from './copy-options.js';
import { applyTableRules, checkTableRules, selectByRules } from './table-rules.js';
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
  /** The source's tables that are not copied. */
  excluded: Set<string>;
  /** Source tables as the source has them, shaped by the plan's rules (same order as `targetTables`). */
  chosen: Table[];
  /** Source tables adapted to the target dialect (same order as `targetTables`). */
  prepared: { tables: Table[]; notes: SchemaNote[] };
  /** The same tables as the target will name them. */
  targetTables: Table[];
  renames: Rename[];
}

/**
 * Introspects the source, applies `--tables`/`--exclude` and the plan's table rules (usage error
 * for unknown names and patterns that match nothing), shapes, adapts and names the tables.
 */
export async function resolveTables(
  source: Connector,
  target: Pick<Connector, 'dialect' | 'capabilities'>,
  options: Pick<CopyOptions, 'tables' | 'exclude' | 'tableRules'>,
): Promise<ResolvedTables> {
  const rules = options.tableRules ?? [];
  checkTableRules(rules);
  // Patterns match against every table of the source, so only a plain `--tables` narrows the read.
  const narrowed = rules.length === 0 && !!options.tables?.length;
  const schema = await source.introspect(narrowed ? { tables: options.tables! } : undefined);
  checkNamedTables(schema, options.tables, '--tables');
  if (options.exclude?.length) {
    const all = narrowed ? await source.introspect() : schema;
    checkNamedTables(all, options.exclude, '--exclude');
  }
  const named = options.tables?.length ? new Set(options.tables) : undefined;
  const left = new Set(options.exclude ?? []);
  const picked = selectByRules(schema.tables, rules).filter(
    (table) => (!named || named.has(table.name)) && !left.has(table.name),
  );
  const shaped = applyTableRules(picked, rules);
  const prepared = prepareTables(shaped.tables, source.dialect, target.dialect);
  prepared.notes.unshift(...shaped.notes);
  const { tables, renames } = planTargetNames(prepared.tables, target.capabilities, shaped.names);
  // The row filter is the source's condition: target tables hold only the rows it let through.
  const targetTables = tables.map(({ rowFilter: _source, ...table }) => table);
  const copied = new Set(picked.map((table) => table.name));
  const excluded = new Set(schema.tables.map((table) => table.name).filter((name) => !copied.has(name)));
  return { schema, excluded, chosen: shaped.tables, prepared, targetTables, renames };
}
