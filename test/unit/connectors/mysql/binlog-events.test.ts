import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { binlogDumpPacket } from '../../../../src/connectors/mysql/binlog-connection.js';
import { BinlogCursor } from '../../../../src/connectors/mysql/binlog-cursor.js';
import {
  BINLOG_EVENT,
  parseGtid,
  parseRotate,
  splitEvent,
} from '../../../../src/connectors/mysql/binlog-events.js';
import { BINLOG_TYPE, parseTableMap } from '../../../../src/connectors/mysql/binlog-table-map.js';
import { replicaServerId } from '../../../../src/connectors/mysql/replica-id.js';
import { DatabaseError } from '../../../../src/errors.js';

function event(type: number, body: Buffer, logPos = 1000): Buffer {
  const header = Buffer.alloc(19);
  header.writeUInt32LE(1_700_000_000, 0);
  header[4] = type;
  header.writeUInt32LE(1, 5);
  header.writeUInt32LE(19 + body.length + 4, 9);
  header.writeUInt32LE(logPos, 13);
  const bytes = Buffer.concat([header, body]);
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32LE(crc32(bytes) >>> 0, 0);
  return Buffer.concat([bytes, trailer]);
}

describe('splitEvent', () => {
  it('reads the header, strips a good CRC32 and refuses a bad one', () => {
    const body = Buffer.alloc(8 + 10);
    body.writeBigUInt64LE(4n, 0);
    body.write('bin.000002', 8);
    const raw = event(BINLOG_EVENT.ROTATE, body);
    const { header, body: cursor } = splitEvent(raw, true);
    expect(header).toMatchObject({ type: BINLOG_EVENT.ROTATE, logPos: 1000, timestamp: 1_700_000_000 });
    expect(parseRotate(cursor)).toEqual({ position: 4, file: 'bin.000002' });
    raw[20] = raw[20]! ^ 1;
    expect(() => splitEvent(raw, true)).toThrow(DatabaseError);
  });

  it('spells a MariaDB GTID as gtid_binlog_pos does', () => {
    const body = Buffer.alloc(13);
    body.writeBigUInt64LE(7085n, 0);
    body.writeUInt32LE(0, 8);
    body[12] = 1;
    expect(parseGtid(new BinlogCursor(body), 1)).toEqual({ gtid: '0-1-7085', domain: 0, standalone: true });
  });
});

describe('parseTableMap', () => {
  it('unpacks type metadata and the FULL optional metadata', () => {
    const lenencString = (text: string) => Buffer.concat([Buffer.from([text.length]), Buffer.from(text)]);
    const tlv = (type: number, value: Buffer) => Buffer.concat([Buffer.from([type, value.length]), value]);
    const body = Buffer.concat([
      Buffer.from([42, 0, 0, 0, 0, 0, 1, 0]), // table id, flags
      Buffer.from([2]),
      Buffer.from('db\0'),
      Buffer.from([1]),
      Buffer.from('t\0'),
      Buffer.from([4]), // columns
      Buffer.from([BINLOG_TYPE.LONGLONG, BINLOG_TYPE.VARCHAR, BINLOG_TYPE.STRING, BINLOG_TYPE.NEWDECIMAL]),
      Buffer.from([6, 0x2c, 0x01, 0xf7, 0x01, 65, 30]), // VARCHAR(300 bytes), ENUM (1 byte), DECIMAL(65,30)
      Buffer.from([0b1110]), // nullable: all but the first
      tlv(1, Buffer.from([0b10000000])), // signedness: the BIGINT is unsigned, the DECIMAL not
      tlv(2, Buffer.from([8])), // default collation of character columns: latin1_swedish_ci
      tlv(4, Buffer.concat(['id', 'v', 'e', 'd'].map(lenencString))),
      tlv(6, Buffer.concat([Buffer.from([2]), lenencString('a,b'), lenencString('')])),
      tlv(8, Buffer.from([0])),
    ]);
    const map = parseTableMap(new BinlogCursor(body));
    expect(map).toMatchObject({ tableId: 42, database: 'db', table: 't', primaryKey: [0] });
    expect(map.columns.map((column) => [column.name, column.type, column.nullable, column.unsigned])).toEqual(
      [
        ['id', BINLOG_TYPE.LONGLONG, false, true],
        ['v', BINLOG_TYPE.VARCHAR, true, undefined],
        ['e', BINLOG_TYPE.ENUM, true, undefined],
        ['d', BINLOG_TYPE.NEWDECIMAL, true, false],
      ],
    );
    expect(map.columns[1]).toMatchObject({ maxLength: 300, collation: 8 });
    expect(map.columns[2]?.packLength).toBe(1);
    expect(map.columns[2]?.labels?.map(String)).toEqual(['a,b', '']);
    expect(map.columns[3]).toMatchObject({ precision: 65, scale: 30 });
  });
});

describe('the dump request', () => {
  it('derives a stable replica id per stream name, never a small one', () => {
    expect(replicaServerId('orders')).toBe(replicaServerId('orders'));
    expect(replicaServerId('orders')).not.toBe(replicaServerId('orders2'));
    expect(replicaServerId('orders')).toBeGreaterThanOrEqual(2 ** 31);
    expect(replicaServerId('orders')).toBeLessThan(2 ** 32);
  });

  it('builds COM_BINLOG_DUMP with position, server id and file', () => {
    const packet = binlogDumpPacket({
      file: 'b.000003',
      position: 4567,
      serverId: 3_000_000_000,
      heartbeatSeconds: 1,
    });
    expect(packet[4]).toBe(0x12);
    expect(packet.readUInt32LE(5)).toBe(4567);
    expect(packet.readUInt32LE(11)).toBe(3_000_000_000);
    expect(packet.subarray(15).toString()).toBe('b.000003');
  });
});
