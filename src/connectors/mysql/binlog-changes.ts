/**
 * Row images of a followed table as RowChanges: the values only the server can print rendered by
 * it, the relation's columns and key picked out of the binlog's column order, an UPDATE's missing
 * after-image columns as UNCHANGED, and decoding problems as ValueErrors naming the table.
 */
import { type ChangeRelation, type RowChange, UNCHANGED } from '../../cdc/change.js';
import { DatabaseError, ValueError } from '../../errors.js';
import type { CanonicalValue } from '../../values/canonical.js';
import type { ImageLayout } from './binlog-relations.js';
import type { ImageValue } from './binlog-rows.js';
import type { TableMap } from './binlog-table-map.js';
import { ServerRendered } from './binlog-values.js';
import { MysqlValueProblem } from './codecs.js';
import type { MysqlSession } from './session.js';

/** Runs a decoding step, turning a value the stream cannot carry into a ValueError naming the table. */
export function decodingIn<T>(map: TableMap, display: string, work: () => T): T {
  try {
    return work();
  } catch (problem) {
    if (!(problem instanceof MysqlValueProblem)) throw problem;
    throw new ValueError(
      'VALUE_NOT_REPRESENTABLE',
      `Table "${map.table}" in the binlog of ${display}: ${problem.message}.`,
      { table: map.table, cause: problem },
    );
  }
}

/** Values the server must print (geometry, rare character sets), printed by the server, in place. */
export async function renderOnServer(session: MysqlSession, values: ImageValue[]): Promise<void> {
  if (!values.some((value) => value instanceof ServerRendered)) return;
  await session.use(async (connection) => {
    for (let index = 0; index < values.length; index++) {
      const value = values[index];
      if (!(value instanceof ServerRendered)) continue;
      const [row] = await session.run<Record<string, unknown>>(
        connection,
        'Printing a binlog value as the reader would',
        value.sql,
        [value.param],
      );
      const text = row ? Object.values(row)[0] : null;
      values[index] = text === null || text === undefined ? null : String(text);
    }
  });
}

function missing(map: TableMap, column: string): DatabaseError {
  return new DatabaseError(
    'MYSQL_BINLOG_ROW_IMAGE',
    `The binlog's row of table "${map.table}" lacks column "${column}": the server logs partial rows. Set binlog_row_image=FULL (SET GLOBAL binlog_row_image = 'FULL', and in the server configuration) and run a new snapshot.`,
  );
}

/** One row of a rows event as a change of `relation` (`key` from the before image, `row` from the after image). */
export async function rowChange(
  session: MysqlSession,
  kind: 'insert' | 'update' | 'delete',
  relation: ChangeRelation,
  layout: ImageLayout,
  images: { before?: ImageValue[]; after?: ImageValue[] },
  map: TableMap,
): Promise<RowChange> {
  const { before, after } = images;
  if (before) await renderOnServer(session, before);
  if (after) await renderOnServer(session, after);
  const key = (): CanonicalValue[] =>
    layout.keySource.map((index, at) => {
      const value = before![index];
      if (value === undefined || value instanceof ServerRendered) throw missing(map, relation.key[at]!);
      return value;
    });
  if (kind === 'delete') return { kind, relation, key: key() };
  if (kind === 'insert') {
    const row = layout.source.map((index, at) => {
      const value = after![index];
      if (value === undefined || value instanceof ServerRendered)
        throw missing(map, relation.columns[at]!.name);
      return value;
    });
    return { kind, relation, row };
  }
  const row = layout.source.map((index) => {
    const value = after![index];
    return value === undefined || value instanceof ServerRendered ? UNCHANGED : value;
  });
  return { kind, relation, key: key(), row };
}
