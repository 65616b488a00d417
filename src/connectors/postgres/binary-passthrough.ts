/**
 * The PostgreSQL → PostgreSQL fast path (DESIGN.md principle 1): rows travel in COPY's binary
 * format from `COPY … TO STDOUT (FORMAT binary)` straight into `COPY … FROM STDIN (FORMAT binary)`,
 * never decoded. Offered only where that keeps every value exactly: both databases in the same
 * character set (never SQL_ASCII), every column of a type whose binary form names no
 * database-specific OID, and the target columns of the very same types (so no typmod rounds).
 */
import type pg from 'pg';
import { copiedColumns, type Table } from '../../schema/table.js';
import {
  BINARY_PORTABLE_COLUMNS,
  type BinaryPortableRow,
  SERVER_ENCODING,
  TARGET_COLUMNS,
  type TargetColumnRow,
} from './sql.js';

const FORMAT = 'postgres-binary';

/** The encoding name both sides compare: the format and the database's character set. */
function encodingName(serverEncoding: string): string {
  return `${FORMAT}/${serverEncoding}`;
}

async function serverEncoding(client: pg.PoolClient): Promise<string> {
  const { rows } = await client.query<{ encoding: string }>(SERVER_ENCODING);
  return rows[0]?.encoding ?? '';
}

/** Source side (Connector.rowEncodings): the binary encoding, when every copied column allows it. */
export async function postgresRowEncoding(
  client: pg.PoolClient,
  schema: string,
  table: Table,
): Promise<string | undefined> {
  const encoding = await serverEncoding(client);
  // Text in SQL_ASCII may not be UTF-8: it must go through the reader's invalid-text policy.
  if (encoding === '' || encoding === 'SQL_ASCII') return undefined;
  const { rows } = await client.query<BinaryPortableRow>(BINARY_PORTABLE_COLUMNS, [schema, table.name]);
  const portable = new Map(rows.map((row) => [row.name, row.portable]));
  const columns = copiedColumns(table);
  if (columns.length === 0 || !columns.every((column) => portable.get(column.name) === true))
    return undefined;
  return encodingName(encoding);
}

/** Target side (Connector.acceptsEncoding): same character set, same types, column for column. */
export async function postgresAcceptsEncoding(
  client: pg.PoolClient,
  schema: string,
  table: Table,
  encoding: string,
): Promise<boolean> {
  if (encoding !== encodingName(await serverEncoding(client))) return false;
  const { rows } = await client.query<TargetColumnRow>(TARGET_COLUMNS, [schema, table.name]);
  const target = new Map(rows.map((row) => [row.name, row.native_type]));
  return copiedColumns(table).every((column) => target.get(column.name) === column.nativeType);
}

/** Whether a read or write is in the binary encoding. */
export function isPostgresBinaryEncoding(encoding: string | undefined): boolean {
  return encoding?.startsWith(`${FORMAT}/`) === true;
}
