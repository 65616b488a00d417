/**
 * The binlog events a change stream reads, parsed from the bytes of one event: the 19-byte header,
 * the CRC32 trailer, and the bodies of the control events (format description, rotate, query, XID,
 * MariaDB GTID and GTID list, heartbeat). Table maps and row events have files of their own.
 * https://mariadb.com/kb/en/replication-protocol/
 */
import { crc32 } from 'node:zlib';
import { DatabaseError } from '../../errors.js';
import { BinlogCursor } from './binlog-cursor.js';

/** Event type codes (MariaDB's and MySQL's log_event.h). */
export const BINLOG_EVENT = {
  QUERY: 2,
  STOP: 3,
  ROTATE: 4,
  FORMAT_DESCRIPTION: 15,
  XID: 16,
  TABLE_MAP: 19,
  WRITE_ROWS_V1: 23,
  UPDATE_ROWS_V1: 24,
  DELETE_ROWS_V1: 25,
  HEARTBEAT: 27,
  WRITE_ROWS_V2: 30,
  UPDATE_ROWS_V2: 31,
  DELETE_ROWS_V2: 32,
  MYSQL_GTID: 33,
  MYSQL_ANONYMOUS_GTID: 34,
  MYSQL_TRANSACTION_PAYLOAD: 40,
  ANNOTATE_ROWS: 160,
  BINLOG_CHECKPOINT: 161,
  GTID: 162,
  GTID_LIST: 163,
  START_ENCRYPTION: 164,
  QUERY_COMPRESSED: 165,
  DELETE_ROWS_COMPRESSED: 171,
} as const;

/** The common header of every event. */
export interface BinlogHeader {
  /** Seconds since the epoch when the statement started (0 on artificial events). */
  timestamp: number;
  type: number;
  serverId: number;
  size: number;
  /** Where the next event starts in the file: the event's end position (0 on artificial events). */
  logPos: number;
  flags: number;
}

/** Header length of every event since binlog version 4. */
export const HEADER_LENGTH = 19;

/** LOG_EVENT_ARTIFICIAL_F: an event the server made up for this dump (the first ROTATE). */
export const ARTIFICIAL_FLAG = 0x20;

/** One event: its header and a cursor over its body, the CRC32 trailer excluded. */
export interface RawEvent {
  header: BinlogHeader;
  body: BinlogCursor;
}

/** Reads the header, checks and strips the CRC32 trailer when the log carries one. */
export function splitEvent(event: Buffer, checksummed: boolean): RawEvent {
  if (event.length < HEADER_LENGTH) throw new RangeError(`binlog event of ${event.length} bytes`);
  const header: BinlogHeader = {
    timestamp: event.readUInt32LE(0),
    type: event[4]!,
    serverId: event.readUInt32LE(5),
    size: event.readUInt32LE(9),
    logPos: event.readUInt32LE(13),
    flags: event.readUInt16LE(17),
  };
  let end = event.length;
  if (checksummed && header.type !== BINLOG_EVENT.FORMAT_DESCRIPTION) {
    end -= 4;
    const expected = event.readUInt32LE(end);
    if (crc32(event.subarray(0, end)) >>> 0 !== expected) {
      throw new DatabaseError(
        'MYSQL_BINLOG_CHECKSUM',
        `A binlog event (type ${header.type}, ending at position ${header.logPos}) failed its CRC32 check: the binlog file or the network corrupted it. Check the server's binlog with mysqlbinlog --verify-binlog-checksum.`,
      );
    }
  }
  return { header, body: new BinlogCursor(event, HEADER_LENGTH, end) };
}

/** BINLOG_CHECKSUM_ALG_CRC32 in a format description. */
const CHECKSUM_CRC32 = 1;

/** Whether the events after this format description carry a CRC32 trailer. */
export function formatDescriptionChecksummed(event: Buffer): boolean {
  // The algorithm byte and the FDE's own CRC close the event (servers since MySQL 5.6.1, MariaDB 5.3).
  return event.length >= HEADER_LENGTH + 57 + 5 && event[event.length - 5] === CHECKSUM_CRC32;
}

/** ROTATE: the file the next events are in, and where in it. */
export interface RotateEvent {
  position: number;
  file: string;
}

export function parseRotate(body: BinlogCursor): RotateEvent {
  const position = Number(body.uint64());
  return { position, file: body.rest().toString('utf8') };
}

/** QUERY: a statement (BEGIN, COMMIT, DDL, TRUNCATE) and the default database it ran in. */
export interface QueryEvent {
  database: string;
  statement: string;
}

export function parseQuery(body: BinlogCursor): QueryEvent {
  body.skip(4 + 4); // thread id, execution time
  const databaseLength = body.uint8();
  body.skip(2); // error code
  const statusLength = body.uint16();
  body.skip(statusLength);
  const database = body.bytes(databaseLength).toString('utf8');
  body.skip(1);
  return { database, statement: body.rest().toString('utf8') };
}

/** MariaDB GTID: the start of an event group (a transaction, or a standalone DDL statement). */
export interface GtidEvent {
  /** `domain-server-sequence`, as gtid_binlog_pos spells it. */
  gtid: string;
  domain: number;
  /** No BEGIN/COMMIT follows: the group is one statement (DDL, or a non-transactional one). */
  standalone: boolean;
}

/** FL_STANDALONE of a MariaDB GTID event. */
const GTID_STANDALONE = 1;

export function parseGtid(body: BinlogCursor, serverId: number): GtidEvent {
  const sequence = body.uint64();
  const domain = body.uint32();
  const flags = body.uint8();
  return {
    gtid: `${domain}-${serverId}-${sequence}`,
    domain,
    standalone: (flags & GTID_STANDALONE) !== 0,
  };
}

/** MySQL GTID: `uuid:gno`, the start of a transaction. */
export function parseMysqlGtid(body: BinlogCursor): string {
  body.skip(1); // flags
  const sid = body.bytes(16).toString('hex');
  const gno = body.uint64();
  const uuid = `${sid.slice(0, 8)}-${sid.slice(8, 12)}-${sid.slice(12, 16)}-${sid.slice(16, 20)}-${sid.slice(20)}`;
  return `${uuid}:${gno}`;
}

/** GTID_LIST: the GTID position at the start of a binlog file, one GTID per domain. */
export function parseGtidList(body: BinlogCursor): string[] {
  const count = body.uint32() & 0x0fffffff;
  const gtids: string[] = [];
  for (let index = 0; index < count; index++) {
    const domain = body.uint32();
    const server = body.uint32();
    const sequence = body.uint64();
    gtids.push(`${domain}-${server}-${sequence}`);
  }
  return gtids;
}

/** Whether a type is one of MariaDB's compressed events (log_bin_compress). */
export function isCompressedEvent(type: number): boolean {
  return type >= BINLOG_EVENT.QUERY_COMPRESSED && type <= BINLOG_EVENT.DELETE_ROWS_COMPRESSED;
}

/** The row event kinds, v1 (MariaDB) and v2 (MySQL). */
export function rowsEventKind(type: number): 'insert' | 'update' | 'delete' | undefined {
  switch (type) {
    case BINLOG_EVENT.WRITE_ROWS_V1:
    case BINLOG_EVENT.WRITE_ROWS_V2:
      return 'insert';
    case BINLOG_EVENT.UPDATE_ROWS_V1:
    case BINLOG_EVENT.UPDATE_ROWS_V2:
      return 'update';
    case BINLOG_EVENT.DELETE_ROWS_V1:
    case BINLOG_EVENT.DELETE_ROWS_V2:
      return 'delete';
    default:
      return undefined;
  }
}
