/**
 * Proof that a target equals its source, computed on the servers. Every column of every row is
 * reduced to a canonical text that both engines can produce identically (FLOATs as their exact
 * value × 2^24, which is an integer for every single-precision value of the dataset, so a value
 * rounded to six digits shows), hashed with its row's id, and the hashes of a column are summed
 * (order-independent, duplicates count). A column whose sum differs is then fetched as
 * (id, md5) pairs from both sides to count how many values changed (once per distinct wrong sum).
 */
import { TABLES } from './dataset.mjs';
import { query } from './shell.mjs';

const FLOAT_SCALE = 16777216;

/** Category of a column from its source type; both sides canonicalise by this category. */
function category(engine, type) {
  const t = type.toLowerCase();
  if (/^(tinyint|smallint|mediumint|int|integer|bigint)$/.test(t)) return 'int';
  if (/^(decimal|numeric)$/.test(t)) return 'decimal';
  if (/^(float|double|real|double precision)$/.test(t)) return 'float';
  if (/^(datetime|timestamp|timestamp without time zone|timestamp with time zone)$/.test(t))
    return 'datetime';
  if (/^(json|jsonb)$/.test(t)) return 'json';
  if (/blob|binary|bytea/.test(t)) return 'binary';
  // MariaDB's JSON is a LONGTEXT with a json_valid check; the dataset's JSON columns are named here.
  return engine === 'mariadb' && t === 'longtext' ? 'json' : 'text';
}

function mariadbCanon(column, kind, type) {
  const c = `\`${column}\``;
  const t = type.toLowerCase();
  switch (kind) {
    case 'int':
      return `CAST(${c} AS CHAR)`;
    case 'decimal':
    case 'float': {
      const value =
        kind === 'float'
          ? /float|double/.test(t)
            ? `CAST(CAST(${c} AS DOUBLE) * ${FLOAT_SCALE} AS CHAR)`
            : `CAST(${c} * ${FLOAT_SCALE} AS CHAR)`
          : `CAST(${c} AS CHAR)`;
      return `IF(INSTR(${value}, '.') > 0, TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM ${value})), ${value})`;
    }
    case 'datetime':
      return `DATE_FORMAT(${c}, '%Y-%m-%d %H:%i:%s.%f')`;
    case 'binary':
      return `MD5(${c})`;
    default:
      return c;
  }
}

function postgresCanon(column, kind, type) {
  const c = `"${column}"`;
  const floaty = /real|double/.test(type);
  switch (kind) {
    case 'int':
      return `${c}::text`;
    case 'decimal':
      return floaty ? `${c}::float8::numeric::text` : `trim_scale(${c})::text`;
    case 'float':
      return floaty
        ? `((${c}::float8 * ${FLOAT_SCALE}::float8)::numeric)::text`
        : `trim_scale(${c}::numeric * ${FLOAT_SCALE})::text`;
    case 'datetime':
      return `to_char(${c}, 'YYYY-MM-DD HH24:MI:SS.US')`;
    case 'json':
      return `${c}::jsonb::text`;
    case 'binary':
      return type === 'bytea' ? `md5(${c})` : `md5(convert_to(${c}::text, 'UTF8'))`;
    default:
      return `${c}::text`;
  }
}

function rowHash(engine, canon) {
  return engine === 'mariadb'
    ? `MD5(CONCAT(id, '|', IFNULL(${canon}, '\\\\N')))`
    : `md5(id::text || '|' || coalesce(${canon}, '\\N'))`;
}

function columnSum(engine, canon) {
  const hash = rowHash(engine, canon);
  return engine === 'mariadb'
    ? `SUM(CAST(CONV(SUBSTR(${hash}, 1, 15), 16, 10) AS UNSIGNED))`
    : `sum(('x' || substr(${hash}, 1, 15))::bit(60)::bigint)`;
}

/** Where a table lives: MariaDB database, or PostgreSQL database plus the schema holding it. */
function locate(side, table) {
  if (side.engine === 'mariadb') {
    const found = query(
      'mariadb',
      `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '${side.database}' AND table_name = '${table}'`,
    );
    return Number(found[0][0]) > 0 ? { from: `\`${side.database}\`.\`${table}\`` } : null;
  }
  const found = query(
    'postgres',
    `SELECT table_schema FROM information_schema.tables WHERE table_name = '${table}' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY table_schema = 'public' DESC LIMIT 1`,
    side.database,
  );
  return found.length > 0 ? { from: `"${found[0][0]}"."${table}"`, schema: found[0][0] } : null;
}

function columnTypes(side, table, where) {
  if (side.engine === 'mariadb') {
    return new Map(
      query(
        'mariadb',
        `SELECT LOWER(column_name), data_type FROM information_schema.columns WHERE table_schema = '${side.database}' AND table_name = '${table}' ORDER BY ordinal_position`,
      ),
    );
  }
  return new Map(
    query(
      'postgres',
      `SELECT lower(column_name), data_type FROM information_schema.columns WHERE table_schema = '${where.schema}' AND table_name = '${table}' ORDER BY ordinal_position`,
      side.database,
    ),
  );
}

function indexCount(side, table, where) {
  const rows =
    side.engine === 'mariadb'
      ? query(
          'mariadb',
          `SELECT COUNT(DISTINCT index_name) FROM information_schema.statistics WHERE table_schema = '${side.database}' AND table_name = '${table}'`,
        )
      : query(
          'postgres',
          `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = '${where.schema}' AND tablename = '${table}'`,
          side.database,
        );
  return Number(rows[0][0]);
}

function session(engine) {
  return engine === 'mariadb' ? "SET time_zone = '+00:00';\n" : "SET TIME ZONE 'UTC';\n";
}

/** Canonical expressions for the columns of a table on one side, by the source's categories. */
function canons(side, columns, kinds) {
  const out = {};
  for (const [column, type] of columns) {
    const kind = kinds.get(column);
    if (kind === undefined) continue;
    out[column] =
      side.engine === 'mariadb' ? mariadbCanon(column, kind, type) : postgresCanon(column, kind, type);
  }
  return out;
}

/** Per-table row count, per-column hash sums and index count of one side. */
function summarise(side, table, kinds) {
  const where = locate(side, table);
  if (where === null) return null;
  const columns = columnTypes(side, table, where);
  const canon = canons(
    side,
    columns,
    kinds ?? new Map([...columns].map(([c, t]) => [c, category(side.engine, t)])),
  );
  const names = Object.keys(canon);
  const sql = `${session(side.engine)}SELECT COUNT(*)${names.map((n) => `, ${columnSum(side.engine, canon[n])}`).join('')} FROM ${where.from};`;
  const [row] = query(side.engine, sql, side.engine === 'postgres' ? side.database : undefined);
  const sums = Object.fromEntries(
    names.map((n, i) => [n, row[i + 1] === '' || row[i + 1] === 'NULL' ? '0' : row[i + 1]]),
  );
  return { rows: Number(row[0]), sums, canon, where, columns, indexes: indexCount(side, table, where) };
}

/** Source summary, computed once per source and reused for every run. */
export function summariseSource(source) {
  const out = {};
  for (const table of Object.keys(TABLES)) {
    const where = locate(source, table);
    const columns = columnTypes(source, table, where);
    const kinds = new Map([...columns].map(([c, t]) => [c, category(source.engine, t)]));
    out[table] = { ...summarise(source, table, kinds), kinds };
  }
  return out;
}

function pairs(side, where, canon) {
  const sql = `${session(side.engine)}SELECT id, ${side.engine === 'mariadb' ? `MD5(IFNULL(${canon}, '\\\\N'))` : `md5(coalesce(${canon}, '\\N'))`} FROM ${where.from} ORDER BY id;`;
  return new Map(query(side.engine, sql, side.engine === 'postgres' ? side.database : undefined));
}

/**
 * Compares a target with its source's summary. Returns { ok, tables: { t: { rows, changed:
 * { column: count }, missingColumns, indexes } }, valuesChanged }.
 */
export function verifyTarget(sourceSummary, source, target, counted = new Map()) {
  const tables = {};
  let ok = true;
  let valuesChanged = 0;
  for (const [table, src] of Object.entries(sourceSummary)) {
    const dst = summarise(target, table, src.kinds);
    if (dst === null) {
      tables[table] = { error: 'table missing in target' };
      ok = false;
      continue;
    }
    const changed = {};
    const missingColumns = Object.keys(src.sums).filter((c) => !(c in dst.sums));
    for (const column of Object.keys(src.sums)) {
      if (!(column in dst.sums) || dst.sums[column] === src.sums[column]) continue;
      // The same wrong sum as an earlier run means the same wrong values: reuse its count.
      const key = `${source.engine}>${target.engine}:${table}.${column}:${dst.sums[column]}`;
      if (counted.has(key)) {
        changed[column] = counted.get(key);
        valuesChanged += changed[column];
        continue;
      }
      const a = pairs(source, src.where, src.canon[column]);
      const b = pairs(target, dst.where, dst.canon[column]);
      let count = 0;
      for (const [id, hash] of a) if (b.get(id) !== hash) count++;
      for (const id of b.keys()) if (!a.has(id)) count++;
      changed[column] = count;
      counted.set(key, count);
      valuesChanged += count;
    }
    const entry = { rows: dst.rows, sourceRows: src.rows, indexes: dst.indexes, sourceIndexes: src.indexes };
    if (Object.keys(changed).length > 0) entry.changed = changed;
    if (missingColumns.length > 0) entry.missingColumns = missingColumns;
    if (dst.rows !== src.rows || missingColumns.length > 0 || Object.keys(changed).length > 0) ok = false;
    tables[table] = entry;
  }
  return { ok, valuesChanged, tables };
}
