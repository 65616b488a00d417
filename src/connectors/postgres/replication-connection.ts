/**
 * A walsender connection (`replication=database`) on pg's own client: simple-protocol commands
 * (CREATE_REPLICATION_SLOT, SET) and one CopyBoth stream (START_REPLICATION) whose CopyData
 * payloads are queued with backpressure: past `highWaterBytes` the socket is paused, so the
 * server waits instead of Ferry buffering a transaction whole.
 */
import type { EventEmitter } from 'node:events';
import pg from 'pg';

/** The CopyBoth query as pg's client runs it: pg hands every backend message for it to these handlers. */
class CopyBothQuery implements pg.Submittable {
  constructor(
    private readonly text: string,
    private readonly sink: {
      started(): void;
      data(chunk: Buffer): void;
      failed(error: unknown): void;
      finished(): void;
    },
  ) {}

  submit(connection: pg.Connection): void {
    // The CopyBothResponse ('W'): START_REPLICATION was accepted and the stream is open.
    connection.once('replicationStart', () => this.sink.started());
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    this.sink.data(message.chunk);
  }

  handleError(error: unknown): void {
    this.sink.failed(error);
  }

  handleReadyForQuery(): void {
    this.sink.finished();
  }

  // The rest of pg's query protocol: nothing to do in a CopyBoth stream.
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
}

/** The parts of pg's (untyped) Connection a CopyBoth stream writes with. */
interface CopyWire {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** What a taken queue slot holds, so the payload it held can be collected. */
const EMPTY = Buffer.alloc(0);

/** How long `end` waits for the server to close the CopyBoth stream before dropping the socket. */
const END_TIMEOUT_MS = 5000;

/** One replication connection; `start` at most once. */
export class ReplicationConnection {
  // A head index instead of shift(): the queue holds tens of thousands of small payloads, and
  // shifting an array that large moves all of them each time.
  private queue: Buffer[] = [];
  private head = 0;
  private queuedBytes = 0;
  private failure: unknown;
  private copying = false;
  private copyEnded = false;
  private paused = false;
  private ended = false;
  private wake: (() => void) | undefined;
  private onFinished: (() => void) | undefined;

  private constructor(
    private readonly client: pg.Client,
    private readonly highWaterBytes: number,
  ) {
    // A socket the server closes makes the client emit 'error': without a listener the process dies.
    client.on('error', (error) => this.fail(error));
    client.on('end', () => this.fail(new Error('Connection terminated unexpectedly')));
  }

  /** Connects with `config` plus `replication: 'database'`; throws the driver's error. */
  static async open(config: pg.ClientConfig, highWaterBytes = 4 << 20): Promise<ReplicationConnection> {
    const replication: pg.ClientConfig & { replication: string } = { ...config, replication: 'database' };
    const client = new pg.Client(replication);
    await client.connect();
    return new ReplicationConnection(client, highWaterBytes);
  }

  /** The underlying client, for its 'error' and 'end' events. */
  get events(): EventEmitter {
    return this.client;
  }

  /** Runs a replication command or SQL in the simple protocol and returns its rows. */
  async query<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
    return (await this.client.query<T>(text)).rows;
  }

  /** Sends `command` (START_REPLICATION …) and resolves once the server opened the CopyBoth stream. */
  start(command: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let open = false;
      this.client.query(
        new CopyBothQuery(command, {
          started: () => {
            open = true;
            this.copying = true;
            resolve();
          },
          data: (chunk) => this.push(chunk),
          failed: (error) => {
            if (!open) reject(error);
            this.fail(error);
          },
          finished: () => {
            this.copying = false;
            this.copyEnded = true;
            if (!open) reject(new Error(`the server ended "${command}" without streaming`));
            this.onFinished?.();
            this.signal();
          },
        }),
      );
    });
  }

  /** The next CopyData payload; undefined once the stream ended cleanly; throws how it failed. */
  async next(): Promise<Buffer | undefined> {
    for (;;) {
      const payload = this.take();
      if (payload) {
        this.queuedBytes -= payload.length;
        if (this.paused && this.queuedBytes < this.highWaterBytes / 2) {
          this.paused = false;
          this.client.connection.stream.resume();
        }
        return payload;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.copyEnded || this.ended) return undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** Sends one CopyData payload to the server (a standby status update). */
  send(payload: Buffer): void {
    if (!this.copying || this.ended || this.failure !== undefined) return;
    this.wire().sendCopyFromChunk(payload);
  }

  /**
   * Ends the CopyBoth stream with CopyDone (the server answers and returns to idle), then the
   * connection. Safe to call twice; never throws.
   */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.signal();
    if (this.copying && this.failure === undefined) {
      const finished = new Promise<void>((resolve) => {
        this.onFinished = resolve;
        setTimeout(resolve, END_TIMEOUT_MS).unref();
      });
      this.queue = [];
      this.head = 0;
      this.wire().endCopyFrom();
      // What the server still sends before its CopyDone is dropped (`push` ignores it once ended).
      if (this.paused) this.client.connection.stream.resume();
      await finished;
    }
    await this.client.end().catch(() => {});
  }

  private wire(): CopyWire {
    return this.client.connection as unknown as CopyWire;
  }

  private take(): Buffer | undefined {
    if (this.head >= this.queue.length) return undefined;
    const payload = this.queue[this.head]!;
    this.queue[this.head++] = EMPTY;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return payload;
  }

  private push(chunk: Buffer): void {
    if (this.ended) return;
    // pg's parser hands out views into its own buffer and moves later data over them: a payload
    // kept past this call must be a copy of its own.
    this.queue.push(Buffer.from(chunk));
    this.queuedBytes += chunk.length;
    if (!this.paused && this.queuedBytes >= this.highWaterBytes) {
      this.paused = true;
      this.client.connection.stream.pause();
    }
    this.signal();
  }

  private fail(error: unknown): void {
    // Once `end` was called, the socket closing is what was asked for.
    if (this.ended) {
      this.onFinished?.();
      return;
    }
    this.failure ??= error;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
