/**
 * The change event model (DESIGN.md `cdc/`): what every change stream produces and every applier
 * consumes, whatever the engines. Values are canonical (src/values/canonical.ts), exactly as the
 * same engine's reader gives them.
 */
import type { Column } from '../schema/table.js';
import type { CanonicalValue } from '../values/canonical.js';

/**
 * A point in a source's change log: `fields` in the engine's own spelling (PostgreSQL `lsn`;
 * MariaDB/MySQL `file`, `position`, `gtid`), the same shape as `SourceSnapshot.position`; `key`
 * orders the positions of one source by plain string comparison (fixed-width text), so the engine
 * can compare, store and index positions without knowing what they mean.
 */
export interface StreamPosition {
  key: string;
  fields: Record<string, string>;
}

/**
 * A table as the change stream describes it at this point of the log. The same object is reused
 * for every change until the table's definition changes (a new object then follows a `schema` item).
 */
export interface ChangeRelation {
  /** The table's name, as introspection names it. */
  name: string;
  /** The columns, in the order of every row the stream gives for this relation. */
  columns: Column[];
  /**
   * The columns that identify a row, in the order of every `key` given for this relation: the
   * primary key, else a unique key of NOT NULL columns, else every column (a whole-row identity,
   * PostgreSQL `REPLICA IDENTITY FULL`; an UPDATE or DELETE then touches one matching row).
   */
  key: string[];
}

/**
 * Marks a column whose new value the source did not send because it did not change (PostgreSQL
 * sends an UPDATE's unchanged TOASTed values this way): the applier leaves it as it is.
 */
export const UNCHANGED: unique symbol = Symbol('ferry.unchanged');

/** A new column value in an UPDATE: canonical, or `UNCHANGED`. */
export type ChangeValue = CanonicalValue | typeof UNCHANGED;

/** One row change inside a source transaction. */
export type RowChange =
  | { kind: 'insert'; relation: ChangeRelation; row: CanonicalValue[] }
  /** `key`: the row's identity before the change (it may differ from the new row's: a key change). */
  | { kind: 'update'; relation: ChangeRelation; key: CanonicalValue[]; row: ChangeValue[] }
  | { kind: 'delete'; relation: ChangeRelation; key: CanonicalValue[] }
  | { kind: 'truncate'; relations: ChangeRelation[] };

/**
 * A piece of one source transaction, in log order. A transaction's parts are contiguous in the
 * stream, but for a `schema` item that may come between two of them (MariaDB/MySQL: a table's
 * first row event in the transaction shows a definition the stream did not know); a small one is a
 * single part (`first` and `commit` both set). A large one is cut into parts of about
 * `ChangeStreamOptions.maxPartBytes`, so no transaction is ever held whole.
 */
export interface TransactionPart {
  /** The source's name for the transaction (PostgreSQL xid, MariaDB GTID), for messages. */
  id: string;
  /** The transaction's first part. */
  first: boolean;
  changes: RowChange[];
  /** An estimate of the changes' size in memory, the unit of backpressure. */
  bytes: number;
  /** On the last part: where the log stands once this transaction is applied, and when the source committed it (ISO 8601, UTC). */
  commit?: { position: StreamPosition; time: string };
}

/** What a change stream gives, in log order. */
export type StreamItem =
  | { type: 'transaction'; part: TransactionPart }
  /**
   * The log has reached `position` with nothing to apply before it since the last item (a
   * keepalive, another database's transaction, an idle source's heartbeat): lag and
   * acknowledgements may move there. `time`: the source's clock at that point, when known.
   */
  | { type: 'progress'; position: StreamPosition; time?: string }
  /**
   * A table's definition changed (or a table appeared: `before` absent) before the next change
   * that uses it. The engine decides whether it can follow (an added nullable column, a new
   * table) or must stop the stream with a message naming the change. It may come between two
   * parts of one transaction (the definition changed inside it): the parts before it use
   * `before`, those after it `after`. A table dropped or renamed away has an `after` with no
   * columns. `statement`: the DDL, when the log carries it.
   */
  | { type: 'schema'; before?: ChangeRelation; after: ChangeRelation; statement?: string };
