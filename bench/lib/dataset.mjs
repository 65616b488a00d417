/**
 * The benchmark dataset: three tables (customers, orders, events) with wide rows, UTF-8 text,
 * JSON, blobs, DECIMAL, single-precision FLOAT and microsecond timestamps. Rows are a pure
 * function of their id, generated on the server (MariaDB's SEQUENCE engine, PostgreSQL's
 * generate_series), so the same scale always gives the same data. Scale 1 ≈ 1.6 million rows.
 */

/** Rows per table at scale 1. */
export const BASE_ROWS = { customers: 200_000, orders: 1_000_000, events: 400_000 };

/** Bump when the generated data changes, so a cached source is rebuilt. */
export const DATASET_VERSION = 1;

/** Row counts of each table at a scale factor. */
export function rowCounts(scale) {
  return Object.fromEntries(
    Object.entries(BASE_ROWS).map(([table, rows]) => [table, Math.max(1, Math.round(rows * scale))]),
  );
}

/** Tables, their primary key column, and their secondary indexes (created after the data by the raw limits). */
export const TABLES = {
  customers: { indexes: [{ name: 'customers_email', columns: ['email'], unique: true }] },
  orders: {
    indexes: [
      { name: 'orders_customer', columns: ['customer_id'] },
      { name: 'orders_placed', columns: ['placed_at'] },
    ],
  },
  events: { indexes: [{ name: 'events_order', columns: ['order_id'] }] },
};

const MARIADB_COLUMNS = {
  customers: `id BIGINT NOT NULL PRIMARY KEY,
  email VARCHAR(120) NOT NULL,
  name VARCHAR(100) NOT NULL,
  country CHAR(2) NOT NULL,
  balance DECIMAL(14,2) NOT NULL,
  score FLOAT NULL,
  created_at DATETIME(6) NOT NULL,
  profile JSON NOT NULL,
  bio TEXT NULL`,
  orders: `id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  total DECIMAL(12,2) NOT NULL,
  weight FLOAT NOT NULL,
  placed_at DATETIME(6) NOT NULL,
  shipped_at DATETIME(6) NULL,
  note VARCHAR(255) NULL,
  items JSON NOT NULL`,
  events: `id BIGINT NOT NULL PRIMARY KEY,
  order_id BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  ratio FLOAT NULL,
  payload BLOB NOT NULL,
  body TEXT NOT NULL,
  at DATETIME(6) NOT NULL`,
};

const POSTGRES_COLUMNS = {
  customers: `id bigint NOT NULL,
  email varchar(120) NOT NULL,
  name varchar(100) NOT NULL,
  country char(2) NOT NULL,
  balance numeric(14,2) NOT NULL,
  score real,
  created_at timestamp(6) NOT NULL,
  profile jsonb NOT NULL,
  bio text`,
  orders: `id bigint NOT NULL,
  customer_id bigint NOT NULL,
  status varchar(16) NOT NULL,
  total numeric(12,2) NOT NULL,
  weight real NOT NULL,
  placed_at timestamp(6) NOT NULL,
  shipped_at timestamp(6),
  note varchar(255),
  items jsonb NOT NULL`,
  events: `id bigint NOT NULL,
  order_id bigint NOT NULL,
  kind varchar(32) NOT NULL,
  ratio real,
  payload bytea NOT NULL,
  body text NOT NULL,
  at timestamp(6) NOT NULL`,
};

/** CREATE TABLE statements (primary key only) for one engine. */
export function createTables(engine) {
  if (engine === 'mariadb') {
    return Object.entries(MARIADB_COLUMNS).map(
      ([table, columns]) =>
        `CREATE TABLE \`${table}\` (\n  ${columns}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci`,
    );
  }
  return Object.entries(POSTGRES_COLUMNS).map(
    ([table, columns]) => `CREATE TABLE "${table}" (\n  ${columns}\n)`,
  );
}

/** The statement that adds a table's primary key after a PostgreSQL load. */
export function postgresPrimaryKey(table) {
  return `ALTER TABLE "${table}" ADD CONSTRAINT "${table}_pkey" PRIMARY KEY (id)`;
}

/** Statements creating one table's secondary indexes. */
export function createIndexes(engine, table) {
  const q = engine === 'mariadb' ? (n) => `\`${n}\`` : (n) => `"${n}"`;
  const { indexes } = TABLES[table];
  if (engine === 'mariadb') {
    const parts = indexes.map(
      (index) =>
        `ADD ${index.unique ? 'UNIQUE ' : ''}INDEX ${q(index.name)} (${index.columns.map(q).join(', ')})`,
    );
    return [`ALTER TABLE ${q(table)} ${parts.join(', ')}`];
  }
  return indexes.map(
    (index) =>
      `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${q(index.name)} ON ${q(table)} (${index.columns.map(q).join(', ')})`,
  );
}

/**
 * INSERT … SELECT statements that fill the tables. Values are arithmetic on the id: FLOATs in
 * [0.5, 1000) with more than six significant digits (the text protocol prints six, so a tool
 * that reads FLOAT as text changes them); text with 2- and 4-byte UTF-8, tabs, newlines and
 * backslashes; blobs holding every byte value; JSON already in jsonb's canonical text form.
 */
export function fillStatements(engine, scale) {
  const n = rowCounts(scale);
  return engine === 'mariadb' ? mariadbFill(n) : postgresFill(n);
}

function mariadbFill(n) {
  const seq = (rows) => `(SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_${rows}) AS s`;
  return [
    `INSERT INTO customers
SELECT seq,
  CONCAT('user', seq, '@example.com'),
  CONCAT(ELT(1 + seq % 5, 'Zoë', 'Jürgen', 'Åsa', '李小龍', 'Émile'), ' ', SUBSTR(MD5(seq), 1, 8), IF(seq % 7 = 0, ' 😀', '')),
  ELT(1 + seq % 4, 'FR', 'DE', 'SE', 'CN'),
  ((seq * 7919) % 10000000 - 5000000) / 100,
  IF(seq % 10 = 0, NULL, 1 + ((seq * 2654435761) % 999000000) / 1000000),
  TIMESTAMP'2020-01-01 00:00:00' + INTERVAL ((seq * 7919) % 157680000) SECOND + INTERVAL ((seq * 31) % 1000000) MICROSECOND,
  CONCAT('{"n": ', seq, ', "tag": "', SUBSTR(MD5(seq), 1, 6), '", "tags": ["', ELT(1 + seq % 3, 'gold', 'silver', 'bronze'),
    '", "vip"], "active": ', IF(seq % 2 = 0, 'true', 'false'), ', "address": {"zip": "', LPAD(seq % 100000, 5, '0'),
    '", "city": "', ELT(1 + seq % 3, 'Zürich', 'Malmö', 'Kraków'), '"}}'),
  IF(seq % 13 = 0, NULL, CONCAT(REPEAT(CONCAT(MD5(seq), ' lorem ipsum dolor sit amet — ü '), 1 + seq % 6),
    IF(seq % 11 = 0, 'line1\\nline2\\tcol\\\\end', '')))
FROM ${seq(n.customers)}`,
    `INSERT INTO orders
SELECT seq,
  1 + (seq * 7) % ${n.customers},
  ELT(1 + seq % 5, 'new', 'paid', 'shipped', 'delivered', 'cancelled'),
  ((seq * 104729) % 10000000) / 100,
  0.5 + ((seq * 48271) % 99999989) / 100000,
  TIMESTAMP'2021-01-01 00:00:00' + INTERVAL ((seq * 104729) % 94608000) SECOND + INTERVAL ((seq * 17) % 1000000) MICROSECOND,
  IF(seq % 5 IN (0, 4), NULL, TIMESTAMP'2021-01-02 00:00:00' + INTERVAL ((seq * 104729) % 94608000) SECOND + INTERVAL ((seq * 23) % 1000000) MICROSECOND),
  IF(seq % 3 = 0, NULL, CONCAT('Deliver to door ', SUBSTR(SHA2(seq, 256), 1, 20 + seq % 40), ' ☎')),
  CONCAT('[{"qty": ', 1 + seq % 9, ', "sku": "SKU-', seq % 9973, '", "price": "', (seq % 10000) / 100, '"}, {"qty": ', 1 + seq % 4,
    ', "sku": "SKU-', seq % 7919, '", "price": "', (seq % 5000) / 100, '"}]')
FROM ${seq(n.orders)}`,
    `INSERT INTO events
SELECT seq,
  1 + (seq * 13) % ${n.orders},
  ELT(1 + seq % 4, 'created', 'paid', 'shipped', 'note'),
  IF(seq % 9 = 0, NULL, 0.5 + ((seq * 69621) % 99999989) / 100000),
  UNHEX(REPEAT(CONCAT(MD5(seq), SHA2(seq, 256), SHA2(seq, 512)), 1 + seq % 4)),
  CONCAT(REPEAT('event text ünïcödé ', 1 + seq % 9), SHA2(seq, 256)),
  TIMESTAMP'2021-06-01 00:00:00' + INTERVAL ((seq * 7927) % 94608000) SECOND + INTERVAL ((seq * 29) % 1000000) MICROSECOND
FROM ${seq(n.events)}`,
  ];
}

function postgresFill(n) {
  const series = (rows) => `generate_series(1, ${rows}) AS s(i), LATERAL (SELECT i::bigint AS g) AS l`;
  return [
    `INSERT INTO customers
SELECT g,
  'user' || g || '@example.com',
  (ARRAY['Zoë', 'Jürgen', 'Åsa', '李小龍', 'Émile'])[1 + i % 5] || ' ' || substr(md5(g::text), 1, 8) || CASE WHEN g % 7 = 0 THEN ' 😀' ELSE '' END,
  (ARRAY['FR', 'DE', 'SE', 'CN'])[1 + i % 4],
  ((g * 7919) % 10000000 - 5000000) / 100.0,
  CASE WHEN g % 10 = 0 THEN NULL ELSE (1 + ((g * 2654435761) % 999000000) / 1000000.0)::real END,
  TIMESTAMP '2020-01-01 00:00:00' + ((g * 7919) % 157680000) * INTERVAL '1 second' + ((g * 31) % 1000000) * INTERVAL '1 microsecond',
  jsonb_build_object('n', g, 'tag', substr(md5(g::text), 1, 6), 'tags', jsonb_build_array((ARRAY['gold', 'silver', 'bronze'])[1 + i % 3], 'vip'),
    'active', g % 2 = 0, 'address', jsonb_build_object('zip', lpad((g % 100000)::text, 5, '0'), 'city', (ARRAY['Zürich', 'Malmö', 'Kraków'])[1 + i % 3])),
  CASE WHEN g % 13 = 0 THEN NULL ELSE repeat(md5(g::text) || ' lorem ipsum dolor sit amet — ü ', 1 + i % 6)
    || CASE WHEN g % 11 = 0 THEN E'line1\\nline2\\tcol\\\\end' ELSE '' END END
FROM ${series(n.customers)}`,
    `INSERT INTO orders
SELECT g,
  1 + (g * 7) % ${n.customers},
  (ARRAY['new', 'paid', 'shipped', 'delivered', 'cancelled'])[1 + i % 5],
  ((g * 104729) % 10000000) / 100.0,
  (0.5 + ((g * 48271) % 99999989) / 100000.0)::real,
  TIMESTAMP '2021-01-01 00:00:00' + ((g * 104729) % 94608000) * INTERVAL '1 second' + ((g * 17) % 1000000) * INTERVAL '1 microsecond',
  CASE WHEN g % 5 IN (0, 4) THEN NULL ELSE TIMESTAMP '2021-01-02 00:00:00' + ((g * 104729) % 94608000) * INTERVAL '1 second' + ((g * 23) % 1000000) * INTERVAL '1 microsecond' END,
  CASE WHEN g % 3 = 0 THEN NULL ELSE 'Deliver to door ' || substr(encode(sha256(g::text::bytea), 'hex'), 1, 20 + i % 40) || ' ☎' END,
  jsonb_build_array(
    jsonb_build_object('qty', 1 + g % 9, 'sku', 'SKU-' || g % 9973, 'price', ((g % 10000) / 100.0)::text),
    jsonb_build_object('qty', 1 + g % 4, 'sku', 'SKU-' || g % 7919, 'price', ((g % 5000) / 100.0)::text))
FROM ${series(n.orders)}`,
    `INSERT INTO events
SELECT g,
  1 + (g * 13) % ${n.orders},
  (ARRAY['created', 'paid', 'shipped', 'note'])[1 + i % 4],
  CASE WHEN g % 9 = 0 THEN NULL ELSE (0.5 + ((g * 69621) % 99999989) / 100000.0)::real END,
  decode(repeat(md5(g::text) || encode(sha256(g::text::bytea), 'hex') || encode(sha512(g::text::bytea), 'hex'), 1 + i % 4), 'hex'),
  repeat('event text ünïcödé ', 1 + i % 9) || encode(sha256(g::text::bytea), 'hex'),
  TIMESTAMP '2021-06-01 00:00:00' + ((g * 7927) % 94608000) * INTERVAL '1 second' + ((g * 29) % 1000000) * INTERVAL '1 microsecond'
FROM ${series(n.events)}`,
  ];
}
