/**
 * Binlog positions as the change stream hands them out: `StreamPosition.fields` in the snapshot's
 * spelling (`file`, `position`, `gtid`) and a `key` that orders them by plain string comparison.
 */
import type { StreamPosition } from '../../cdc/change.js';
import { UsageError } from '../../errors.js';

/** The sequence number of a binlog file: the digits of its extension (`mariadb-bin.000012` → 12). */
export function binlogFileNumber(file: string): number {
  const match = /\.(\d+)$/.exec(file);
  if (!match) {
    throw new UsageError(
      'MYSQL_BINLOG_FILE_NAME',
      `"${file}" is not a binlog file name (base name, a dot and a number, as SHOW BINARY LOGS lists them).`,
    );
  }
  return Number(match[1]);
}

/**
 * The order-preserving key of a binlog position: the file's sequence number and the position,
 * zero-padded (`0000000012:00000000000000004567`).
 * @example binlogPositionKey('mariadb-bin.000012', 4567) // '0000000012:00000000000000004567'
 */
export function binlogPositionKey(file: string, position: number): string {
  return `${String(binlogFileNumber(file)).padStart(10, '0')}:${String(position).padStart(20, '0')}`;
}

/** A stream position at `file`:`position`, with the GTID position there when known. */
export function binlogStreamPosition(file: string, position: number, gtid?: string): StreamPosition {
  const fields: Record<string, string> = { file, position: String(position) };
  if (gtid) fields.gtid = gtid;
  return { key: binlogPositionKey(file, position), fields };
}

/**
 * The GTID position after `gtid` (`domain-server-sequence`): `gtids` with that domain's entry
 * replaced, in gtid_binlog_pos's spelling (comma-separated, one per domain, ordered by domain).
 */
export function advanceGtidPosition(position: string | undefined, gtid: string): string {
  const domains = new Map<string, string>();
  for (const item of (position ?? '').split(',')) {
    const trimmed = item.trim();
    if (trimmed !== '') domains.set(trimmed.split('-')[0]!, trimmed);
  }
  domains.set(gtid.split('-')[0]!, gtid);
  return [...domains.entries()]
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, value]) => value)
    .join(',');
}
