/**
 * Ferry's progress table in a PostgreSQL target (connector.ts PROGRESS_TABLE), in the connector's
 * schema: created before the first chunk, written in each chunk's own transaction, read to resume.
 */
import type pg from 'pg';
import { DatabaseError, messageOf } from '../../errors.js';
import { type ChunkRecord, PROGRESS_TABLE, type RecordedChunk, type WriteResult } from '../connector.js';
import { qualify } from './identifiers.js';
import {
  PROGRESS_CREATE,
  PROGRESS_INSERT,
  PROGRESS_SELECT,
  type ProgressRow,
  RELATION_EXISTS,
} from './sql.js';

/** SQLSTATEs of a CREATE TABLE IF NOT EXISTS that lost a race with another session's. */
const CREATED_CONCURRENTLY = new Set(['42P07', '23505']);

/** Creates the progress table where it is missing. */
export async function createPostgresProgress(client: pg.ClientBase, schema: string): Promise<void> {
  try {
    await client.query(PROGRESS_CREATE.replace('%s', qualify(schema, PROGRESS_TABLE)));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && CREATED_CONCURRENTLY.has(code)) return;
    throw error;
  }
}

/**
 * Records a chunk inside the transaction that wrote its rows, after them. Throws DatabaseError
 * PG_CHUNK_RECORD when it cannot (a chunk recorded twice, no progress table): the caller rolls back.
 */
export async function recordPostgresChunk(
  client: pg.ClientBase,
  schema: string,
  chunk: ChunkRecord,
  written: WriteResult,
): Promise<void> {
  try {
    await client.query(PROGRESS_INSERT.replace('%s', qualify(schema, PROGRESS_TABLE)), [
      chunk.run,
      chunk.table,
      chunk.chunk,
      chunk.range,
      written.rows,
      Math.round(written.bytes),
    ]);
  } catch (error) {
    const duplicate = (error as { code?: unknown }).code === '23505' ? ' (it is recorded already)' : '';
    throw new DatabaseError(
      'PG_CHUNK_RECORD',
      `Recording chunk ${chunk.chunk} of table "${chunk.table}" of run ${chunk.run} in ${PROGRESS_TABLE} failed${duplicate}: ${messageOf(error)}. Nothing of the chunk was written.`,
      { cause: error },
    );
  }
}

/** The chunks `run` recorded, by table and chunk number; none when the progress table does not exist. */
export async function postgresRecordedChunks(
  client: pg.ClientBase,
  schema: string,
  run: string,
): Promise<RecordedChunk[]> {
  const table = qualify(schema, PROGRESS_TABLE);
  const exists = (await client.query<{ exists: boolean }>(RELATION_EXISTS, [table])).rows[0]?.exists;
  if (!exists) return [];
  const { rows } = await client.query<ProgressRow>(PROGRESS_SELECT.replace('%s', table), [run]);
  return rows.map((row) => ({
    run: row.run,
    table: row.table,
    chunk: row.chunk,
    range: row.range,
    rows: Number(row.rows),
    bytes: Number(row.bytes),
  }));
}
