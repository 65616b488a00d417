import { describe, expect, it } from 'vitest';
import {
  parseReplicationMessage,
  postgresTimestampText,
  standbyStatusUpdate,
} from '../../../../src/connectors/postgres/replication-messages.js';

describe('postgres replication messages', () => {
  it('parses XLogData and keepalives', () => {
    const xlog = Buffer.alloc(25 + 3);
    xlog[0] = 0x77;
    xlog.writeBigUInt64BE(0x10n, 1);
    xlog.writeBigUInt64BE(0x20n, 9);
    xlog.writeBigInt64BE(5n, 17);
    xlog.write('abc', 25);
    const parsed = parseReplicationMessage(xlog);
    expect(parsed).toMatchObject({ type: 'xlog', start: 0x10n, walEnd: 0x20n, sentAt: 5n });
    expect(parsed.type === 'xlog' && parsed.data.toString()).toBe('abc');

    const keepalive = Buffer.alloc(18);
    keepalive[0] = 0x6b;
    keepalive.writeBigUInt64BE(0xa0001f2c8n, 1);
    keepalive.writeBigInt64BE(7n, 9);
    keepalive[17] = 1;
    expect(parseReplicationMessage(keepalive)).toEqual({
      type: 'keepalive',
      walEnd: 0xa0001f2c8n,
      sentAt: 7n,
      replyRequested: true,
    });
    expect(() => parseReplicationMessage(Buffer.from('z'))).toThrow(/unknown/);
  });

  it('prints protocol timestamps as UTC with microseconds', () => {
    expect(postgresTimestampText(0n)).toBe('2000-01-01T00:00:00.000000Z');
    expect(postgresTimestampText(1n)).toBe('2000-01-01T00:00:00.000001Z');
    expect(postgresTimestampText(849_528_000_123_456n)).toBe('2026-12-02T12:00:00.123456Z');
    expect(postgresTimestampText(-1n)).toBe('1999-12-31T23:59:59.999999Z');
  });

  it('builds a standby status update confirming one position', () => {
    const message = standbyStatusUpdate(0x1234n, true);
    expect(message.length).toBe(34);
    expect(message[0]).toBe(0x72);
    expect(message.readBigUInt64BE(1)).toBe(0x1234n);
    expect(message.readBigUInt64BE(9)).toBe(0x1234n);
    expect(message.readBigUInt64BE(17)).toBe(0x1234n);
    expect(message[33]).toBe(1);
    expect(standbyStatusUpdate(1n, false)[33]).toBe(0);
  });
});
