/**
 * The change-data-capture workload: an accounts/items schema, seeded on a PostgreSQL or MariaDB
 * source, writers that make row changes (inserts, updates, deletes in transactions of 1–10 rows)
 * on connections of their own, a heartbeat carrying the source's clock, and a lag sampler on the
 * target that reads the newest heartbeat applied.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { SERVERS } from './shell.mjs';

/** The workload's tables, in a stable order. */
export const SYNC_TABLES = ['accounts', 'items', 'beats', 'marks'];

/** Microseconds since the epoch on the source's clock (the heartbeat's, read back on the target). */
const NOW_US = {
  postgres: '(extract(epoch FROM clock_timestamp()) * 1000000)::bigint',
  mariadb: 'CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS SIGNED)',
};

const SCHEMA = {
  postgres: [
    'CREATE TABLE accounts (id integer PRIMARY KEY, owner varchar(40) NOT NULL, balance bigint NOT NULL, updated_at timestamp(6))',
    'CREATE TABLE items (id bigint PRIMARY KEY, account_id integer NOT NULL, name varchar(100) NOT NULL, qty integer, price numeric(12,2), note text, updated_at timestamp(6))',
    'CREATE TABLE beats (id integer PRIMARY KEY, at_us bigint NOT NULL)',
    'CREATE TABLE marks (id integer PRIMARY KEY, at timestamp(6) NOT NULL)',
  ],
  mariadb: [
    'CREATE TABLE accounts (id int PRIMARY KEY, owner varchar(40) NOT NULL, balance bigint NOT NULL, updated_at datetime(6)) ENGINE=InnoDB',
    'CREATE TABLE items (id bigint PRIMARY KEY, account_id int NOT NULL, name varchar(100) NOT NULL, qty int, price decimal(12,2), note text, updated_at datetime(6)) ENGINE=InnoDB',
    'CREATE TABLE beats (id int PRIMARY KEY, at_us bigint NOT NULL) ENGINE=InnoDB',
    'CREATE TABLE marks (id int PRIMARY KEY, at datetime(6) NOT NULL) ENGINE=InnoDB',
  ],
};

/** The source's clock as a timestamp(6) / DATETIME(6) value. */
const NOW_TS = { postgres: 'clock_timestamp()', mariadb: 'NOW(6)' };

/** Seed sizes: accounts and items rows. */
export const SEED = { accounts: 100_000, items: 200_000 };

const SEED_SQL = {
  postgres: [
    `INSERT INTO accounts SELECT g, 'owner ' || g, 1000, NULL FROM generate_series(1, ${SEED.accounts}) AS g`,
    `INSERT INTO items SELECT g, 1 + g % ${SEED.accounts}, 'item ' || md5(g::text), g % 100, (g % 10000) / 100.0, repeat('n', g % 60), NULL FROM generate_series(1, ${SEED.items}) AS g`,
    'INSERT INTO beats VALUES (1, 0)',
  ],
  mariadb: [
    `INSERT INTO accounts SELECT seq, CONCAT('owner ', seq), 1000, NULL FROM seq_1_to_${SEED.accounts}`,
    `INSERT INTO items SELECT seq, 1 + seq % ${SEED.accounts}, CONCAT('item ', md5(seq)), seq % 100, (seq % 10000) / 100.0, REPEAT('n', seq % 60), NULL FROM seq_1_to_${SEED.items}`,
    'INSERT INTO beats VALUES (1, 0)',
  ],
};

/** One connection that runs literal SQL text (several statements in one round trip). */
export async function connect(engine, database) {
  if (engine === 'postgres') {
    const s = SERVERS.postgres;
    const client = new pg.Client({ host: s.host, port: Number(s.port), user: s.user, database });
    await client.connect();
    return {
      run: async (sql) => client.query(sql),
      value: async (sql) => {
        const r = await client.query(sql);
        return r.rows[0] ? Object.values(r.rows[0])[0] : undefined;
      },
      close: () => client.end(),
    };
  }
  const s = SERVERS.mariadb;
  const conn = await mysql.createConnection({
    host: s.host,
    port: Number(s.port),
    user: s.user,
    database,
    multipleStatements: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  return {
    run: async (sql) => conn.query(sql),
    value: async (sql) => {
      const [rows] = await conn.query(sql);
      return rows[0] ? Object.values(rows[0])[0] : undefined;
    },
    close: () => conn.end(),
  };
}

/** Creates the tables and their first rows. */
export async function seedSource(engine, database) {
  const c = await connect(engine, database);
  try {
    for (const sql of [...SCHEMA[engine], ...SEED_SQL[engine]]) await c.run(sql);
    await c.run(engine === 'postgres' ? 'ANALYZE' : 'ANALYZE TABLE accounts, items');
  } finally {
    await c.close();
  }
}

/** A tiny seeded generator, so every round makes the same changes. */
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writer `index` of `count`: owns the items whose id ≡ index (mod count) and the accounts likewise,
 * so that every statement changes exactly one row and the number of row changes is known.
 */
class Writer {
  constructor(engine, database, index, count) {
    this.engine = engine;
    this.database = database;
    this.index = index;
    this.count = count;
    this.random = random(20261202 + index);
    this.live = [];
    for (let id = index === 0 ? count : index; id <= SEED.items; id += count) this.live.push(id);
    // New ids stay under 10^6: pgcopydb 0.10 prints wal2json's numbers with 6 significant digits.
    this.next = 300_000 + index;
    this.changes = 0;
    this.transactions = 0;
  }

  statement() {
    const now = NOW_TS[this.engine];
    const r = this.random();
    const pick = () => Math.floor(this.random() * this.live.length);
    if (r < 0.3 || this.live.length < 100) {
      const id = this.next;
      this.next += this.count;
      this.live.push(id);
      return `INSERT INTO items (id, account_id, name, qty, price, note, updated_at) VALUES (${id}, ${1 + (id % SEED.accounts)}, 'new ${id}', ${id % 50}, ${(id % 9999) / 100}, 'inserted', ${now})`;
    }
    if (r < 0.5) {
      const at = pick();
      const id = this.live[at];
      this.live[at] = this.live[this.live.length - 1];
      this.live.pop();
      return `DELETE FROM items WHERE id = ${id}`;
    }
    if (r < 0.9) {
      const id = this.live[pick()];
      return `UPDATE items SET qty = qty + 1, price = ${Math.floor(this.random() * 1e6) / 100}, updated_at = ${now} WHERE id = ${id}`;
    }
    const accounts = Math.floor(SEED.accounts / this.count);
    const id =
      Math.floor(this.random() * accounts) * this.count + (this.index === 0 ? this.count : this.index);
    return `UPDATE accounts SET balance = balance + ${1 + Math.floor(this.random() * 100)}, updated_at = ${now} WHERE id = ${id}`;
  }

  /** One transaction of 1–10 row changes, sent in one round trip. */
  transaction() {
    const rows = 1 + Math.floor(this.random() * 10);
    const statements = [];
    for (let n = 0; n < rows; n++) statements.push(this.statement());
    this.changes += rows;
    this.transactions++;
    const begin = this.engine === 'postgres' ? 'BEGIN' : 'START TRANSACTION';
    return `${begin}; ${statements.join('; ')}; COMMIT`;
  }
}

/**
 * Makes row changes from `writers` connections until `changes` are made or `seconds` passed, at
 * about `rate` changes per second in all (0: as fast as the source takes them). Resolves with the
 * row changes made, transactions and wall seconds.
 */
export async function writeLoad(
  engine,
  database,
  { writers = 4, changes = Infinity, seconds = Infinity, rate = 0 },
) {
  const all = [];
  for (let i = 0; i < writers; i++) all.push(new Writer(engine, database, i, writers));
  const conns = await Promise.all(all.map(() => connect(engine, database)));
  const started = performance.now();
  const share = changes / writers;
  const deadline = started + seconds * 1000;
  try {
    await Promise.all(
      all.map(async (w, i) => {
        while (w.changes < share && performance.now() < deadline) {
          await conns[i].run(w.transaction());
          if (rate > 0) {
            // Paced per writer: sleep while ahead of the schedule.
            const due = started + (w.changes / (rate / writers)) * 1000;
            const ahead = due - performance.now();
            if (ahead > 1) await new Promise((r) => setTimeout(r, ahead));
          }
        }
      }),
    );
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
  return {
    changes: all.reduce((a, w) => a + w.changes, 0),
    transactions: all.reduce((a, w) => a + w.transactions, 0),
    seconds: (performance.now() - started) / 1000,
  };
}

/** Writes a row into `marks` (one change): the last thing written, seen on the target when applied. */
export async function writeMark(engine, database, id) {
  const c = await connect(engine, database);
  try {
    await c.run(`INSERT INTO marks VALUES (${id}, ${NOW_TS[engine]})`);
  } finally {
    await c.close();
  }
}

/** Updates the heartbeat row with the source's clock every `everyMs` until stopped; counts its changes. */
export async function startHeartbeat(engine, database, everyMs = 50) {
  const c = await connect(engine, database);
  let stopping = false;
  let beats = 0;
  const loop = (async () => {
    while (!stopping) {
      await c.run(`UPDATE beats SET at_us = ${NOW_US[engine]} WHERE id = 1`);
      beats++;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await loop;
      await c.close();
      return beats;
    },
  };
}

/**
 * Samples the lag on the target every `everyMs`: now minus the source time of the newest heartbeat
 * the target holds (both clocks are this machine's). Returns samples of { at, lagSeconds }.
 */
export async function startLagSampler(database, everyMs = 200) {
  const c = await connect('postgres', database);
  let stopping = false;
  const samples = [];
  const loop = (async () => {
    while (!stopping) {
      const at = Date.now();
      const beat = Number(await c.value('SELECT at_us FROM beats WHERE id = 1'));
      if (beat > 0) samples.push({ at, lagSeconds: Math.max(0, (at * 1000 - beat) / 1e6) });
      await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (Date.now() - at))));
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await loop;
      await c.close();
      return samples;
    },
  };
}

/** Percentile of numbers (nearest rank). */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
