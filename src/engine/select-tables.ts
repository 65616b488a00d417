/**
 * Picks the tables a copy works on from the source's schema, and prepares them for the target:
 * a table named on the command line that does not exist is a usage error; generated columns and
 * foreign keys that cannot cross are turned into notes rather than dropped silently.
 */
import type { SchemaNote } from '../connectors/connector.js';
import type { Dialect } from '../connectors/dialect.js';
import { UsageError } from '../errors.js';
import type { DatabaseSchema, Table } from '../schema/table.js';

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
