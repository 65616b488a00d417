/**
 * Chunk checksums computed inside MariaDB/MySQL for `ferry verify` (values/canonical-text.ts):
 * every row of a key range rendered in SQL as its row text, hashed with MD5, and the two 64-bit
 * halves of the hashes summed with the row count, so that no row leaves the server.
 */
import { DatabaseError } from '../../errors.js';
import type { Column, Table } from '../../schema/table.js';
import { type ChecksumMode, type ChunkChecksum, checksumFromSums } from '../../values/canonical-text.js';
import type { ChecksumOptions, KeyRange } from '../connector.js';
import { rowFilterOf, rowFilterText, withRowFilter } from '../row-filter.js';
import { type MysqlClause, mysqlKeyColumns, mysqlKeySql, mysqlRangeWhere } from './chunks.js';
import { type MysqlConnection, statementError } from './session.js';
import { quoteIdentifier } from './sql.js';
import { typeRule } from './types.js';

/** The row text's NULL, `\N`, as a hex literal: the same bytes whatever the sql_mode (NO_BACKSLASH_ESCAPES). */
const MYSQL_CHECKSUM_NULL = "X'5C4E'";

/** The user variable that carries a row's MD5 from the first sum to the second (computed once). */
const ROW_HASH = '@ferry_row_hash';

/** `other` types whose reader value is their text as the reader selects it (WKT, inet text). */
const TEXT_OTHER_TYPES =
  /^(geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|geometrycollection|geomcollection|inet4|inet6)$/i;

/**
 * DOUBLE(M,D): the server prints D decimals. Up to 15 digits that text is the shortest text of the
 * double it parses to, and always fixed notation.
 */
const DOUBLE_PLACES = /^(?:double(?: precision)?|real)\s*\(\s*(\d+)\s*,\s*[1-9]\d*\s*\)/i;

/** Whether the column's bytes are UTF-8 already (no collation kept = the default utf8mb4). */
function isUtf8(column: Column): boolean {
  return column.collation === undefined || /^utf8/i.test(column.collation);
}

/** `<byte length>:<text>`; NULL stays NULL. */
function lengthPrefixed(text: string): string {
  return `CONCAT(LENGTH(${text}), ':', ${text})`;
}

/** Trailing fraction zeros and then a bare '.' removed; only for texts that always hold a '.'. */
function trimFraction(text: string): string {
  return `TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM ${text}))`;
}

/**
 * A double in the spec's notation. MariaDB prints the shortest digits, fixed for decimal exponents
 * -15..14 and with `e<exp>` beyond, except that a non-integer of exponent 15 (17 digits, between
 * 1e15 and 1e16) stays fixed: that one case is respelt. FLOAT values there are all integers.
 */
function doubleText(value: string): string {
  const digits = `CONCAT(ABS(${value}))`;
  return `IF(ABS(${value}) < 1e15 OR ABS(${value}) >= 1e16 OR ${value} = FLOOR(${value}), ${value}, CONCAT(IF(${value} < 0, '-', ''), LEFT(${digits}, 1), '.', SUBSTRING(REPLACE(${digits}, '.', ''), 2), 'e15'))`;
}

/** The canonical field of a non-null value (NULL stays NULL), per the spec in canonical-text.ts. */
function canonicalFieldSql(column: Column): string | undefined {
  const quoted = quoteIdentifier(column.name);
  const type = column.type;
  switch (type.kind) {
    case 'integer':
      // YEAR prints four digits (`0000`); the reader yields the number.
      return /^year\b/i.test(column.nativeType) ? `(${quoted} + 0)` : quoted;
    case 'boolean':
      return `(${quoted} <> 0)`;
    case 'decimal':
      return (type.scale ?? 0) > 0 ? trimFraction(quoted) : quoted;
    case 'float': {
      // The reader reads DOUBLE(M,D) as printed, rounded to D places (not always the stored double).
      const places = type.bits === 64 ? DOUBLE_PLACES.exec(column.nativeType) : null;
      if (places) return Number(places[1]) <= 15 ? trimFraction(quoted) : undefined;
      // As DOUBLE: a FLOAT printed as itself has 6 digits.
      const value = `CAST(${quoted} AS DOUBLE)`;
      return type.bits === 32 ? value : doubleText(value);
    }
    case 'text':
    case 'json':
    case 'enum':
    case 'set':
      // The UTF-8 bytes, as the reader receives them over the utf8mb4 connection.
      return lengthPrefixed(isUtf8(column) ? quoted : `CONVERT(${quoted} USING utf8mb4)`);
    case 'binary':
      return `MD5(${quoted})`;
    case 'date':
    case 'uuid':
      return quoted;
    case 'time':
    case 'datetime':
    case 'timestamptz':
      // With fsp > 0 the server always prints the '.'; otherwise there is none to trim.
      if (type.fsp === undefined) return `IF(LOCATE('.', ${quoted}) > 0, ${trimFraction(quoted)}, ${quoted})`;
      return type.fsp > 0 ? trimFraction(quoted) : quoted;
    case 'bit':
      return `LPAD(BIN(${quoted}), ${type.length}, '0')`;
    case 'other':
      if (!TEXT_OTHER_TYPES.test(type.name)) return undefined;
      return lengthPrefixed(typeRule(type).select(quoted, type, column.nativeType));
  }
}

/**
 * The engine's own exact text of a non-null value: only ever compared with identical column types.
 * Variable-length values are raw (their lengths close the row, see nativeRowTextSql).
 */
function nativeFieldSql(column: Column): string {
  const quoted = quoteIdentifier(column.name);
  switch (column.type.kind) {
    case 'float':
      // Printed as itself a FLOAT has 6 digits and a DOUBLE(M,D) D decimals: not exact.
      return `CAST(${quoted} AS DOUBLE)`;
    case 'text':
    case 'json':
    case 'enum':
    case 'set':
      // The stored bytes in the column's own character set (as bytes: CONCAT_WS cannot mix
      // character sets).
      return isUtf8(column) ? quoted : `CAST(${quoted} AS BINARY)`;
    case 'binary':
    case 'other':
      // Bytes (WKB with its SRID for geometry), raw: measured on MariaDB 10.11, an MD5 call per
      // value costs ~10x copying a short value, and no less for megabyte values.
      return quoted;
    case 'bit':
      return `(${quoted} + 0)`;
    default:
      // Integers, DECIMAL at its scale, dates and times with all their digits, UUID text.
      return quoted;
  }
}

/** Whether a native field's text has no fixed syntax (may hold '|' or any byte). */
function isVariableNative(column: Column): boolean {
  return ['text', 'json', 'enum', 'set', 'binary', 'other'].includes(column.type.kind);
}

/**
 * The native row text: the fields joined by '|' with NULLs left out (CONCAT_WS), then one field per
 * variable-length column (its byte length, -1 for NULL) and one per other nullable column (1 if NULL). Read
 * from the right those fields say where every value starts and ends, so two rows have the same
 * text only if their values are equal; measured on MariaDB 10.11 this costs half the per-field
 * length prefixes and NULL markers of the canonical text.
 */
function nativeRowTextSql(columns: Column[]): string {
  const layout = columns.flatMap((column) => {
    const quoted = quoteIdentifier(column.name);
    if (isVariableNative(column)) return [`IFNULL(LENGTH(${quoted}), -1)`];
    // A NOT NULL column's field is always there (both sides have the same column types).
    return column.nullable ? [`ISNULL(${quoted})`] : [];
  });
  return `CONCAT_WS('|', ${[...columns.map(nativeFieldSql), ...layout].join(', ')})`;
}

/** Whether this engine can render column `column` of `table` in SQL in `mode` (false -> Ferry hashes it after reading). */
export function mysqlCanRender(column: Column, mode: ChecksumMode): boolean {
  return mode === 'native' || canonicalFieldSql(column) !== undefined;
}

/** The SQL expression of one row's text over `columns` (all renderable), for tests and for the checksum query. */
export function mysqlRowTextSql(columns: Column[], mode: ChecksumMode): string {
  // Canonical text fields are all UTF-8 (other character sets converted), so MD5 hashes the UTF-8
  // bytes; native ones of other character sets are cast to bytes, which CONCAT_WS can mix.
  if (columns.length === 0) return "''";
  if (mode === 'native') return nativeRowTextSql(columns);
  const fields = columns.map((column) => {
    const field = canonicalFieldSql(column);
    if (field === undefined) {
      throw new DatabaseError(
        'MYSQL_CHECKSUM_COLUMN',
        `Column "${column.name}" (${column.nativeType}) cannot be rendered in SQL in canonical mode: hash it after reading.`,
      );
    }
    return `IFNULL(${field}, ${MYSQL_CHECKSUM_NULL})`;
  });
  return `CONCAT_WS('|', ${fields.join(', ')})`;
}

/** `SUM` of one 16-hex-digit half of a row hash as an unsigned integer (SUM makes an exact DECIMAL). */
function sumOfHalf(hash: string, from: 1 | 17): string {
  return `SUM(CAST(CONV(SUBSTRING(${hash}, ${from}, 16), 16, 10) AS UNSIGNED))`;
}

/**
 * The checksum query of a table's rows: MD5 once per row into a user variable, read again by the
 * second sum (the select list is evaluated in order, as pt-table-checksum relies on too). Native
 * checksums, only ever compared with another MariaDB's, sum the first half alone (a chance of
 * 2^-64 that a changed chunk keeps its sum; each CONV costs as much as the row's MD5).
 */
function mysqlChecksumSelect(table: Table, columns: Column[], mode: ChecksumMode, where: string): string {
  const text = mysqlRowTextSql(columns, mode);
  const sums =
    mode === 'native'
      ? `${sumOfHalf(`MD5(${text})`, 1)} AS high, 0 AS low`
      : `${sumOfHalf(`${ROW_HASH} := MD5(${text})`, 1)} AS high, ${sumOfHalf(ROW_HASH, 17)} AS low`;
  return `SELECT COUNT(*) AS row_count, ${sums} FROM ${quoteIdentifier(table.name)}${where}`;
}

/** A row of the checksum query: mysql2 returns COUNT and the DECIMAL sums as text (NULL for no rows). */
interface MysqlChecksumRow {
  row_count: string | number;
  high: string | null;
  low: string | null;
}

function columnsNamed(table: Table, names: string[]): Column[] {
  return names.map((name) => {
    const column =
      table.columns.find((candidate) => candidate.name === name) ??
      table.columns.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    if (!column) {
      throw new DatabaseError(
        'MYSQL_CHECKSUM_COLUMN',
        `Table "${table.name}" has no column "${name}" to checksum.`,
      );
    }
    return column;
  });
}

/** The range's WHERE exactly as the reader builds it (chunks.ts): binary key order, the same bounds. */
function rangeWhere(table: Table, key: string[] | undefined, range: KeyRange | undefined): MysqlClause {
  if (key === undefined && range === undefined) return { sql: '', params: [] };
  const keyNames = key ?? table.primaryKey;
  if (keyNames.length === 0) {
    throw new DatabaseError(
      'MYSQL_CHUNK_KEY',
      `Table "${table.name}" has no primary key: name the key its range is on.`,
    );
  }
  return mysqlRangeWhere(mysqlKeyColumns(table, keyNames).map(mysqlKeySql), range ?? {});
}

/** One chunk's checksum computed in the database: count + the two sums over the rows of `range` of `key` (binary order, as planChunks/read use it). */
export async function mysqlChunkChecksum(
  connection: MysqlConnection,
  table: Table,
  options: ChecksumOptions,
): Promise<ChunkChecksum> {
  const columns = columnsNamed(table, options.columns);
  const where = rangeWhere(table, options.key, options.range);
  const filter = rowFilterOf(table, options);
  const sql = mysqlChecksumSelect(table, columns, options.mode, withRowFilter(where.sql, filter));
  let rows: MysqlChecksumRow[];
  try {
    [rows] = (await connection.query(sql, where.params)) as unknown as [MysqlChecksumRow[]];
  } catch (error) {
    const { host, port, database } = connection.config;
    throw statementError(
      `Checksumming table "${table.name}"${rowFilterText(filter)}`,
      error,
      `${host}:${port}/${database ?? ''}`,
    );
  }
  const row = rows[0];
  if (!row)
    throw new DatabaseError('MYSQL_CHECKSUM', `The checksum of table "${table.name}" returned no row.`);
  return checksumFromSums(row.row_count, row.high ?? '0', row.low ?? '0');
}
