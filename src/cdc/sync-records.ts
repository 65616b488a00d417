/**
 * What every applier stores the same way, whatever the target: a position as a key and a JSON text
 * of its fields, and a change relation seen as the `Table` the connectors' value encoders take.
 */
import { FerryError } from '../errors.js';
import type { Table } from '../schema/table.js';
import type { ChangeRelation, StreamPosition } from './change.js';

/** The JSON text a sync table keeps of a position's fields. */
export function positionText(position: StreamPosition): string {
  return JSON.stringify(position.fields);
}

/** A position read back from a sync table; throws when the stored text is not what positionText wrote. */
export function storedPosition(key: string, text: string): StreamPosition {
  let fields: unknown;
  try {
    fields = JSON.parse(text);
  } catch (error) {
    throw new FerryError('SYNC_POSITION_CORRUPT', `The stored position ${key} is not JSON.`, {
      cause: error,
    });
  }
  if (
    fields === null ||
    typeof fields !== 'object' ||
    Object.values(fields).some((value) => typeof value !== 'string')
  ) {
    throw new FerryError('SYNC_POSITION_CORRUPT', `The stored position ${key} is not an object of strings.`);
  }
  return { key, fields: fields as Record<string, string> };
}

/**
 * The relation as a source `Table`, the form `write` gives the value encoders: its columns with
 * the source's logical types, and its identity as the key that names a row in messages.
 */
export function relationTable(relation: ChangeRelation): Table {
  return {
    name: relation.name,
    columns: relation.columns,
    primaryKey: relation.key,
    indexes: [],
    foreignKeys: [],
  };
}

/** Whether a set of column names is exactly `key` (any order): a unique index the target can use as the key. */
export function isSameColumnSet(columns: readonly string[], key: readonly string[], fold = false): boolean {
  if (columns.length !== key.length) return false;
  const norm = (name: string) => (fold ? name.toLowerCase() : name);
  const wanted = new Set(key.map(norm));
  return columns.every((name) => wanted.has(norm(name)));
}
