/**
 * The streaming replication protocol's CopyData payloads: XLogData ('w') and primary keepalives
 * ('k') from the server, standby status updates ('r') to it.
 * https://www.postgresql.org/docs/15/protocol-replication.html
 */

/** What one CopyData payload from a walsender says. */
export type ReplicationMessage =
  /** `data`: one pgoutput message; `walEnd`: the server's WAL end when it was sent. */
  | { type: 'xlog'; start: bigint; walEnd: bigint; sentAt: bigint; data: Buffer }
  /** The server's WAL end (for logical replication: how far it has decoded) and whether it waits for a reply. */
  | { type: 'keepalive'; walEnd: bigint; sentAt: bigint; replyRequested: boolean };

/** Parses a walsender's CopyData payload; throws for a kind the protocol does not define. */
export function parseReplicationMessage(payload: Buffer): ReplicationMessage {
  const kind = payload[0];
  if (kind === 0x77 /* w */) {
    return {
      type: 'xlog',
      start: payload.readBigUInt64BE(1),
      walEnd: payload.readBigUInt64BE(9),
      sentAt: payload.readBigInt64BE(17),
      data: payload.subarray(25),
    };
  }
  if (kind === 0x6b /* k */) {
    return {
      type: 'keepalive',
      walEnd: payload.readBigUInt64BE(1),
      sentAt: payload.readBigInt64BE(9),
      replyRequested: payload[17] === 1,
    };
  }
  throw new Error(`unknown replication message kind 0x${(kind ?? 0).toString(16)}`);
}

/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01 00:00:00 UTC). */
const POSTGRES_EPOCH_MICROS = 946_684_800_000_000n;

/** Now, in the protocol's unit: microseconds since 2000-01-01 UTC. */
export function postgresClockNow(): bigint {
  return BigInt(Date.now()) * 1000n - POSTGRES_EPOCH_MICROS;
}

/** A protocol timestamp as ISO 8601 UTC with microseconds: `2026-12-02T17:00:00.123456Z`. */
export function postgresTimestampText(micros: bigint): string {
  const unix = micros + POSTGRES_EPOCH_MICROS;
  const millis = unix / 1000n - (unix % 1000n < 0n ? 1n : 0n);
  const sub = unix - millis * 1000n;
  const iso = new Date(Number(millis)).toISOString();
  return `${iso.slice(0, -1)}${sub.toString().padStart(3, '0')}Z`;
}

/**
 * A standby status update: everything up to `lsn` written, flushed and applied (the slot may
 * forget it); `replyRequested` asks the server for a keepalive at once.
 */
export function standbyStatusUpdate(lsn: bigint, replyRequested: boolean): Buffer {
  const message = Buffer.alloc(34);
  message[0] = 0x72; // r
  message.writeBigUInt64BE(lsn, 1);
  message.writeBigUInt64BE(lsn, 9);
  message.writeBigUInt64BE(lsn, 17);
  message.writeBigInt64BE(postgresClockNow(), 25);
  message[33] = replyRequested ? 1 : 0;
  return message;
}
