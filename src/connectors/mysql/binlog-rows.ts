/**
 * WRITE/UPDATE/DELETE_ROWS events (v1 as MariaDB writes them, v2 as MySQL does): the row images,
 * each decoded column by column with the decoders of the table's columns.
 * https://mariadb.com/kb/en/rows_event_v1v2-rows_compressed_event_v1/
 */
import type { CanonicalValue } from '../../values/canonical.js';
import type { BinlogCursor } from './binlog-cursor.js';
import { BINLOG_EVENT } from './binlog-events.js';
import type { ServerRendered } from './binlog-values.js';

/** One column's value in an image: canonical, to be rendered by the server, or absent from the image. */
export type ImageValue = CanonicalValue | ServerRendered | undefined;

/**
 * How to read each binlog column of the table: a decoder, or null for a column that is read and
 * dropped (a generated column the relation leaves out).
 */
export type ColumnReader = (cursor: BinlogCursor) => CanonicalValue | ServerRendered;

/** A rows event's table and images: `before` for updates and deletes, `after` for inserts and updates. */
export interface RowsEvent {
  tableId: number;
  /** STMT_END_F: the statement's last rows event (the table maps may be forgotten after it). */
  statementEnd: boolean;
  rows: Array<{ before?: ImageValue[]; after?: ImageValue[] }>;
}

/** The post-header of a rows event: table id and flags (v2 adds extra data). */
export function rowsEventTable(body: BinlogCursor, type: number): { tableId: number; flags: number } {
  const tableId = body.uintLE(6);
  const flags = body.uint16();
  const v2 =
    type === BINLOG_EVENT.WRITE_ROWS_V2 ||
    type === BINLOG_EVENT.UPDATE_ROWS_V2 ||
    type === BINLOG_EVENT.DELETE_ROWS_V2;
  if (v2) body.skip(body.uint16() - 2);
  return { tableId, flags };
}

function bit(bitmap: Buffer, index: number): boolean {
  return ((bitmap[index >> 3] ?? 0) & (1 << (index & 7))) !== 0;
}

/** One image: a NULL bitmap over the present columns, then the present non-NULL values. */
function readImage(body: BinlogCursor, present: Buffer, readers: ColumnReader[]): ImageValue[] {
  const count = readers.length;
  let presentCount = 0;
  for (let index = 0; index < count; index++) if (bit(present, index)) presentCount++;
  const nulls = body.bytes((presentCount + 7) >> 3);
  const values: ImageValue[] = new Array(count);
  let position = 0;
  for (let index = 0; index < count; index++) {
    if (!bit(present, index)) {
      values[index] = undefined;
      continue;
    }
    values[index] = bit(nulls, position) ? null : readers[index]!(body);
    position++;
  }
  return values;
}

/** STMT_END_F of a rows event's flags. */
const STATEMENT_END = 1;

/** Decodes a rows event's body (after rowsEventTable) with one reader per column of its table map. */
export function parseRows(
  body: BinlogCursor,
  kind: 'insert' | 'update' | 'delete',
  tableId: number,
  flags: number,
  readers: ColumnReader[],
): RowsEvent {
  const count = body.lenenc();
  const bitmapBytes = (count + 7) >> 3;
  const present = body.bytes(bitmapBytes);
  const presentAfter = kind === 'update' ? body.bytes(bitmapBytes) : present;
  const rows: RowsEvent['rows'] = [];
  while (body.remaining > 0) {
    if (kind === 'insert') rows.push({ after: readImage(body, present, readers) });
    else if (kind === 'delete') rows.push({ before: readImage(body, present, readers) });
    else {
      const before = readImage(body, present, readers);
      rows.push({ before, after: readImage(body, presentAfter, readers) });
    }
  }
  return { tableId, statementEnd: (flags & STATEMENT_END) !== 0, rows };
}
