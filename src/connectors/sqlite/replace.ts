/**
 * Verify's repair in SQLite: the rows of the given keys are deleted inside the write's own
 * transaction, before the source's rows are inserted, so a repair lands whole or not at all.
 */
import { DatabaseError, messageOf } from '../../errors.js';
import type { Table } from '../../schema/table.js';
import type { KeysToReplace } from '../connector.js';
import { sqliteKeyColumns, sqliteKeyListWhere, sqliteKeySql } from './chunks.js';
import type { SqliteDatabase } from './session.js';
import { quoteSqliteIdent } from './sql.js';

/** Keys per DELETE: well under SQLite's limit of bound parameters. */
const KEYS_PER_STATEMENT = 200;

/** Deletes the rows of `replace.keys`; returns how many went. Runs inside the caller's transaction. */
export function deleteSqliteKeys(db: SqliteDatabase, table: Table, replace: KeysToReplace): number {
  const key = sqliteKeySql(sqliteKeyColumns(table, replace.key));
  let deleted = 0;
  for (let at = 0; at < replace.keys.length; at += KEYS_PER_STATEMENT) {
    const where = sqliteKeyListWhere(key, replace.keys.slice(at, at + KEYS_PER_STATEMENT));
    try {
      deleted += db
        .prepare(`DELETE FROM ${quoteSqliteIdent(table.name)}${where.sql}`)
        .run(where.params).changes;
    } catch (error) {
      throw new DatabaseError(
        'SQLITE_REPAIR_DELETE',
        `Deleting the rows to repair in table "${table.name}" failed: ${messageOf(error)}`,
        { cause: error },
      );
    }
  }
  return deleted;
}
