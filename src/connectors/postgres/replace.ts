/**
 * Verify's repair in PostgreSQL: the rows of the given keys are deleted inside the write's own
 * transaction, before COPY brings the source's rows, so a repair lands whole or not at all.
 */
import type pg from 'pg';
import type { Table } from '../../schema/table.js';
import type { KeysToReplace } from '../connector.js';
import { postgresKeyColumns, postgresKeyListWhere } from './chunks.js';
import { qualify } from './identifiers.js';

/** Keys per DELETE statement. */
const KEYS_PER_STATEMENT = 500;

/** Deletes the rows of `replace.keys` on `client` (inside its open transaction). */
export async function deletePostgresKeys(
  client: pg.ClientBase,
  schema: string,
  table: Table,
  replace: KeysToReplace,
): Promise<void> {
  const key = postgresKeyColumns(table, replace.key);
  for (let at = 0; at < replace.keys.length; at += KEYS_PER_STATEMENT) {
    const where = postgresKeyListWhere(key, replace.keys.slice(at, at + KEYS_PER_STATEMENT));
    await client.query(`DELETE FROM ${qualify(schema, table.name)}${where}`);
  }
}
