/**
 * Chunk checksums computed inside PostgreSQL for `ferry verify` (the verify spec): each row of a key
 * range rendered as the canonical row text of src/values/canonical-text.ts (or, between two
 * PostgreSQL databases, as its own record text), hashed with MD5 and summed per chunk, so no row
 * leaves the server. The session must be one `acquirePostgres` prepared: UTC, ISO dates,
 * extra_float_digits = 1 (shortest exact floats), hex bytea, C money (sql.ts SESSION_SETUP).
 */
import type pg from 'pg';
import { DatabaseError, isFerryError, messageOf } from '../../errors.js';
import type { Column, Table } from '../../schema/table.js';
import { type ChecksumMode, type ChunkChecksum, checksumFromSums } from '../../values/canonical-text.js';
import type { ChecksumOptions } from '../connector.js';
import { rowFilterOf, rowFilterText, withRowFilter } from '../row-filter.js';
import { postgresKeyColumns, postgresRangeWhere } from './chunks.js';
import { qualify, quoteIdent } from './identifiers.js';
import { SERVER_ENCODING } from './sql.js';

/** The connection a checksum runs on (a session prepared by `acquirePostgres`) and the table's schema. */
export interface PostgresChecksumSession {
  client: Pick<pg.ClientBase, 'query'>;
  schema: string;
}

/** The row text's NULL field, independent of standard_conforming_strings. */
const NULL_FIELD = "E'\\\\N'";

/**
 * Plain `float8::text` is fixed notation exactly for |x| in [1e-4, 1e15) (PostgreSQL's own switch to
 * `1e+15` / `1e-05`), which the canonical text shares: only values outside it need string work.
 */
const FIXED_FLOAT_RANGE = (x: string) => `abs(${x}) >= '1e-4'::float8 AND abs(${x}) < '1e15'::float8`;

/** 2^53: below it no rounding-interval bound of a double has 17 or fewer significant digits. */
const EXACT_INTEGER_LIMIT = '9007199254740992::float8';

/** The largest double's shortest text, as a numeric: a candidate above it would not parse as a double. */
const LARGEST_DOUBLE = '1.7976931348623157e308::numeric';

/**
 * x >= 1e15 in the canonical spelling `d.ddde<e>`. PostgreSQL's Ryu leaves out a shortest candidate
 * lying exactly on a bound of x's rounding interval, which JS (round half to even) accepts: it
 * prints 1e23 as `9.999999999999999e+22`. Such a bound has so few digits only where |x| >= 2^53,
 * and then it is one of the two numbers with one digit fewer than printed next to the printed one,
 * `s` and `s + 1` (any other would lie strictly inside, and Ryu would have printed it; a shorter
 * bound is one of them padded with zeros); both cannot be bounds (the interval's width, a power of
 * two >= 2, is no power of ten). The one that reads back to x, without its trailing zeros, is the
 * shortest text. Few nodes and no subquery: the planner's cost estimate counts every branch, and a
 * high one switches JIT compilation on, which costs more than the whole scan of a chunk.
 */
const BIG_FLOAT = (x: string, t: string) => {
  const printed = `replace(${t}, 'e+', 'e')`;
  // `s`: the printed text without the digit before its `e` (`9.99e+22` -> `9.9e+22`, `1.5e+20` -> `1.e+20`).
  const below = `regexp_replace(${t}, '[0-9]e', 'e')`;
  // `s + 1` as an integer of digits, and the decimal exponent of its last digit.
  const digits = `translate(split_part(${t}, 'e', 1), '-.', '')`;
  const exponent = `split_part(${t}, 'e', 2)::int`;
  const above = `(left(${digits}, -1)::bigint + 1)`;
  const aboveText = `rtrim(${above}::text, '0')`;
  const aboveLiteral = `(${above} || 'e' || (${exponent} - length(${digits}) + 2))`;
  return (
    `CASE WHEN abs(${x}) < ${EXACT_INTEGER_LIMIT} OR strpos(${t}, '.') = 0 THEN ${printed}` +
    ` WHEN ${below}::float8 = ${x} THEN regexp_replace(${below}, '[.]?0*e[+]', 'e')` +
    // `s + 1` of few digits near the largest doubles (`1.5e+308` -> `2e308`) would fail to parse.
    ` WHEN abs(${x}) >= '1e308'::float8 AND ${aboveLiteral}::numeric > ${LARGEST_DOUBLE} THEN ${printed}` +
    ` WHEN ${aboveLiteral}::float8 = abs(${x})` +
    ` THEN CASE WHEN ${x} < 0 THEN '-' ELSE '' END || rtrim(overlay(${aboveText} PLACING '.' FROM 2 FOR 0), '.')` +
    // One more leading digit when the increment carried (999 + 1).
    ` || 'e' || (${exponent} + length(${above}::text) - length(${digits}) + 1)` +
    ` ELSE ${printed} END`
  );
};

/**
 * The canonical text of a double x outside FIXED_FLOAT_RANGE, from PostgreSQL's: NaN, ±Infinity, 0
 * and -0 have no `e` and stay; `1e+15` -> `1e15` (BIG_FLOAT); `1.5e-16`, `5e-324` stay; `1.5e-07`
 * -> `0.00000015`, as numeric prints it exactly (decimal exponents down to -15 are fixed in the
 * canonical text). CASE keeps the order, so split_part is cast only when there is an exponent.
 */
const RESPELT_FLOAT = (x: string) => {
  const t = `${x}::text`;
  return (
    `CASE WHEN strpos(${t}, 'e') = 0 THEN ${t}` +
    ` WHEN strpos(${t}, 'e+') > 0 THEN ${BIG_FLOAT(x, t)}` +
    ` WHEN split_part(${t}, 'e', 2)::int < -15 THEN ${t}` +
    ` ELSE ${t}::numeric::text END`
  );
};

/**
 * A value through its type's output function, as COPY (and so the reader) prints it: `::text` is
 * not that for every type (char(n) drops its padding, inet adds `/32`), concat() is.
 */
const OUTPUT_TEXT = (c: string) => `concat(${c})`;

/** How a text-like field's byte length is taken: in the database's encoding, or converted to UTF-8 first. */
type ByteLength = (text: string) => string;
const OCTETS: ByteLength = (text) => `octet_length(${text})`;
const UTF8_OCTETS: ByteLength = (text) => `octet_length(convert_to(${text}, 'UTF8'))`;

const prefixed = (text: string, length: ByteLength) => `${length(text)} || ':' || ${text}`;

/** The canonical field of one non-null value of `column` (NULL in, NULL out), or undefined if none. */
function canonicalFieldSql(column: Column, length: ByteLength): string | undefined {
  const c = quoteIdent(column.name);
  const type = column.type;
  switch (type.kind) {
    case 'integer':
    case 'date':
    case 'time':
    case 'datetime':
    case 'uuid':
    case 'bit':
      // Their output already is the canonical text (ISO dates, trimmed fractions, lower-case uuid).
      return `${c}::text`;
    case 'boolean':
      return `CASE WHEN ${c} THEN '1' WHEN NOT ${c} THEN '0' END`;
    case 'decimal':
      // trim_scale drops trailing fraction zeros (12.50 -> 12.5, 0.00 -> 0); NaN and ±Infinity pass.
      return `trim_scale(${c})::text`;
    case 'float': {
      // A real widens exactly to the double it holds, the reader's value (Math.fround of its text).
      const x = type.bits === 32 ? `${c}::float8` : c;
      return `CASE WHEN ${FIXED_FLOAT_RANGE(x)} THEN ${x}::text ELSE ${RESPELT_FLOAT(x)} END`;
    }
    case 'text':
      return type.fixed
        ? `CASE WHEN ${c} IS NOT NULL THEN ${prefixed(OUTPUT_TEXT(c), length)} END`
        : prefixed(`${c}::text`, length);
    case 'binary':
      return `md5(${c})`;
    case 'timestamptz':
      // A UTC session prints `+00` after the time (before a ` BC`); the canonical instant has no zone.
      return `replace(${c}::text, '+00', '')`;
    case 'json':
      // jsonb reorders keys and respells numbers: it cannot equal another engine's JSON text in SQL.
      return type.binary ? undefined : prefixed(`${c}::text`, length);
    case 'enum':
    case 'set':
      return prefixed(`${c}::text`, length);
    case 'other':
      return `CASE WHEN ${c} IS NOT NULL THEN ${prefixed(OUTPUT_TEXT(c), length)} END`;
    default:
      return undefined;
  }
}

/** Whether this engine can render column `column` of `table` in SQL in `mode` (false -> Ferry hashes it after reading). */
export function postgresCanRender(column: Column, mode: ChecksumMode): boolean {
  // A record's text is exact for every type (output functions under the pinned session settings).
  return mode === 'native' || canonicalFieldSql(column, OCTETS) !== undefined;
}

function rowTextSql(columns: readonly Column[], mode: ChecksumMode, length: ByteLength): string {
  if (mode === 'native') {
    // Record output quotes and escapes fields and leaves NULL empty ("" is the empty string), so a
    // value can neither turn into NULL nor shift into the next column.
    return `ROW(${columns.map((column) => quoteIdent(column.name)).join(', ')})::text`;
  }
  if (columns.length === 0) return "''";
  const fields = columns.map((column) => {
    const field = canonicalFieldSql(column, length);
    if (field === undefined) {
      throw new DatabaseError(
        'PG_CHECKSUM_COLUMN',
        `Column "${column.name}" (${column.nativeType}) cannot be rendered as canonical text in SQL: hash it after reading.`,
      );
    }
    return `coalesce(${field}, ${NULL_FIELD})`;
  });
  return joinFields(fields);
}

/** A function takes at most 100 arguments (FUNC_MAX_ARGS): wider rows join groups of fields. */
const MAX_JOINED = 99;

/** Fields (never NULL) joined by `|`. */
function joinFields(fields: readonly string[]): string {
  if (fields.length === 1) return fields[0]!;
  if (fields.length <= MAX_JOINED) return `concat_ws('|', ${fields.join(', ')})`;
  const groups: string[] = [];
  for (let at = 0; at < fields.length; at += MAX_JOINED) {
    groups.push(joinFields(fields.slice(at, at + MAX_JOINED)));
  }
  return joinFields(groups);
}

/** The SQL expression of one row's text over `columns` (all renderable), for tests and for the checksum query. */
export function postgresRowTextSql(columns: Column[], mode: ChecksumMode): string {
  return rowTextSql(columns, mode, OCTETS);
}

/**
 * The checksum of the rows of a FROM/WHERE: count and the sums of the row hashes' halves as signed
 * bigints (checksumFromSums reduces them mod 2^64). The hash is parsed once as 128 bits and split
 * (cheaper than parsing two hex halves); OFFSET 0 keeps the subquery from being pulled up, which
 * would copy md5(…) into both sums and hash every row twice.
 */
const CHUNK_CHECKSUM = (rowHash: string, fromWhere: string) =>
  `SELECT count(*) AS rows,` +
  ` coalesce(sum(h::bit(64)::bigint), 0)::text AS high,` +
  ` coalesce(sum(substring(h FROM 65)::bigint), 0)::text AS low` +
  ` FROM (SELECT ('x' || ${rowHash})::bit(128) AS h FROM ${fromWhere} OFFSET 0) AS hashed`;

/**
 * Sent in the same query string as CHUNK_CHECKSUM: the many cheap functions of a row text make the
 * planner's estimate cross jit_above_cost for chunks of a few 100,000 rows, and compiling them
 * takes longer than the scan (300 ms for 200,000 rows) while gaining nothing at 1,000,000. LOCAL
 * ends with the implicit transaction of a multi-statement query, or with the caller's open one.
 */
const NO_JIT = 'SET LOCAL jit = off';

/** One row of CHUNK_CHECKSUM. */
interface ChecksumRow {
  rows: string;
  high: string;
  low: string;
}

/** Whether a session's database stores text as UTF-8 (or as unchecked bytes, SQL_ASCII), per client. */
const utf8Sessions = new WeakMap<object, boolean>();

async function storesUtf8(client: PostgresChecksumSession['client']): Promise<boolean> {
  const known = utf8Sessions.get(client);
  if (known !== undefined) return known;
  const { rows } = await client.query<{ encoding: string }>(SERVER_ENCODING);
  const encoding = rows[0]?.encoding;
  // SQL_ASCII bytes are what the reader decodes as UTF-8: hashing them as they are matches valid text.
  const utf8 = encoding === 'UTF8' || encoding === 'SQL_ASCII';
  utf8Sessions.set(client, utf8);
  return utf8;
}

function columnsNamed(table: Table, names: readonly string[], mode: ChecksumMode): Column[] {
  return names.map((name) => {
    const column = table.columns.find((candidate) => candidate.name === name);
    if (!column) {
      throw new DatabaseError(
        'PG_CHECKSUM_COLUMN',
        `Table "${table.name}" has no column "${name}" to checksum.`,
      );
    }
    if (!postgresCanRender(column, mode)) {
      throw new DatabaseError(
        'PG_CHECKSUM_COLUMN',
        `Column "${name}" of table "${table.name}" (${column.nativeType}) cannot be rendered in ${mode} mode in SQL: hash it after reading.`,
      );
    }
    return column;
  });
}

/** One chunk's checksum computed in the database: count + the two sums over the rows of `range` of `key` (binary order, as planChunks/read use it). */
export async function postgresChunkChecksum(
  session: PostgresChecksumSession,
  table: Table,
  options: ChecksumOptions,
): Promise<ChunkChecksum> {
  try {
    const columns = columnsNamed(table, options.columns, options.mode);
    let where = '';
    if (options.range) {
      // The reader's own key columns and WHERE (chunks.ts): both sides cover the same rows.
      const key = postgresKeyColumns(table, options.key ?? table.primaryKey);
      if (key.length === 0) {
        throw new DatabaseError(
          'PG_CHUNK_KEY',
          `Table "${table.name}" has no primary key: a key range of it needs the key's columns.`,
        );
      }
      where = postgresRangeWhere(key, options.range);
    }
    where = withRowFilter(where, rowFilterOf(table, options));
    // The row text is hashed as UTF-8 whatever the database's encoding, as the other side hashes it.
    const utf8 = await storesUtf8(session.client);
    const text = rowTextSql(columns, options.mode, utf8 ? OCTETS : UTF8_OCTETS);
    const rowHash = utf8 ? `md5(${text})` : `md5(convert_to(${text}, 'UTF8'))`;
    const statement = CHUNK_CHECKSUM(rowHash, `${qualify(session.schema, table.name)}${where}`);
    // Two statements in one simple query: pg answers with one result per statement.
    const results: unknown = await session.client.query<ChecksumRow>(`${NO_JIT}; ${statement}`);
    const last = (Array.isArray(results) ? results.at(-1) : results) as pg.QueryResult<ChecksumRow>;
    const row = last.rows[0];
    if (!row) throw new Error('the checksum query returned no row');
    return checksumFromSums(row.rows, row.high, row.low);
  } catch (error) {
    if (isFerryError(error)) throw error;
    throw new DatabaseError(
      'PG_CHECKSUM_FAILED',
      `Checksumming a chunk of table "${table.name}"${rowFilterText(rowFilterOf(table, options))} failed: ${messageOf(error)}`,
      { cause: error },
    );
  }
}
