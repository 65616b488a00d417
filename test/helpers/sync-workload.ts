/**
 * A seeded write load for change data capture tests, on a PostgreSQL or MariaDB source: money
 * moved between accounts (the sum never changes), items inserted, updated, deleted and given new
 * primary keys, multi-statement transactions, a large text value whose row gets other columns
 * updated, and on demand one transaction of 100 000 rows.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { seededRandom } from './seeded.js';
import { MYSQL_BASE, PG_BASE, type TestDatabase } from './servers.js';

/** The tables the workload writes, in a stable order. */
export const WORKLOAD_TABLES = ['accounts', 'items', 'docs', 'bulk'] as const;
export const ACCOUNTS = 100;
export const OPENING_BALANCE = 1000;
/** What the accounts hold together, whatever the transfers did. */
export const MONEY = ACCOUNTS * OPENING_BALANCE;
const DOC_BYTES = 30_000;

type Engine = 'postgres' | 'mysql';

const SCHEMA: Record<Engine, string[]> = {
  postgres: [
    'CREATE TABLE accounts (id integer PRIMARY KEY, owner varchar(40) NOT NULL, balance bigint NOT NULL)',
    'CREATE TABLE items (id bigint PRIMARY KEY, name varchar(100) NOT NULL, qty integer, price numeric(12,2), note text, touched timestamp(6))',
    'CREATE TABLE docs (id integer PRIMARY KEY, title varchar(80) NOT NULL, body text NOT NULL)',
    'CREATE TABLE bulk (id bigint PRIMARY KEY, payload varchar(64) NOT NULL)',
  ],
  mysql: [
    'CREATE TABLE accounts (id int PRIMARY KEY, owner varchar(40) NOT NULL, balance bigint NOT NULL) ENGINE=InnoDB',
    'CREATE TABLE items (id bigint PRIMARY KEY, name varchar(100) NOT NULL, qty int, price decimal(12,2), note text, touched datetime(6)) ENGINE=InnoDB',
    'CREATE TABLE docs (id int PRIMARY KEY, title varchar(80) NOT NULL, body mediumtext NOT NULL) ENGINE=InnoDB',
    'CREATE TABLE bulk (id bigint PRIMARY KEY, payload varchar(64) NOT NULL) ENGINE=InnoDB',
  ],
};

/** One statement or a transaction of several, with `?` placeholders (turned into $n for PostgreSQL). */
type Step = Array<[string, unknown[]]>;

/** A seeded writer on one connection of its own. */
export class SyncWorkload {
  private readonly random: () => number;
  private nextItem = 1;
  private items: number[] = [];
  private running: Promise<void> | undefined;
  private stopping = false;
  private pgClient: pg.Client | undefined;
  private myConnection: mysql.Connection | undefined;
  /** Transactions committed by the background loop so far. */
  committed = 0;
  /**
   * Rows each statement committed since `start` changed, per table, as the server reported them: what a change
   * stream must deliver, each exactly once. Every update changes its row, so the log has them all.
   */
  readonly changed: Record<string, { inserts: number; updates: number; deletes: number }> = {};
  private titles = 0;

  constructor(
    private readonly engine: Engine,
    private readonly database: TestDatabase,
    seed: number,
    private readonly base = engine === 'postgres' ? PG_BASE : MYSQL_BASE,
  ) {
    this.random = seededRandom(seed);
  }

  /** Creates the tables and their first rows. */
  async seed(): Promise<void> {
    await this.connect();
    for (const sql of SCHEMA[this.engine]) await this.run([[sql, []]]);
    const accounts: Step = [];
    for (let id = 1; id <= ACCOUNTS; id++) {
      accounts.push([
        'INSERT INTO accounts (id, owner, balance) VALUES (?, ?, ?)',
        [id, `owner ${id}`, OPENING_BALANCE],
      ]);
    }
    await this.run(accounts);
    const items: Step = [];
    for (let n = 0; n < 300; n++) items.push(this.insertItem());
    await this.run(items);
    const docs: Step = [];
    for (let id = 1; id <= 3; id++) {
      docs.push([
        'INSERT INTO docs (id, title, body) VALUES (?, ?, ?)',
        [id, `doc ${id}`, bodyText(id, DOC_BYTES)],
      ]);
    }
    await this.run(docs);
  }

  /** Starts writing in the background, about `perSecond` transactions a second. */
  start(perSecond = 150, options: { keepCounts?: boolean } = {}): void {
    this.stopping = false;
    // Counted from here on: the seed is the copy's, not the stream's.
    if (!options.keepCounts) for (const table of Object.keys(this.changed)) delete this.changed[table];
    this.running = (async () => {
      while (!this.stopping) {
        await this.run(this.randomStep());
        this.committed++;
        if (this.random() < 0.5) await new Promise((resolve) => setTimeout(resolve, 2000 / perSecond));
      }
    })();
  }

  /** Stops the background writes once the current transaction committed. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    this.running = undefined;
  }

  /** One transaction that updates a row, then inserts 100 000 rows. */
  async largeTransaction(offset: number): Promise<void> {
    const sql =
      this.engine === 'postgres'
        ? `INSERT INTO bulk (id, payload) SELECT g + ${offset}, md5(g::text) FROM generate_series(1, 100000) AS g`
        : `INSERT INTO bulk (id, payload) SELECT seq + ${offset}, md5(seq) FROM seq_1_to_100000`;
    await this.run([
      ['UPDATE docs SET title = ? WHERE id = ?', [`large ${++this.titles}`, 3]],
      [sql, []],
    ]);
  }

  /** Updates another column of a row whose text value is large (PostgreSQL sends that value as unchanged). */
  async touchLargeRow(): Promise<void> {
    await this.run([['UPDATE docs SET title = ? WHERE id = ?', [`retitled ${++this.titles}`, 2]]]);
  }

  /** Connects again (after the server restarted); the background loop must be stopped. */
  async reconnect(): Promise<void> {
    await this.pgClient?.end().catch(() => undefined);
    await this.myConnection?.end().catch(() => undefined);
    this.pgClient = undefined;
    this.myConnection = undefined;
    await this.connect();
  }

  async close(): Promise<void> {
    await this.stop();
    await this.pgClient?.end();
    await this.myConnection?.end();
  }

  private randomStep(): Step {
    const pick = this.random();
    if (pick < 0.35) return this.transfer();
    if (pick < 0.5) return [this.insertItem()];
    if (pick < 0.65) return [this.updateItem()];
    if (pick < 0.72) return [this.deleteItem()];
    if (pick < 0.8) return [this.moveItem()];
    if (pick < 0.85)
      return [['UPDATE docs SET title = ? WHERE id = ?', [`title ${++this.titles}`, 1 + this.int(3)]]];
    // Several kinds of change in one transaction, with a transfer among them.
    return [this.insertItem(), this.updateItem(), ...this.transfer(), this.deleteItem()];
  }

  private transfer(): Step {
    const from = 1 + this.int(ACCOUNTS);
    const to = 1 + ((from + this.int(ACCOUNTS - 1)) % ACCOUNTS);
    const amount = 1 + this.int(50);
    // Updates in id order, so that no other writer can deadlock with it.
    const [first, second] = from < to ? [from, to] : [to, from];
    const delta = (id: number) => (id === from ? -amount : amount);
    return [
      ['UPDATE accounts SET balance = balance + ? WHERE id = ?', [delta(first), first]],
      ['UPDATE accounts SET balance = balance + ? WHERE id = ?', [delta(second), second]],
    ];
  }

  private insertItem(): [string, unknown[]] {
    const id = this.nextItem++;
    this.items.push(id);
    return [
      'INSERT INTO items (id, name, qty, price, note, touched) VALUES (?, ?, ?, ?, ?, ?)',
      [
        id,
        `item ${id} ✓`,
        this.int(1000),
        (this.int(1_000_000) / 100).toFixed(2),
        this.random() < 0.2 ? null : `note ${this.int(1e9)}`,
        timestamp(this.int(1e12)),
      ],
    ];
  }

  private updateItem(): [string, unknown[]] {
    const id = this.anyItem();
    return [
      'UPDATE items SET qty = qty + 1, price = ?, touched = ? WHERE id = ?',
      [(this.int(1_000_000) / 100).toFixed(2), timestamp(this.int(1e12)), id],
    ];
  }

  private deleteItem(): [string, unknown[]] {
    const index = this.int(this.items.length);
    const [id] = this.items.splice(index, 1);
    return ['DELETE FROM items WHERE id = ?', [id ?? -1]];
  }

  /** A primary-key change. */
  private moveItem(): [string, unknown[]] {
    const index = this.int(this.items.length);
    const id = this.items[index] ?? -1;
    const to = 1_000_000 + this.nextItem++;
    if (index < this.items.length) this.items[index] = to;
    return ['UPDATE items SET id = ? WHERE id = ?', [to, id]];
  }

  private anyItem(): number {
    return this.items[this.int(this.items.length)] ?? -1;
  }

  private int(below: number): number {
    return Math.floor(this.random() * below);
  }

  private async connect(): Promise<void> {
    if (this.engine === 'postgres') {
      this.pgClient = new pg.Client({ connectionString: `${this.base}/${this.database.name}` });
      // An idle client whose server restarts emits 'error'; the next query (after reconnect) is what counts.
      this.pgClient.on('error', () => undefined);
      await this.pgClient.connect();
    } else {
      this.myConnection = await mysql.createConnection({ uri: `${this.base}/${this.database.name}` });
      this.myConnection.on('error', () => undefined);
    }
  }

  /** The previous step's end: steps take turns on the one connection, so no two transactions interleave. */
  private turn: Promise<void> = Promise.resolve();

  private run(step: Step): Promise<void> {
    const mine = this.turn.then(() => this.runNow(step));
    this.turn = mine.catch(() => undefined);
    return mine;
  }

  private async runNow(step: Step): Promise<void> {
    const many = step.length > 1;
    const done: Array<[string, number]> = [];
    if (this.pgClient) {
      if (many) await this.pgClient.query('BEGIN');
      for (const [sql, values] of step) {
        let n = 0;
        const result = await this.pgClient.query(
          sql.replace(/\?/g, () => `$${++n}`),
          values,
        );
        done.push([sql, result.rowCount ?? 0]);
      }
      if (many) await this.pgClient.query('COMMIT');
    } else {
      const connection = this.myConnection!;
      if (many) await connection.query('START TRANSACTION');
      for (const [sql, values] of step) {
        const [result] = await connection.query(sql, values);
        done.push([sql, (result as { affectedRows?: number }).affectedRows ?? 0]);
      }
      if (many) await connection.query('COMMIT');
    }
    for (const [sql, rows] of done) this.count(sql, rows);
  }

  private count(sql: string, rows: number): void {
    const match = /^(INSERT INTO|UPDATE|DELETE FROM) (\w+)/.exec(sql);
    if (!match || rows === 0) return;
    const table = match[2]!;
    const entry = this.changed[table] ?? { inserts: 0, updates: 0, deletes: 0 };
    this.changed[table] = entry;
    if (match[1] === 'INSERT INTO') entry.inserts += rows;
    else if (match[1] === 'UPDATE') entry.updates += rows;
    else entry.deletes += rows;
  }
}

/** Text of about `bytes` characters that does not compress to nothing (so PostgreSQL stores it out of line). */
function bodyText(seed: number, bytes: number): string {
  const random = seededRandom(seed * 7919);
  let text = '';
  while (text.length < bytes) text += Math.floor(random() * 1e16).toString(36);
  return text.slice(0, bytes);
}

function timestamp(offsetSeconds: number): string {
  const base = Date.UTC(2001, 0, 1);
  const date = new Date(base + offsetSeconds);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}.${String(offsetSeconds % 1_000_000).padStart(6, '0')}`;
}
