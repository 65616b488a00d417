/**
 * Ferry's progress table in a MariaDB/MySQL target (connector.ts PROGRESS_TABLE): created before the
 * first chunk, written in each chunk's own transaction, read to resume.
 */
import { isSyncTable } from '../../cdc/applier.js';
import { DatabaseError } from '../../errors.js';
import type { ChunkRecord, RecordedChunk, WriteResult } from '../connector.js';
import { PROGRESS_TABLE } from '../connector.js';
import { sanitizeServerMessage } from './load-warnings.js';
import type { MysqlConnection, MysqlSession } from './session.js';
import {
  type MysqlProgressRow,
  PROGRESS_CREATE,
  PROGRESS_EXISTS,
  PROGRESS_INSERT,
  PROGRESS_SELECT,
} from './sql.js';

/** Whether `name` is one of Ferry's own tables, progress or sync (table names are case-sensitive here). */
export function isMysqlProgressTable(name: string): boolean {
  return name === PROGRESS_TABLE || isSyncTable(name);
}

/** Creates the progress table where it is missing. */
export async function createMysqlProgress(session: MysqlSession): Promise<void> {
  await session.use((connection) =>
    session.run(connection, `Creating Ferry's progress table ${PROGRESS_TABLE}`, PROGRESS_CREATE),
  );
}

/**
 * Records a chunk on the connection of its transaction, after its rows. A chunk recorded twice
 * fails (primary key), and so does the write: the caller rolls back.
 */
export async function recordMysqlChunk(
  connection: MysqlConnection,
  table: string,
  chunk: ChunkRecord,
  written: WriteResult,
): Promise<void> {
  try {
    await connection.query(PROGRESS_INSERT, [
      chunk.run,
      chunk.table,
      chunk.chunk,
      chunk.range,
      written.rows,
      Math.round(written.bytes),
    ]);
  } catch (error) {
    const message = error instanceof Error ? sanitizeServerMessage(error.message) : String(error);
    throw new DatabaseError(
      'MYSQL_CHUNK_RECORD_FAILED',
      `Recording chunk ${chunk.chunk} of table "${table}" (run ${chunk.run}) failed: ${message}. Nothing of this chunk was kept.`,
      { cause: error },
    );
  }
}

/** The chunks `run` recorded, by table and chunk number; none when the progress table does not exist. */
export async function mysqlRecordedChunks(session: MysqlSession, run: string): Promise<RecordedChunk[]> {
  return session.use(async (connection) => {
    const exists = await session.run(connection, 'Looking for the progress table', PROGRESS_EXISTS);
    if (exists.length === 0) return [];
    const rows = await session.run<MysqlProgressRow>(
      connection,
      `Reading the chunks recorded for run ${run}`,
      PROGRESS_SELECT,
      [run],
    );
    return rows.map((row) => ({
      run: row.run,
      table: row.table,
      chunk: Number(row.chunk),
      range: row.range,
      rows: Number(row.rows),
      bytes: Number(row.bytes),
    }));
  });
}
