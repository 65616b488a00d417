/**
 * The source side of change data capture: a stream of a source's committed transactions from a
 * recorded position, with the acknowledgements that let the source forget what is applied.
 */
import type { Table } from '../schema/table.js';
import type { StreamItem, StreamPosition } from './change.js';

/** What `Connector.openChangeStream` needs. */
export interface ChangeStreamOptions {
  /**
   * The stream's name, unique per plan: PostgreSQL's replication slot and publication
   * (`ferry_<name>`); MariaDB/MySQL's replica `server_id` is derived from it.
   */
  name: string;
  /** The source tables whose changes are wanted; other tables' changes are skipped. */
  tables: Table[];
  /**
   * Where to start: a `SourceSnapshot.position` or a `StreamPosition.fields` stored earlier. The
   * stream gives exactly the transactions that commit after it: none before, none twice.
   */
  from: Record<string, string>;
  /** A part of a large transaction closes at about this many bytes (default 8 MiB). */
  maxPartBytes?: number;
  /** How often an idle stream reports `progress` and keeps the source from pinning its log (default 10 s). */
  heartbeatSeconds?: number;
}

/** How far behind the source's newest change a stream is, as the source sees it. */
export interface StreamBacklog {
  /** The newest position of the source's log now. */
  head: StreamPosition;
  /** Bytes of log the source keeps for this stream (PostgreSQL WAL held by the slot; MariaDB binlog files from the stream's position on). */
  retainedBytes: number;
}

/**
 * An open change stream. Iterating gives the source's committed transactions in commit order,
 * holding at most one part at a time. A lost connection ends the iteration with the driver's error
 * (the connector's `isTransient` says it may pass): the engine abandons the transaction it was
 * applying and opens a new stream from what the target holds, so a stream never reconnects itself.
 */
export interface ChangeStream extends AsyncIterable<StreamItem> {
  /**
   * Everything up to `position` is committed on the target: the source may forget it (PostgreSQL
   * confirms the slot's flush position; MariaDB/MySQL has nothing to do). Never called with a
   * position whose transaction is not yet committed on the target.
   */
  acknowledge(position: StreamPosition): void;
  /** Starts giving the changes of these tables too, from now on (PostgreSQL adds them to the publication). */
  addTables(tables: Table[]): Promise<void>;
  /** The source's newest position and the log it retains for this stream, read on a connection of its own. */
  backlog(): Promise<StreamBacklog>;
  /** Stops reading and releases the connection(s). Safe to call twice. */
  close(): Promise<void>;
}
