#!/usr/bin/env node
// `npm run demo`: builds a small sample shop database in SQLite (no server needed), copies it
// with `ferry copy` into a new SQLite file, then compares both files value by value.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'demo');
const source = join(dir, 'shop.db');
const target = join(dir, 'shop-copy.db');
mkdirSync(dir, { recursive: true });
for (const file of [source, target]) rmSync(file, { force: true });

buildSample(source);
console.log(
  `Built the sample database demo/shop.db\n\n$ ferry copy sqlite:demo/shop.db sqlite:demo/shop-copy.db`,
);
const run = spawnSync(
  process.execPath,
  [join(root, 'bin/ferry.js'), 'copy', 'sqlite:demo/shop.db', 'sqlite:demo/shop-copy.db'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (run.status !== 0) {
  console.error(`ferry copy exited with ${run.status}`);
  process.exit(run.status ?? 1);
}
const checked = compare(source, target);
console.log(
  `\nCompared demo/shop.db with demo/shop-copy.db value by value: ${checked.values} values in ${checked.rows} rows of ${checked.tables} tables, all identical.`,
);
console.log(
  'Try: sqlite3 demo/shop-copy.db ".schema"   or copy into PostgreSQL/MariaDB with a postgres:// or mysql:// target URL.',
);

function buildSample(path) {
  const db = new Database(path);
  db.exec(`
    CREATE TABLE customer (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(80) NOT NULL, email VARCHAR(120) UNIQUE, country CHAR(2), created_at DATETIME NOT NULL);
    CREATE TABLE product (id INTEGER PRIMARY KEY, sku VARCHAR(20) NOT NULL UNIQUE, title TEXT NOT NULL, price DECIMAL TEXT(12,2) NOT NULL, weight_kg REAL, photo BLOB);
    CREATE TABLE "order" (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customer(id) ON DELETE CASCADE, placed_at DATETIME NOT NULL, note TEXT);
    CREATE TABLE order_item (order_id INTEGER NOT NULL REFERENCES "order"(id) ON DELETE CASCADE, product_id INTEGER NOT NULL REFERENCES product(id), quantity INTEGER NOT NULL, PRIMARY KEY (order_id, product_id));
    CREATE INDEX order_customer ON "order"(customer_id, placed_at DESC);
    CREATE VIEW order_total AS SELECT o.id, SUM(i.quantity) AS items FROM "order" o JOIN order_item i ON i.order_id = o.id GROUP BY o.id;
  `);
  const names = [
    'Ada Lovelace',
    'Grace Hopper',
    'Søren Kierkegaard',
    'Zoë 🚀 Smith',
    "Conan O'Brien",
    'Tab\tand\nnewline',
  ];
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const insert = db.transaction(() => {
    const customer = db.prepare(
      'INSERT INTO customer (name, email, country, created_at) VALUES (?, ?, ?, ?)',
    );
    for (let i = 0; i < 500; i++) {
      const name = `${names[i % names.length]} ${i}`;
      customer.run(
        name,
        i % 7 === 0 ? null : `user${i}@example.com`,
        ['DE', 'FR', 'JP', 'BR'][i % 4],
        `2024-0${(i % 9) + 1}-1${i % 10} 10:00:00.${String(i).padStart(6, '0')}`,
      );
    }
    const product = db.prepare('INSERT INTO product VALUES (?, ?, ?, ?, ?, ?)');
    for (let i = 1; i <= 200; i++) {
      product.run(
        i,
        `SKU-${i}`,
        `Product ${i} — "quoted" \\ backslash`,
        `${Math.floor(random() * 100000)}.${String(i % 100).padStart(2, '0')}`,
        i % 5 ? random() * 10 : null,
        i % 3 ? Buffer.from([0, i % 256, 255, 10]) : null,
      );
    }
    const order = db.prepare('INSERT INTO "order" VALUES (?, ?, ?, ?)');
    const item = db.prepare('INSERT INTO order_item VALUES (?, ?, ?)');
    for (let i = 1; i <= 2000; i++) {
      order.run(
        i,
        1 + Math.floor(random() * 500),
        `2025-01-${String((i % 28) + 1).padStart(2, '0')} 12:${String(i % 60).padStart(2, '0')}:00`,
        i % 11 ? null : '',
      );
      const products = new Set();
      for (let k = 0; k < 1 + (i % 4); k++) products.add(1 + Math.floor(random() * 200));
      for (const p of products) item.run(i, p, 1 + (i % 5));
    }
  });
  insert();
  db.close();
}

function compare(a, b) {
  const left = new Database(a, { readonly: true });
  const right = new Database(b, { readonly: true });
  left.defaultSafeIntegers(true);
  right.defaultSafeIntegers(true);
  let rows = 0;
  let values = 0;
  const tables = left
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all();
  for (const { name } of tables) {
    const sql = `SELECT * FROM "${name}" ORDER BY 1, 2`;
    const x = left.prepare(sql).raw().all();
    const y = right.prepare(sql).raw().all();
    if (x.length !== y.length)
      throw new Error(`${name}: ${x.length} rows in the source, ${y.length} in the copy`);
    x.forEach((row, r) => {
      row.forEach((value, c) => {
        const other = y[r][c];
        const same = Buffer.isBuffer(value) ? Buffer.isBuffer(other) && value.equals(other) : value === other;
        if (!same) throw new Error(`${name} row ${r} column ${c}: ${String(value)} ≠ ${String(other)}`);
        values++;
      });
    });
    rows += x.length;
  }
  left.close();
  right.close();
  return { tables: tables.length, rows, values };
}
