/**
 * Ferry's progress table in a SQLite target (connector.ts PROGRESS_TABLE): created before the first
 * chunk, written in each chunk's own transaction, read to resume.
 */
import { isSyncTable } from '../../cdc/applier.js';
import type { ChunkRecord, RecordedChunk, WriteResult } from '../connector.js';
import { PROGRESS_TABLE } from '../connector.js';
import type { SqliteDatabase } from './session.js';
import {
  SQLITE_PROGRESS_CREATE,
  SQLITE_PROGRESS_INSERT,
  SQLITE_PROGRESS_SELECT,
  SQLITE_TABLE_EXISTS,
} from './sql.js';

/** Whether `name` is one of Ferry's own tables, progress or sync, as SQLite compares table names (ASCII case folded). */
export function isSqliteProgressTable(name: string): boolean {
  return name.toLowerCase() === PROGRESS_TABLE || isSyncTable(name, true);
}

/** Creates the progress table where it is missing. */
export function createSqliteProgress(db: SqliteDatabase): void {
  db.exec(SQLITE_PROGRESS_CREATE);
}

/** Records a chunk; inside the chunk's transaction, after its rows. A chunk recorded twice fails (primary key). */
export function recordSqliteChunk(db: SqliteDatabase, chunk: ChunkRecord, written: WriteResult): void {
  db.prepare(SQLITE_PROGRESS_INSERT).run(
    chunk.run,
    chunk.table,
    BigInt(chunk.chunk),
    chunk.range,
    BigInt(written.rows),
    BigInt(Math.round(written.bytes)),
  );
}

/** The chunks `run` recorded, by table and chunk number; none when the progress table does not exist. */
export function sqliteRecordedChunks(db: SqliteDatabase, run: string): RecordedChunk[] {
  if (db.prepare(SQLITE_TABLE_EXISTS).get(PROGRESS_TABLE) === undefined) return [];
  return db.prepare(SQLITE_PROGRESS_SELECT).safeIntegers(false).all(run) as RecordedChunk[];
}
