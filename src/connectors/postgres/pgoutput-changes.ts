/**
 * pgoutput messages → the change stream's items: relations matched to the introspected tables,
 * values decoded exactly as the reader decodes them, transactions cut into byte-bounded parts,
 * definition changes announced before the changes that use them.
 */
import {
  type ChangeRelation,
  type ChangeValue,
  type RowChange,
  type StreamItem,
  UNCHANGED,
} from '../../cdc/change.js';
import { DatabaseError } from '../../errors.js';
import { type Column, copiedColumns, type Table } from '../../schema/table.js';
import type { CanonicalValue } from '../../values/canonical.js';
import { postgresDecoder } from './codecs.js';
import { postgresStreamPosition } from './lsn.js';
import type { PgoutputMessage, RelationColumn, TupleValue } from './pgoutput-decoder.js';
import { postgresTimestampText } from './replication-messages.js';

/** What the assembler needs to know and to ask. */
export interface PgoutputChangesOptions {
  /** The schema whose tables are streamed (other schemas' relations are ignored). */
  schema: string;
  /** The tables whose changes are wanted, as introspected. */
  tables: Table[];
  /** Transactions that commit at or before this WAL position are skipped. */
  from: bigint;
  /** A transaction part closes once its changes reach about this many bytes. */
  maxPartBytes: number;
  /** Introspects a table again, after its definition changed; undefined when it is gone. */
  introspect(name: string): Promise<Table | undefined>;
  /**
   * The native type text (as `Column.nativeType`) of these Relation columns, to see at a table's
   * first sight whether a type changed since it was introspected; absent = names are compared only.
   */
  typeNames?(columns: RelationColumn[]): Promise<Array<string | null>>;
}

/** A relation of the stream as Ferry follows it. */
interface RelationState {
  /** Columns, key and replica identity as the last Relation message gave them. */
  signature: string;
  relation: ChangeRelation;
  decoders: Array<(text: string) => CanonicalValue>;
  /** Where each `relation.key` column sits in a tuple. */
  keyIndexes: number[];
}

type RelationMessage = Extract<PgoutputMessage, { tag: 'relation' }>;

/** The transaction being read. */
interface OpenTransaction {
  id: string;
  /** Already applied on the target (it commits before `from`): read past, given to no one. */
  skip: boolean;
  /** A part of it has been given already. */
  emitted: boolean;
  changes: RowChange[];
  bytes: number;
}

/** Rough in-memory cost of one change besides its values. */
const CHANGE_OVERHEAD = 32;

/** Turns one stream's pgoutput messages, in order, into StreamItems. */
export class PgoutputChanges {
  private readonly wanted = new Map<string, Table>();
  /** By relation OID: followed, or (its Relation message kept) not wanted when it came. */
  private readonly relations = new Map<number, RelationState | RelationMessage>();
  private transaction: OpenTransaction | undefined;
  /** The newest position given (a commit's end or a progress position). */
  private position: bigint;

  constructor(private readonly options: PgoutputChangesOptions) {
    this.accept(options.tables);
    this.position = options.from;
  }

  /** Wants these tables' changes too, from their next Relation message on. */
  accept(tables: Table[]): void {
    // A relation ignored before is not described again before its next change (pgoutput sends a
    // Relation once per session): its kept message is taken up at that change.
    for (const table of tables) this.wanted.set(table.name, table);
  }

  /** Whether a transaction's Begin has come without its Commit. */
  get inTransaction(): boolean {
    return this.transaction !== undefined;
  }

  /** The items one message gives, in order (none for most). */
  async push(message: PgoutputMessage): Promise<StreamItem[]> {
    switch (message.tag) {
      case 'begin':
        this.transaction = {
          id: String(message.xid),
          // The commit record starts before `from`: `from`, a record boundary, is at or past its end.
          skip: message.finalLsn < this.options.from,
          emitted: false,
          changes: [],
          bytes: 0,
        };
        return [];
      case 'commit':
        return this.commit(message.endLsn, message.time);
      case 'relation':
        return this.relation(message);
      case 'insert':
        return await this.change(
          message.relation,
          (state) => ({
            kind: 'insert',
            relation: state.relation,
            row: this.row(state, message.row, false) as CanonicalValue[],
          }),
          message.row,
        );
      case 'update':
        return await this.change(
          message.relation,
          (state) => ({
            kind: 'update',
            relation: state.relation,
            key: this.key(state, message.old?.values ?? message.row),
            row: this.row(state, message.row, true),
          }),
          message.row,
        );
      case 'delete':
        return await this.change(
          message.relation,
          (state) => ({
            kind: 'delete',
            relation: state.relation,
            key: this.key(state, message.old.values),
          }),
          message.old.values,
        );
      case 'truncate': {
        if (!this.transaction || this.transaction.skip) return [];
        const items: StreamItem[] = [];
        const relations: ChangeRelation[] = [];
        for (const oid of message.relations) {
          const state = await this.followed(oid, items);
          if (state) relations.push(state.relation);
        }
        if (relations.length === 0) return items;
        items.push(...this.add({ kind: 'truncate', relations }, CHANGE_OVERHEAD * relations.length));
        return items;
      }
      default:
        // Type: values are decoded by the introspected column types. Origin, Message: nothing to apply.
        return [];
    }
  }

  /** A keepalive at `walEnd`: progress, unless a transaction is open (its commit will move on). */
  keepalive(walEnd: bigint, sentAt: bigint): StreamItem[] {
    if (this.transaction || walEnd < this.position) return [];
    this.position = walEnd;
    return [
      { type: 'progress', position: postgresStreamPosition(walEnd), time: postgresTimestampText(sentAt) },
    ];
  }

  private commit(endLsn: bigint, time: bigint): StreamItem[] {
    const transaction = this.transaction;
    this.transaction = undefined;
    if (!transaction || transaction.skip || endLsn <= this.options.from) return [];
    this.position = endLsn;
    const position = postgresStreamPosition(endLsn);
    const when = postgresTimestampText(time);
    if (!transaction.emitted && transaction.changes.length === 0) {
      // Only changes of tables not (or no longer) wanted: nothing to apply, but the log moved.
      return [{ type: 'progress', position, time: when }];
    }
    return [
      {
        type: 'transaction',
        part: {
          id: transaction.id,
          first: !transaction.emitted,
          changes: transaction.changes,
          bytes: transaction.bytes,
          commit: { position, time: when },
        },
      },
    ];
  }

  private async change(
    oid: number,
    build: (state: RelationState) => RowChange,
    values: TupleValue[],
  ): Promise<StreamItem[]> {
    if (!this.transaction || this.transaction.skip) return [];
    const items: StreamItem[] = [];
    const state = await this.followed(oid, items);
    if (!state) return items;
    let bytes = CHANGE_OVERHEAD;
    for (const value of values) bytes += typeof value === 'string' ? value.length + 8 : 1;
    items.push(...this.add(build(state), bytes));
    return items;
  }

  /**
   * The followed relation of `oid`, taking up a kept Relation message of a table wanted since
   * (its schema item, if any, goes into `items`); undefined for a relation not wanted.
   */
  private async followed(oid: number, items: StreamItem[]): Promise<RelationState | undefined> {
    const entry = this.relations.get(oid);
    if (!entry || 'signature' in entry) return entry;
    if (!this.isWanted(entry)) return undefined;
    items.push(...(await this.relation(entry)));
    const state = this.relations.get(oid);
    return state && 'signature' in state ? state : undefined;
  }

  private isWanted(message: RelationMessage): boolean {
    return message.namespace === this.options.schema && this.wanted.has(message.name);
  }

  private add(change: RowChange, bytes: number): StreamItem[] {
    const transaction = this.transaction!;
    transaction.changes.push(change);
    transaction.bytes += bytes;
    return transaction.bytes >= this.options.maxPartBytes ? this.cut() : [];
  }

  /** Gives the open transaction's changes so far as a part that is not its last. */
  private cut(): StreamItem[] {
    const transaction = this.transaction;
    if (!transaction || transaction.changes.length === 0) return [];
    const part = {
      id: transaction.id,
      first: !transaction.emitted,
      changes: transaction.changes,
      bytes: transaction.bytes,
    };
    transaction.emitted = true;
    transaction.changes = [];
    transaction.bytes = 0;
    return [{ type: 'transaction', part }];
  }

  private async relation(message: RelationMessage): Promise<StreamItem[]> {
    const table = this.isWanted(message) ? this.wanted.get(message.name) : undefined;
    const known = this.relations.get(message.oid);
    const previous = known && 'signature' in known ? known : undefined;
    if (!table) {
      this.relations.set(message.oid, message);
      return [];
    }
    const signature = JSON.stringify([message.replicaIdentity, message.columns]);
    if (previous?.signature === signature) return [];
    const sameAsIntrospected = !previous && (await this.sameAs(table, message.columns));
    const current = sameAsIntrospected ? table : await this.introspectAgain(table.name);
    this.wanted.set(table.name, current);
    const state = relationState(current, message.columns, message.replicaIdentity, signature);
    this.relations.set(message.oid, state);
    if (sameAsIntrospected) return [];
    // The changes read so far used the old definition: they go first, as a part of their own.
    const items = this.cut();
    const before = previous?.relation ?? relationState(table, columnsOf(table), 'd', '').relation;
    items.push({ type: 'schema', before, after: state.relation });
    return items;
  }

  /** Whether the Relation's columns are the introspected table's: names in order, and native types. */
  private async sameAs(table: Table, columns: RelationColumn[]): Promise<boolean> {
    const copied = copiedColumns(table);
    if (copied.length !== columns.length || copied.some((column, i) => column.name !== columns[i]!.name)) {
      return false;
    }
    if (!this.options.typeNames) return true;
    const types = await this.options.typeNames(columns);
    return copied.every((column, i) => types[i] === column.nativeType);
  }

  private async introspectAgain(name: string): Promise<Table> {
    const table = await this.options.introspect(name);
    if (!table) {
      throw new DatabaseError(
        'PG_CDC_TABLE_GONE',
        `Table "${name}" changed its definition in the change stream but no longer exists in schema "${this.options.schema}", so its new columns cannot be described. Copy it again.`,
      );
    }
    return table;
  }

  private row(state: RelationState, values: TupleValue[], allowUnchanged: boolean): ChangeValue[] {
    const row: ChangeValue[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value === null || value === undefined) row[i] = null;
      else if (typeof value === 'string') row[i] = state.decoders[i]!(value);
      else if (allowUnchanged) row[i] = UNCHANGED;
      else throw this.unsent(state, i);
    }
    return row;
  }

  private key(state: RelationState, values: TupleValue[]): CanonicalValue[] {
    return state.keyIndexes.map((index) => {
      const value = values[index];
      if (value === null || value === undefined) return null;
      if (typeof value === 'string') return state.decoders[index]!(value);
      throw this.unsent(state, index);
    });
  }

  private unsent(state: RelationState, index: number): DatabaseError {
    const column = state.relation.columns[index]?.name ?? `#${index + 1}`;
    return new DatabaseError(
      'PG_CDC_VALUE_UNSENT',
      `The change stream did not send column "${column}" of table "${state.relation.name}" (an unchanged TOASTed value) where the row or its key needs it. Give the table REPLICA IDENTITY FULL (ALTER TABLE "${state.relation.name}" REPLICA IDENTITY FULL) and copy it again.`,
    );
  }
}

/** The Relation columns of a table as introspection saw it (for the `before` of a first sight). */
function columnsOf(table: Table): RelationColumn[] {
  return copiedColumns(table).map((column) => ({
    name: column.name,
    key: table.primaryKey.includes(column.name),
    typeOid: 0,
    typmod: -1,
  }));
}

function relationState(
  table: Table,
  columns: RelationColumn[],
  replicaIdentity: string,
  signature: string,
): RelationState {
  const described: Column[] = columns.map((column) => {
    const found = table.columns.find((candidate) => candidate.name === column.name);
    if (!found) {
      throw new DatabaseError(
        'PG_CDC_COLUMN_UNKNOWN',
        `The change stream sends column "${column.name}" of table "${table.name}", which the table no longer has (it was dropped since). Copy the table again.`,
      );
    }
    return found;
  });
  const names = columns.map((column) => column.name);
  const flagged = columns.filter((column) => column.key).map((column) => column.name);
  const primaryKey = table.primaryKey.length > 0 && table.primaryKey.every((name) => names.includes(name));
  // FULL identity sends the whole old row: the primary key, where there is one, is the better key.
  let key: string[];
  if (replicaIdentity === 'f' && primaryKey) key = table.primaryKey;
  else if (flagged.length > 0) key = flagged;
  else if (primaryKey) key = table.primaryKey;
  else key = names;
  return {
    signature,
    relation: { name: table.name, columns: described, key },
    decoders: described.map((column) => postgresDecoder(column.type)),
    keyIndexes: key.map((name) => names.indexOf(name)),
  };
}
