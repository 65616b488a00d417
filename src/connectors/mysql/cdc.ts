/**
 * The MariaDB/MySQL change stream (Connector.openChangeStream): a replica's binlog dump from a
 * recorded file and position, grouped into transactions (GTID or BEGIN to XID or COMMIT), the
 * followed tables' row events decoded into canonical values exactly as the reader gives them, cut
 * into parts of about `maxPartBytes`; TRUNCATE and DDL of a followed table become truncate changes
 * and schema items, a table a DDL statement creates a schema item without `before`; everything else, and the server's heartbeats, become progress items.
 */
import type { RowChange, StreamItem, StreamPosition, TransactionPart } from '../../cdc/change.js';
import { UNCHANGED } from '../../cdc/change.js';
import type { ChangeStream, ChangeStreamOptions, StreamBacklog } from '../../cdc/change-stream.js';
import { DatabaseError, UsageError } from '../../errors.js';
import type { Table } from '../../schema/table.js';
import { estimateBytes } from '../../values/canonical.js';
import type { ConnectionUrl } from '../url.js';
import { decodingIn, rowChange } from './binlog-changes.js';
import { BinlogConnection } from './binlog-connection.js';
import {
  BINLOG_EVENT,
  type BinlogHeader,
  formatDescriptionChecksummed,
  isCompressedEvent,
  parseGtid,
  parseMysqlGtid,
  parseQuery,
  parseRotate,
  rowsEventKind,
  splitEvent,
} from './binlog-events.js';
import { advanceGtidPosition, binlogFileNumber, binlogStreamPosition } from './binlog-position.js';
import { FollowedTable, relationOf } from './binlog-relations.js';
import { parseRows, rowsEventTable } from './binlog-rows.js';
import { type StatementTable, statementMeaning } from './binlog-statements.js';
import { parseTableMap, type TableMap } from './binlog-table-map.js';
import type { CharsetOf } from './binlog-values.js';
import { replicaServerId } from './replica-id.js';
import type { MysqlSession } from './session.js';
import {
  type MysqlBinaryLogRow,
  type MysqlBinlogStatusRow,
  SELECT_BINLOG_CHECKSUM,
  SELECT_COLLATION_CHARSETS,
  SELECT_GTID_BINLOG_POS,
  SHOW_BINARY_LOG_STATUS,
  SHOW_BINARY_LOGS,
  SHOW_MASTER_STATUS,
} from './sql.js';

const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
const DEFAULT_HEARTBEAT_SECONDS = 10;
/** What a change costs beside its values, in the part's byte estimate. */
const CHANGE_OVERHEAD = 16;

/** Describes tables again (the connector's own introspection), by name. */
export type Describe = (names: string[]) => Promise<Table[]>;

/** The transaction being read. */
interface OpenTransaction {
  id: string;
  /** A single statement with no BEGIN/COMMIT around it (MariaDB DDL). */
  standalone: boolean;
  gtid?: string;
  changes: RowChange[];
  bytes: number;
  /** A part of it was given already. */
  started: boolean;
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** See ChangeStream; one iteration per stream. */
export class MysqlChangeStream implements ChangeStream {
  private readonly followed = new Map<string, FollowedTable>();
  private readonly maps = new Map<number, TableMap>();
  private dump: BinlogConnection | undefined;
  private iterated = false;
  private closed = false;
  private file: string;
  private gtidPosition: string | undefined;
  private lastPosition: number;
  private readonly maxPartBytes: number;

  private constructor(
    private readonly session: MysqlSession,
    private readonly database: string,
    private readonly describe: Describe,
    options: ChangeStreamOptions,
    private readonly charsetOf: CharsetOf,
    private checksummed: boolean,
  ) {
    this.file = options.from.file!;
    this.lastPosition = Number(options.from.position);
    this.gtidPosition = options.from.gtid || undefined;
    this.maxPartBytes = options.maxPartBytes ?? DEFAULT_PART_BYTES;
    for (const table of options.tables) this.followed.set(table.name, new FollowedTable(table.name, table));
  }

  /** Checks the start position against the server's binlogs and starts the dump. */
  static async open(
    session: MysqlSession,
    url: ConnectionUrl,
    describe: Describe,
    options: ChangeStreamOptions,
  ): Promise<MysqlChangeStream> {
    const { file, position } = options.from;
    if (!file || !position || !/^\d+$/.test(position)) {
      throw new UsageError(
        'MYSQL_STREAM_FROM',
        `A MariaDB/MySQL change stream starts at a binlog file and position ({ file, position }, as a snapshot records them); got ${JSON.stringify(options.from)}.`,
      );
    }
    binlogFileNumber(file);
    const facts = await session.use(async (connection) => {
      const logs = await session.run<MysqlBinaryLogRow>(
        connection,
        'Listing the binlog files',
        SHOW_BINARY_LOGS,
      );
      const [checksum] = await session.run<{ checksum: string }>(
        connection,
        'Reading the binlog checksum',
        SELECT_BINLOG_CHECKSUM,
      );
      const collations = await session.run<{ id: number; charset: string }>(
        connection,
        'Reading the collations',
        SELECT_COLLATION_CHARSETS,
      );
      return { logs, checksum: checksum?.checksum ?? 'NONE', collations };
    });
    if (!facts.logs.some((log) => log.Log_name === file)) {
      throw new DatabaseError(
        'MYSQL_BINLOG_PURGED',
        `${session.display} no longer keeps binlog file ${file} (its oldest is ${facts.logs[0]?.Log_name ?? 'none'}): the changes since ${file}:${position} are gone. Run a new snapshot (copy again) and start the stream from its position; keep binlogs longer (binlog_expire_logs_seconds) so a stream can catch up.`,
      );
    }
    const charsets = new Map(facts.collations.map((row) => [Number(row.id), row.charset]));
    const stream = new MysqlChangeStream(
      session,
      url.database ?? '',
      describe,
      options,
      (collation) => charsets.get(collation),
      facts.checksum.toUpperCase() === 'CRC32',
    );
    stream.dump = await BinlogConnection.open(url, session.display, {
      file,
      position: Number(position),
      serverId: replicaServerId(options.name),
      heartbeatSeconds: options.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS,
    });
    return stream;
  }

  /** MariaDB/MySQL keep no per-replica state: the binlog stays until it expires, whatever is acknowledged. */
  acknowledge(_position: StreamPosition): void {}

  async addTables(tables: Table[]): Promise<void> {
    for (const table of tables) this.followed.set(table.name, new FollowedTable(table.name, table));
  }

  async backlog(): Promise<StreamBacklog> {
    return this.session.use(async (connection) => {
      const { flavor, version } = this.session.server;
      // MySQL 8.4 renamed SHOW MASTER STATUS; its GTID set is in the status row, MariaDB's in a variable.
      const mysql84 = flavor === 'mysql' && (version[0] > 8 || (version[0] === 8 && version[1] >= 4));
      const [status] = await this.session.run<MysqlBinlogStatusRow>(
        connection,
        'Reading the binlog position',
        mysql84 ? SHOW_BINARY_LOG_STATUS : SHOW_MASTER_STATUS,
      );
      const [gtid] =
        flavor === 'mariadb'
          ? await this.session.run<{ gtid: string | null }>(
              connection,
              'Reading the GTID position',
              SELECT_GTID_BINLOG_POS,
            )
          : [{ gtid: status?.Executed_Gtid_Set?.replace(/\s+/g, '') ?? null }];
      const logs = await this.session.run<MysqlBinaryLogRow>(
        connection,
        'Listing the binlog files',
        SHOW_BINARY_LOGS,
      );
      if (!status) {
        throw new DatabaseError(
          'MYSQL_BINLOG_OFF',
          `${this.session.display} has no binary log (log_bin is OFF): turn it on (log_bin under [mysqld]) and restart the server.`,
        );
      }
      const from = binlogFileNumber(this.file);
      const retainedBytes = logs
        .filter((log) => binlogFileNumber(log.Log_name) >= from)
        .reduce((sum, log) => sum + Number(log.File_size), 0);
      return {
        head: binlogStreamPosition(status.File, Number(status.Position), gtid?.gtid ?? undefined),
        retainedBytes,
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.dump?.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamItem> {
    if (this.iterated) throw new UsageError('MYSQL_STREAM_ITERATED', 'A change stream can be iterated once.');
    this.iterated = true;
    return this.items();
  }

  private position(logPos: number, gtid?: string): StreamPosition {
    return binlogStreamPosition(this.file, logPos, gtid ?? this.gtidPosition);
  }

  private async *items(): AsyncGenerator<StreamItem> {
    const dump = this.dump!;
    let transaction: OpenTransaction | undefined;
    const begin = (id: string, standalone: boolean, gtid?: string): OpenTransaction => ({
      id,
      standalone,
      gtid,
      changes: [],
      bytes: 0,
      started: false,
    });
    try {
      for await (const raw of dump) {
        if (this.closed) return;
        const { header, body } = splitEvent(raw, this.checksummed);
        const type = header.type;
        if (type === BINLOG_EVENT.FORMAT_DESCRIPTION) {
          this.checksummed = formatDescriptionChecksummed(raw);
          continue;
        }
        if (type === BINLOG_EVENT.ROTATE) {
          const rotate = parseRotate(body);
          this.file = rotate.file;
          this.lastPosition = rotate.position;
          continue;
        }
        if (isCompressedEvent(type)) {
          throw new DatabaseError(
            'MYSQL_BINLOG_COMPRESSED',
            `${this.session.display} writes compressed binlog events (log_bin_compress=ON), which Ferry's change stream cannot read. Turn it off (SET GLOBAL log_bin_compress = OFF, and in the server configuration) and start a new snapshot.`,
          );
        }
        if (type === BINLOG_EVENT.MYSQL_TRANSACTION_PAYLOAD) {
          throw new DatabaseError(
            'MYSQL_BINLOG_COMPRESSED',
            `${this.session.display} writes compressed transactions (binlog_transaction_compression=ON), which Ferry's change stream cannot read. Turn it off and start a new snapshot.`,
          );
        }
        if (header.logPos > 0 && type !== BINLOG_EVENT.HEARTBEAT) this.lastPosition = header.logPos;
        switch (type) {
          case BINLOG_EVENT.GTID: {
            const gtid = parseGtid(body, header.serverId);
            transaction = begin(gtid.gtid, gtid.standalone, gtid.gtid);
            break;
          }
          case BINLOG_EVENT.MYSQL_GTID: {
            const gtid = parseMysqlGtid(body);
            transaction = begin(gtid, false);
            break;
          }
          case BINLOG_EVENT.QUERY: {
            const query = parseQuery(body);
            const meaning = statementMeaning(query.statement, query.database);
            if (meaning.kind === 'begin') {
              transaction ??= begin(`${this.file}:${header.logPos}`, false);
              break;
            }
            if (meaning.kind === 'commit') {
              if (transaction) yield* this.commit(transaction, header);
              transaction = undefined;
              break;
            }
            const current = transaction ?? begin(`${this.file}:${header.logPos}`, true);
            if (meaning.kind === 'truncate') {
              const relations = this.followedIn(meaning.tables).map((table) => table.relation);
              if (relations.length > 0) this.add(current, { kind: 'truncate', relations });
            } else if (meaning.kind === 'ddl') {
              yield* this.flushForSchema(current);
              yield* this.redescribe(this.followedIn(meaning.tables), query.statement);
              yield* this.appeared(meaning.tables, query.statement);
            }
            if (current.standalone) {
              yield* this.commit(current, header);
              transaction = undefined;
            } else transaction = current;
            break;
          }
          case BINLOG_EVENT.XID:
            if (transaction) yield* this.commit(transaction, header);
            transaction = undefined;
            break;
          case BINLOG_EVENT.TABLE_MAP: {
            const map = parseTableMap(body);
            this.maps.set(map.tableId, map);
            const table = map.database === this.database ? this.followed.get(map.table) : undefined;
            if (table && !table.layout(map, this.charsetOf)) {
              const current = transaction ?? begin(`${this.file}:${header.logPos}`, false);
              transaction = current;
              yield* this.flushForSchema(current);
              yield* this.redescribe([table], undefined);
              const again = this.followed.get(map.table)!;
              if (!again.layout(map, this.charsetOf)) throw this.mismatch(map);
            }
            break;
          }
          case BINLOG_EVENT.HEARTBEAT:
            if (!transaction) {
              const file = body.rest().toString('utf8');
              if (file !== '') this.file = file;
              yield { type: 'progress', position: this.position(header.logPos || this.lastPosition) };
            }
            break;
          default: {
            const kind = rowsEventKind(type);
            if (!kind) break; // checkpoints, GTID lists, annotations, …: nothing to apply
            const { tableId, flags } = rowsEventTable(body, type);
            const map = this.maps.get(tableId);
            if (!map) {
              throw new DatabaseError(
                'MYSQL_BINLOG_NO_TABLE_MAP',
                `A row event at ${this.file}:${header.logPos} names table id ${tableId} with no TABLE_MAP before it: the stream did not start at a transaction boundary. Start it from a position a snapshot or a commit recorded.`,
              );
            }
            const table = map.database === this.database ? this.followed.get(map.table) : undefined;
            if (!table) break;
            const layout = table.layout(map, this.charsetOf);
            if (!layout) throw this.mismatch(map);
            const current = transaction ?? begin(`${this.file}:${header.logPos}`, false);
            transaction = current;
            // A full part goes out only when more rows come, so the last part (with the commit) is never empty.
            if (current.bytes >= this.maxPartBytes) yield this.part(current);
            const rows = decodingIn(map, this.session.display, () =>
              parseRows(body, kind, tableId, flags, layout.readers),
            );
            for (const row of rows.rows) {
              this.add(current, await rowChange(this.session, kind, table.relation, layout, row, map));
            }
          }
        }
      }
    } finally {
      dump.close();
    }
  }

  private followedIn(tables: StatementTable[]): FollowedTable[] {
    const found: FollowedTable[] = [];
    for (const { database, table } of tables) {
      const followed = database === this.database ? this.followed.get(table) : undefined;
      if (followed && !found.includes(followed)) found.push(followed);
    }
    return found;
  }

  private add(transaction: OpenTransaction, change: RowChange): void {
    transaction.changes.push(change);
    let bytes = CHANGE_OVERHEAD;
    const values = change.kind === 'insert' ? change.row : change.kind === 'truncate' ? [] : change.key;
    for (const value of values) bytes += estimateBytes(value);
    if (change.kind === 'update') {
      for (const value of change.row) bytes += value === UNCHANGED ? 1 : estimateBytes(value);
    }
    transaction.bytes += bytes;
  }

  /** The changes read so far as a part without commit (a large transaction, or before a schema item). */
  private part(transaction: OpenTransaction): StreamItem {
    const part: TransactionPart = {
      id: transaction.id,
      first: !transaction.started,
      changes: transaction.changes,
      bytes: transaction.bytes,
    };
    transaction.started = true;
    transaction.changes = [];
    transaction.bytes = 0;
    return { type: 'transaction', part };
  }

  private *flushForSchema(transaction: OpenTransaction): Generator<StreamItem> {
    if (transaction.changes.length > 0) yield this.part(transaction);
  }

  private *commit(transaction: OpenTransaction, header: BinlogHeader): Generator<StreamItem> {
    if (transaction.gtid) this.gtidPosition = advanceGtidPosition(this.gtidPosition, transaction.gtid);
    const position = this.position(header.logPos);
    const time = isoTime(header.timestamp);
    if (transaction.changes.length === 0 && !transaction.started) {
      yield { type: 'progress', position, time };
      return;
    }
    const part: TransactionPart = {
      id: transaction.id,
      first: !transaction.started,
      changes: transaction.changes,
      bytes: transaction.bytes,
      commit: { position, time },
    };
    yield { type: 'transaction', part };
  }

  /** Describes tables again and gives a schema item for each whose relation changed. */
  private async *redescribe(
    tables: FollowedTable[],
    statement: string | undefined,
  ): AsyncGenerator<StreamItem> {
    if (tables.length === 0) return;
    const described = new Map(
      (await this.describe(tables.map((table) => table.name))).map((t) => [t.name, t]),
    );
    for (const old of tables) {
      const fresh = new FollowedTable(old.name, described.get(old.name));
      this.followed.set(old.name, fresh);
      const item: StreamItem = { type: 'schema', before: old.relation, after: fresh.relation };
      if (statement !== undefined) item.statement = statement;
      yield item;
    }
  }

  /**
   * A schema item with no `before` for each table of this database that a DDL statement names,
   * that the stream does not follow, and that exists now (CREATE TABLE, RENAME TABLE … TO): the
   * engine decides whether to follow it (addTables).
   */
  private async *appeared(tables: StatementTable[], statement: string): AsyncGenerator<StreamItem> {
    const names = [
      ...new Set(
        tables
          .filter(({ database, table }) => database === this.database && !this.followed.has(table))
          .map(({ table }) => table),
      ),
    ];
    if (names.length === 0) return;
    for (const table of await this.describe(names)) {
      yield { type: 'schema', after: relationOf(table.name, table), statement };
    }
  }

  private mismatch(map: TableMap): DatabaseError {
    const names = map.columns.map((column) => column.name ?? '?').join(', ');
    return new DatabaseError(
      'MYSQL_BINLOG_TABLE_CHANGED',
      `The binlog's rows of table "${map.table}" (columns ${names}) do not match the table's definition on ${this.session.display}, even after describing it again: its definition changed more than once since these rows were written. Run a new snapshot of the table.`,
    );
  }
}
