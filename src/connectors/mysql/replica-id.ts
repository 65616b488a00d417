/**
 * The replica server_id a change stream dumps the binlog with: derived from the stream's name so a
 * reopened stream replaces its own dead dump thread (the primary ends an older dump of the same
 * id) and never another stream's, and kept in the upper half of the id space, away from the small
 * ids people give real servers.
 */
import { crc32 } from 'node:zlib';

/**
 * A stable server_id in 2^31 … 2^32−1 for a stream name.
 * @example replicaServerId('orders-sync') // the same number on every run
 */
export function replicaServerId(name: string): number {
  return (0x80000000 | (crc32(`ferry:${name}`) & 0x7fffffff)) >>> 0;
}
