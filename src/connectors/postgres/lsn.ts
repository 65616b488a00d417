/**
 * PostgreSQL WAL positions (LSNs): the server's `X/Y` text, the 64-bit number the replication
 * protocol carries, and the fixed-width `StreamPosition.key` whose string order is LSN order.
 */
import type { StreamPosition } from '../../cdc/change.js';
import { UsageError } from '../../errors.js';

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** `16/B374D848` → 0x16B374D848n. Throws UsageError for anything else. */
export function parseLsn(text: string): bigint {
  const match = LSN_TEXT.exec(text);
  if (!match) {
    throw new UsageError(
      'PG_BAD_LSN',
      `"${text}" is not a PostgreSQL WAL position (two hexadecimal halves, as in 16/B374D848).`,
    );
  }
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** 0x16B374D848n → `16/B374D848`, as pg_current_wal_lsn() prints it. */
export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Both halves as 8 upper-case hex digits (`0000000A/0001F2C8`), so string order is LSN order. */
export function lsnKey(lsn: bigint): string {
  const hex = (half: bigint) => half.toString(16).toUpperCase().padStart(8, '0');
  return `${hex(lsn >> 32n)}/${hex(lsn & 0xffffffffn)}`;
}

/** The stream position of a WAL position: `fields.lsn` in the server's spelling, `key` fixed-width. */
export function postgresStreamPosition(lsn: bigint): StreamPosition {
  return { key: lsnKey(lsn), fields: { lsn: formatLsn(lsn) } };
}
