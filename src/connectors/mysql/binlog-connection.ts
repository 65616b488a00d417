/**
 * A replica's binlog dump over one mysql2 connection of its own: the session variables a MariaDB
 * primary wants from a replica, COM_BINLOG_DUMP, and the raw events as Buffers with backpressure
 * (the socket pauses while the consumer is behind). mysql2's own BinlogDump parses only a few
 * events, drops the bytes of the others and cannot pause, so the command here keeps every byte.
 */
import { EventEmitter } from 'node:events';
import mysql from 'mysql2';
import { DatabaseError } from '../../errors.js';
import type { ConnectionUrl } from '../url.js';
import { connectionError, driverCode } from './connection-errors.js';
import { poolOptions } from './connection-options.js';
import { statementError } from './session.js';
import { binlogDumpSetup } from './sql.js';

/** COM_BINLOG_DUMP's command byte. https://mariadb.com/kb/en/com_binlog_dump/ */
const COM_BINLOG_DUMP = 0x12;

/** Raw events queued before the socket is paused, and the count it resumes at. */
const HIGH_WATER = 256;
const LOW_WATER = 64;

/** ER_MASTER_FATAL_ERROR_READING_BINLOG: the dump cannot start (purged file, bad position, …). */
const ERRNO_BINLOG_READ = 1236;

/** Where and how a dump starts. */
export interface BinlogDumpOptions {
  file: string;
  position: number;
  /** The replica id the primary knows this reader by; a second dump with the same id ends the first. */
  serverId: number;
  heartbeatSeconds: number;
}

/** The packet shape mysql2's Connection.writePacket sends: a buffer with a 4-byte header in front. */
class OutgoingPacket {
  constructor(readonly buffer: Buffer) {}
  length(): number {
    return this.buffer.length;
  }
  writeHeader(sequenceId: number): void {
    this.buffer.writeUIntLE(this.buffer.length - 4, 0, 3);
    this.buffer[3] = sequenceId;
  }
}

/** The COM_BINLOG_DUMP packet (position is 4 bytes: a file past 4 GiB cannot be started in). */
export function binlogDumpPacket(options: BinlogDumpOptions): Buffer {
  const name = Buffer.from(options.file, 'utf8');
  const buffer = Buffer.alloc(4 + 11 + name.length);
  buffer[4] = COM_BINLOG_DUMP;
  buffer.writeUInt32LE(options.position, 5);
  buffer.writeUInt16LE(0, 9); // flags: block at the end of the log and wait for more
  buffer.writeUInt32LE(options.serverId, 11);
  name.copy(buffer, 15);
  return buffer;
}

/** The parts of mysql2's incoming packet the command reads. */
interface IncomingPacket {
  buffer: Buffer;
  offset: number;
  end: number;
  isError(): boolean;
  isEOF(): boolean;
  asError(encoding: string): Error;
}

/** The parts of mysql2's core connection the dump uses. */
interface CoreConnection extends EventEmitter {
  clientEncoding: string;
  _resetSequenceId(): void;
  writePacket(packet: OutgoingPacket): void;
  addCommand(command: unknown): unknown;
  pause(): void;
  resume(): void;
  destroy(): void;
  /** The socket: mysql2's destroy() only half-closes it, and a dump thread never answers the FIN. */
  stream?: { destroy(): void };
  query(sql: string, callback: (error: Error | null) => void): unknown;
}

/**
 * A mysql2 command (duck-typed like lib/commands/command.js): sends the dump request, then hands
 * each event packet's bytes (OK marker stripped) to `onEvent` until an error or EOF.
 */
class DumpCommand extends EventEmitter {
  private started = false;

  constructor(
    private readonly request: Buffer,
    private readonly onEvent: (event: Buffer) => void,
    private readonly onDone: (error: Error | undefined) => void,
  ) {
    super();
  }

  execute(packet: IncomingPacket | null, connection: CoreConnection): boolean {
    if (!this.started) {
      this.started = true;
      connection._resetSequenceId();
      connection.writePacket(new OutgoingPacket(this.request));
      return false;
    }
    if (packet === null) return false;
    if (packet.isError()) {
      this.onDone(packet.asError(connection.clientEncoding));
      this.emit('end');
      return true;
    }
    if (packet.isEOF()) {
      this.onDone(new Error('The server ended the binlog dump'));
      this.emit('end');
      return true;
    }
    // A copy: mysql2 reuses its read buffers.
    this.onEvent(Buffer.from(packet.buffer.subarray(packet.offset + 1, packet.end)));
    return false;
  }

  /** mysql2 calls this when the connection fails under the command. */
  onResult(error: Error): void {
    this.onDone(error);
  }
}

/** The raw events of one dump, in log order, and the means to stop it. */
export class BinlogConnection implements AsyncIterable<Buffer> {
  private readonly queue: Buffer[] = [];
  private failure: Error | undefined;
  private ended = false;
  private paused = false;
  private wake: (() => void) | undefined;
  private closed = false;

  private constructor(
    private readonly connection: CoreConnection,
    private readonly display: string,
    private readonly options: BinlogDumpOptions,
  ) {}

  /** Opens a connection of its own, sets the replica variables and starts the dump. */
  static async open(
    url: ConnectionUrl,
    display: string,
    options: BinlogDumpOptions,
  ): Promise<BinlogConnection> {
    const { connectionLimit: _limit, maxIdle: _idle, ...connectionOptions } = poolOptions(url);
    const core = mysql.createConnection(connectionOptions) as unknown as CoreConnection;
    const dump = new BinlogConnection(core, display, options);
    core.on('error', (error: Error) => dump.finish(error));
    try {
      for (const statement of binlogDumpSetup(options.heartbeatSeconds)) {
        await new Promise<void>((resolve, reject) =>
          core.query(statement, (error) => (error ? reject(error) : resolve())),
        );
      }
    } catch (error) {
      core.destroy();
      const { code, errno } = driverCode(error);
      if (errno === undefined || code === 'PROTOCOL_CONNECTION_LOST') throw connectionError(error, url);
      throw statementError('Preparing the binlog dump session', error, display);
    }
    core.addCommand(
      new DumpCommand(
        binlogDumpPacket(options),
        (event) => dump.push(event),
        (error) => dump.finish(error),
      ),
    );
    return dump;
  }

  private push(event: Buffer): void {
    this.queue.push(event);
    if (!this.paused && this.queue.length >= HIGH_WATER) {
      this.paused = true;
      this.connection.pause();
    }
    this.signal();
  }

  private finish(error: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.closed) this.failure = this.describe(error);
    this.signal();
  }

  private describe(error: Error | undefined): Error | undefined {
    if (error === undefined) return undefined;
    const { errno } = driverCode(error);
    if (errno !== ERRNO_BINLOG_READ) return error;
    const { file, position } = this.options;
    const purged = /could not find|purged|not found/i.test(error.message);
    return new DatabaseError(
      purged ? 'MYSQL_BINLOG_PURGED' : 'MYSQL_BINLOG_READ',
      purged
        ? `The binlog of ${this.display} no longer holds ${file} (position ${position}): it was purged. Changes since that position are lost; run a new snapshot (copy again) and start the stream from its position, and keep binlogs longer (binlog_expire_logs_seconds).`
        : `${this.display} cannot send its binlog from ${file}:${position}: ${error.message}. Start the stream from a position a snapshot recorded.`,
      { cause: error },
    );
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    try {
      for (;;) {
        const event = this.queue.shift();
        if (event !== undefined) {
          if (this.paused && this.queue.length <= LOW_WATER) {
            this.paused = false;
            this.connection.resume();
          }
          yield event;
          continue;
        }
        if (this.ended) {
          if (this.failure) throw this.failure;
          return;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      this.close();
    }
  }

  /** Ends the dump connection (the server's dump thread ends when the socket closes). Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.destroy();
    // The server's dump thread does not close its side until it next writes: without this the
    // half-open socket keeps the process alive after the stream is done.
    this.connection.stream?.destroy();
    this.finish(undefined);
  }
}
