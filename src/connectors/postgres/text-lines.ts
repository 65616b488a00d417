/**
 * Target side of Ferry's neutral text lines (src/values/text-lines.ts) in PostgreSQL: COPY's text
 * format reads that spelling directly, so lines a source server printed load without a value
 * being decoded in Ferry. Accepted only where PostgreSQL reads every field back into the very
 * value: a UTF-8 database, and each target column of exactly the type Ferry creates for the
 * source column (no narrower numeric scale, float width or fractional seconds that would round).
 */
import type pg from 'pg';
import { sameLogicalType } from '../../schema/logical-type.js';
import { copiedColumns, type Table } from '../../schema/table.js';
import { TEXT_LINES, TEXT_LINES_KINDS } from '../../values/text-lines.js';
import { SERVER_ENCODING, TARGET_COLUMNS, type TargetColumnRow } from './sql.js';
import { logicalTypeOf, postgresCreatedType } from './types.js';

/** Target side (Connector.acceptsEncoding) for TEXT_LINES. */
export async function postgresAcceptsTextLines(
  client: pg.PoolClient,
  schema: string,
  table: Table,
): Promise<boolean> {
  const { rows: encoding } = await client.query<{ encoding: string }>(SERVER_ENCODING);
  if (encoding[0]?.encoding !== 'UTF8') return false;
  const { rows } = await client.query<TargetColumnRow>(TARGET_COLUMNS, [schema, table.name]);
  const target = new Map(rows.map((row) => [row.name, logicalTypeOf(row)]));
  const columns = copiedColumns(table);
  return (
    columns.length > 0 &&
    columns.every((column) => {
      const type = target.get(column.name);
      return (
        TEXT_LINES_KINDS.has(column.type.kind) &&
        type !== undefined &&
        sameLogicalType(type, postgresCreatedType(column.type))
      );
    })
  );
}

/** Whether a write's batches are TEXT_LINES. */
export const isTextLines = (format: string | undefined) => format === TEXT_LINES;
