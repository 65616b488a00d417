/**
 * Verify's repair in MariaDB/MySQL: the rows of the given keys are deleted inside the write's own
 * transaction, before LOAD DATA brings the source's rows, so a repair lands whole or not at all.
 * Keys compare in binary order, as ranges do (chunks.ts), never under a collation.
 */
import type { Table } from '../../schema/table.js';
import type { KeysToReplace } from '../connector.js';
import { mysqlKeyColumns, mysqlKeyListWhere, mysqlKeySql } from './chunks.js';
import type { MysqlConnection, MysqlSession } from './session.js';
import { quoteIdentifier } from './sql.js';

/** Keys per DELETE statement. */
const KEYS_PER_STATEMENT = 500;

/** Deletes the rows of `replace.keys` on `connection` (inside its open transaction). */
export async function deleteMysqlKeys(
  session: MysqlSession,
  connection: MysqlConnection,
  table: Table,
  replace: KeysToReplace,
): Promise<void> {
  const key = mysqlKeyColumns(table, replace.key).map(mysqlKeySql);
  for (let at = 0; at < replace.keys.length; at += KEYS_PER_STATEMENT) {
    const where = mysqlKeyListWhere(key, replace.keys.slice(at, at + KEYS_PER_STATEMENT));
    await session.run(
      connection,
      `Deleting the rows to repair in table "${table.name}"`,
      `DELETE FROM ${quoteIdentifier(table.name)}${where.sql}`,
      where.params,
    );
  }
}
