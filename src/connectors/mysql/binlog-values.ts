/**
 * Column values of row events, from the server's storage format to the canonical values the
 * reader (reader.ts, codecs.ts) gives for the same column: one decoder per column, chosen from the
 * table map's binlog type and the introspected LogicalType. Values only the server can print
 * exactly (geometry as WKT, text in a rare character set) come back as a ServerRendered request.
 */
import type { Column } from '../../schema/table.js';
import { type CanonicalValue, trimFraction } from '../../values/canonical.js';
import type { BinlogCursor } from './binlog-cursor.js';
import { BINLOG_TYPE, type BinlogColumn } from './binlog-table-map.js';
import { decodeBit, MysqlValueProblem } from './codecs.js';
import { convertTextSql, SELECT_INET6_TEXT, SELECT_WKB_AS_TEXT } from './sql.js';

/** A value the server must print: run `sql` with `param` on a normal connection, take column 0. */
export class ServerRendered {
  constructor(
    readonly sql: string,
    readonly param: Buffer,
  ) {}
}

/** Reads one present (not NULL) value at the cursor. */
export type ValueDecoder = (cursor: BinlogCursor) => CanonicalValue | ServerRendered;

/** Collation id → character set name, as the server's information_schema.COLLATIONS lists them. */
export type CharsetOf = (collation: number) => string | undefined;

/** The binary pseudo character set's collation. */
const BINARY_COLLATION = 63;

/** DECIMAL bytes per number of leftover digits (decimal.c dig2bytes). */
const DIGIT_BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4] as const;

/** Storage size of DECIMAL(precision, scale) (decimal_bin_size). */
export function decimalBinarySize(precision: number, scale: number): number {
  const integer = precision - scale;
  return (
    Math.floor(integer / 9) * 4 +
    DIGIT_BYTES[integer % 9]! +
    Math.floor(scale / 9) * 4 +
    DIGIT_BYTES[scale % 9]!
  );
}

/**
 * DECIMAL's binary form (decimal2bin) as the server prints it: every digit of the scale, no
 * leading zeros, `0` before the point.
 */
export function decodeDecimalBinary(raw: Buffer, precision: number, scale: number): string {
  const bytes = Buffer.from(raw);
  const negative = (bytes[0]! & 0x80) === 0;
  bytes[0] = bytes[0]! ^ 0x80;
  if (negative) for (let index = 0; index < bytes.length; index++) bytes[index] = bytes[index]! ^ 0xff;
  const integer = precision - scale;
  let offset = 0;
  const group = (size: number, digits: number): string => {
    const value = size === 0 ? 0 : bytes.readUIntBE(offset, size);
    offset += size;
    return String(value).padStart(digits, '0');
  };
  let whole = group(DIGIT_BYTES[integer % 9]!, integer % 9);
  for (let index = 0; index < Math.floor(integer / 9); index++) whole += group(4, 9);
  let fraction = '';
  for (let index = 0; index < Math.floor(scale / 9); index++) fraction += group(4, 9);
  fraction += group(DIGIT_BYTES[scale % 9]!, scale % 9);
  whole = whole.replace(/^0+/, '') || '0';
  const text = scale > 0 ? `${whole}.${fraction}` : whole;
  return negative ? `-${text}` : text;
}

const pad = (value: number | bigint, digits: number) => String(value).padStart(digits, '0');

/** Microseconds of a TIME2/DATETIME2/TIMESTAMP2 fraction of `fsp` digits (big-endian). */
function fraction(raw: Buffer, at: number, fsp: number): number {
  const size = (fsp + 1) >> 1;
  if (size === 0) return 0;
  const value = raw.readUIntBE(at, size);
  return size === 1 ? value * 10000 : size === 2 ? value * 100 : value;
}

function withFraction(text: string, micros: number, fsp: number): string {
  return fsp > 0 ? trimFraction(`${text}.${pad(micros, 6)}`) : text;
}

/** DATE (3 bytes, day | month << 5 | year << 9), zero dates kept. */
export function decodeDate(raw: Buffer): string {
  const value = raw.readUIntLE(0, 3);
  return `${pad(value >> 9, 4)}-${pad((value >> 5) & 15, 2)}-${pad(value & 31, 2)}`;
}

/** DATETIME2 (5 bytes big-endian plus the fraction), as `YYYY-MM-DD HH:MM:SS[.ffffff]`. */
export function decodeDatetime2(raw: Buffer, fsp: number): string {
  const packed = raw.readUIntBE(0, 5) - 0x8000000000;
  const ymd = Math.floor(packed / 2 ** 17);
  const hms = packed % 2 ** 17;
  const ym = ymd >> 5;
  const date = `${pad(Math.floor(ym / 13), 4)}-${pad(ym % 13, 2)}-${pad(ymd & 31, 2)}`;
  const time = `${pad(hms >> 12, 2)}:${pad((hms >> 6) & 63, 2)}:${pad(hms & 63, 2)}`;
  return withFraction(`${date} ${time}`, fraction(raw, 5, fsp), fsp);
}

/** UTC text of epoch seconds; 0 (with no fraction) is the zero TIMESTAMP. */
function utcText(seconds: number, micros = 0): string {
  if (seconds === 0 && micros === 0) return '0000-00-00 00:00:00';
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** TIMESTAMP2 (4 bytes big-endian seconds plus the fraction) in UTC, as the reader's sessions print it. */
export function decodeTimestamp2(raw: Buffer, fsp: number): string {
  const micros = fraction(raw, 4, fsp);
  return withFraction(utcText(raw.readUInt32BE(0), micros), micros, fsp);
}

/** TIME2 (my_time_packed_from_binary, then TIME_from_longlong_time_packed), negative times too. */
export function decodeTime2(raw: Buffer, fsp: number): string {
  let packed: bigint;
  const size = (fsp + 1) >> 1;
  let integer = BigInt(raw.readUIntBE(0, 3) - 0x800000);
  if (size === 3) {
    packed = BigInt(raw.readUIntBE(0, 6)) - 0x800000000000n;
  } else {
    let frac = size === 0 ? 0n : BigInt(raw.readUIntBE(3, size));
    if (integer < 0n && frac !== 0n) {
      integer += 1n;
      frac -= size === 1 ? 0x100n : 0x10000n;
    }
    packed = (integer << 24n) + frac * (size === 1 ? 10000n : 100n);
  }
  const negative = packed < 0n;
  if (negative) packed = -packed;
  const hms = packed >> 24n;
  const micros = Number(packed % (1n << 24n));
  const text = `${negative ? '-' : ''}${pad((hms >> 12n) % 1024n, 2)}:${pad((hms >> 6n) % 64n, 2)}:${pad(hms % 64n, 2)}`;
  return withFraction(text, micros, fsp);
}

/** The old TIME (3 bytes, signed HHMMSS). */
function decodeOldTime(raw: Buffer): string {
  const value = raw.readIntLE(0, 3);
  const magnitude = Math.abs(value);
  const text = `${pad(Math.floor(magnitude / 10000), 2)}:${pad(Math.floor(magnitude / 100) % 100, 2)}:${pad(magnitude % 100, 2)}`;
  return value < 0 ? `-${text}` : text;
}

/** The old DATETIME (8 bytes, YYYYMMDDHHMMSS). */
function decodeOldDatetime(raw: Buffer): string {
  const text = raw.readBigUInt64LE(0).toString().padStart(14, '0');
  return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)} ${text.slice(8, 10)}:${text.slice(10, 12)}:${text.slice(12, 14)}`;
}

/** Fixed-width binary values lose their trailing 0x00 bytes in the binlog (Field_string::pack): put them back. */
function padded(raw: Buffer, width: number): Buffer {
  if (raw.length >= width) return Buffer.from(raw);
  const full = Buffer.alloc(width);
  raw.copy(full);
  return full;
}

/** MariaDB's UUID record: a version 1–5 RFC UUID is stored with its time fields swapped for index order. */
export function decodeUuid(stored: Buffer): string {
  const raw = padded(stored, 16);
  let bytes = raw;
  if (raw[0]! > 0 && raw[0]! < 0x60 && (raw[6]! & 0x80) !== 0) {
    bytes = Buffer.concat([raw.subarray(4, 8), raw.subarray(2, 4), raw.subarray(0, 2), raw.subarray(8)]);
  }
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** SET bits → its labels in definition order, comma separated. */
export function decodeSetBits(bits: bigint, labels: string[]): string {
  const members: string[] = [];
  labels.forEach((label, index) => {
    if ((bits >> BigInt(index)) & 1n) members.push(label);
  });
  return members.join(',');
}

/** Character sets the stream decodes itself, as Node's decoders name them (the rest the server converts). */
const LOCAL_CHARSETS: Record<string, 'utf8' | 'windows-1252'> = {
  utf8mb4: 'utf8',
  utf8mb3: 'utf8',
  utf8: 'utf8',
  ascii: 'utf8',
  // MariaDB's latin1 is cp1252 with 0x81, 0x8D, 0x8F, 0x90, 0x9D kept as C1 controls.
  latin1: 'windows-1252',
};

/**
 * MariaDB's latin1 bytes 0x80–0x9F (cp1252, the five undefined ones kept as C1 controls). Node's
 * TextDecoder('windows-1252') decodes them as ISO-8859-1, so the table is spelled out here.
 */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];

/** latin1 (cp1252) bytes as text. */
export function decodeLatin1(bytes: Buffer): string {
  let text = '';
  for (const byte of bytes) {
    text += String.fromCharCode(byte >= 0x80 && byte < 0xa0 ? CP1252_HIGH[byte - 0x80]! : byte);
  }
  return text;
}

/** A decoder of text bytes in the column's character set. */
function textOf(binlog: BinlogColumn, charsetOf: CharsetOf): (bytes: Buffer) => string | ServerRendered {
  const charset = charsetOf(binlog.collation ?? 45) ?? 'utf8mb4';
  const local = LOCAL_CHARSETS[charset];
  if (local === 'utf8') return (bytes) => bytes.toString('utf8');
  if (local === 'windows-1252') return decodeLatin1;
  if (!/^[a-z0-9_]+$/.test(charset)) throw new MysqlValueProblem(`unknown character set ${charset}`);
  const sql = convertTextSql(charset);
  return (bytes) => new ServerRendered(sql, Buffer.from(bytes));
}

/** Reads the stored bytes of one value of a binlog column (also to skip a column nobody reads). */
export function fieldBytes(binlog: BinlogColumn, cursor: BinlogCursor): Buffer {
  const fractionBytes = (binlog.fsp + 1) >> 1;
  switch (binlog.type) {
    case BINLOG_TYPE.TINY:
    case BINLOG_TYPE.YEAR:
      return cursor.bytes(1);
    case BINLOG_TYPE.SHORT:
      return cursor.bytes(2);
    case BINLOG_TYPE.INT24:
    case BINLOG_TYPE.DATE:
    case BINLOG_TYPE.NEWDATE:
    case BINLOG_TYPE.TIME:
      return cursor.bytes(3);
    case BINLOG_TYPE.LONG:
    case BINLOG_TYPE.TIMESTAMP:
      return cursor.bytes(4);
    case BINLOG_TYPE.LONGLONG:
    case BINLOG_TYPE.DATETIME:
      return cursor.bytes(8);
    case BINLOG_TYPE.FLOAT:
    case BINLOG_TYPE.DOUBLE:
      return cursor.bytes(binlog.packLength || (binlog.type === BINLOG_TYPE.FLOAT ? 4 : 8));
    case BINLOG_TYPE.TIMESTAMP2:
      return cursor.bytes(4 + fractionBytes);
    case BINLOG_TYPE.DATETIME2:
      return cursor.bytes(5 + fractionBytes);
    case BINLOG_TYPE.TIME2:
      return cursor.bytes(3 + fractionBytes);
    case BINLOG_TYPE.NEWDECIMAL:
      return cursor.bytes(decimalBinarySize(binlog.precision, binlog.scale));
    case BINLOG_TYPE.BIT:
      return cursor.bytes((binlog.bits + 7) >> 3);
    case BINLOG_TYPE.ENUM:
    case BINLOG_TYPE.SET:
      return cursor.bytes(binlog.packLength);
    case BINLOG_TYPE.VARCHAR:
    case BINLOG_TYPE.VAR_STRING:
    case BINLOG_TYPE.STRING:
      return cursor.bytes(binlog.maxLength > 255 ? cursor.uint16() : cursor.uint8());
    case BINLOG_TYPE.BLOB:
    case BINLOG_TYPE.TINY_BLOB:
    case BINLOG_TYPE.MEDIUM_BLOB:
    case BINLOG_TYPE.LONG_BLOB:
    case BINLOG_TYPE.GEOMETRY:
    case BINLOG_TYPE.JSON:
      return cursor.bytes(cursor.uintLE(binlog.packLength));
    default:
      throw new MysqlValueProblem(`binlog column type ${binlog.type} cannot be read`);
  }
}

const INTEGER_TYPES = new Set<number>([
  BINLOG_TYPE.TINY,
  BINLOG_TYPE.SHORT,
  BINLOG_TYPE.INT24,
  BINLOG_TYPE.LONG,
  BINLOG_TYPE.LONGLONG,
]);
const STRING_TYPES = new Set<number>([BINLOG_TYPE.STRING, BINLOG_TYPE.VARCHAR, BINLOG_TYPE.VAR_STRING]);
const BLOB_TYPES = new Set<number>([
  BINLOG_TYPE.BLOB,
  BINLOG_TYPE.TINY_BLOB,
  BINLOG_TYPE.MEDIUM_BLOB,
  BINLOG_TYPE.LONG_BLOB,
]);

function integerOf(raw: Buffer, unsigned: boolean): bigint {
  if (raw.length === 8) return unsigned ? raw.readBigUInt64LE(0) : raw.readBigInt64LE(0);
  return BigInt(unsigned ? raw.readUIntLE(0, raw.length) : raw.readIntLE(0, raw.length));
}

/**
 * The decoder of one column, or undefined when the binlog type cannot hold the column's
 * LogicalType (the table changed: the caller describes the table again).
 */
export function valueDecoder(
  binlog: BinlogColumn,
  column: Column,
  charsetOf: CharsetOf,
): ValueDecoder | undefined {
  const type = column.type;
  const t = binlog.type;
  const read = (convert: (raw: Buffer) => CanonicalValue | ServerRendered): ValueDecoder => {
    return (cursor) => convert(fieldBytes(binlog, cursor));
  };
  switch (type.kind) {
    case 'integer':
    case 'boolean': {
      let decode: (raw: Buffer) => bigint;
      if (t === BINLOG_TYPE.YEAR) decode = (raw) => (raw[0] === 0 ? 0n : BigInt(1900 + raw[0]!));
      else if (INTEGER_TYPES.has(t)) {
        const unsigned = binlog.unsigned ?? (type.kind === 'integer' && type.unsigned);
        decode = (raw) => integerOf(raw, unsigned);
      } else return undefined;
      return type.kind === 'boolean' ? read((raw) => decode(raw) !== 0n) : read(decode);
    }
    case 'decimal':
      if (t !== BINLOG_TYPE.NEWDECIMAL) return undefined;
      return read((raw) => decodeDecimalBinary(raw, binlog.precision, binlog.scale));
    case 'float':
      if (t === BINLOG_TYPE.FLOAT) return read((raw) => raw.readFloatLE(0));
      if (t === BINLOG_TYPE.DOUBLE) return read((raw) => raw.readDoubleLE(0));
      return undefined;
    case 'text':
    case 'json': {
      if (t === BINLOG_TYPE.JSON) {
        throw new MysqlValueProblem(
          "MySQL's binary JSON in the binlog cannot be read yet (MariaDB's JSON is text and can)",
        );
      }
      if (!STRING_TYPES.has(t) && !BLOB_TYPES.has(t)) return undefined;
      const text = textOf(binlog, charsetOf);
      return read((raw) => text(raw));
    }
    case 'binary': {
      if (!STRING_TYPES.has(t) && !BLOB_TYPES.has(t)) return undefined;
      // BINARY(n) is logged without its trailing 0x00 padding (Field_string::pack); the reader gets n bytes.
      const width = type.fixed && t === BINLOG_TYPE.STRING ? (type.length ?? binlog.maxLength) : 0;
      return read((raw) => padded(raw, width));
    }
    case 'date':
      if (t !== BINLOG_TYPE.DATE && t !== BINLOG_TYPE.NEWDATE) return undefined;
      return read(decodeDate);
    case 'time':
      if (t === BINLOG_TYPE.TIME2) return read((raw) => decodeTime2(raw, binlog.fsp));
      if (t === BINLOG_TYPE.TIME) return read(decodeOldTime);
      return undefined;
    case 'datetime':
      if (t === BINLOG_TYPE.DATETIME2) return read((raw) => decodeDatetime2(raw, binlog.fsp));
      if (t === BINLOG_TYPE.DATETIME) return read(decodeOldDatetime);
      return undefined;
    case 'timestamptz':
      if (t === BINLOG_TYPE.TIMESTAMP2) return read((raw) => decodeTimestamp2(raw, binlog.fsp));
      if (t === BINLOG_TYPE.TIMESTAMP) return read((raw) => utcText(raw.readUInt32LE(0)));
      return undefined;
    case 'enum': {
      if (t !== BINLOG_TYPE.ENUM) return undefined;
      const labels = type.values;
      return read((raw) => {
        const label = labels[raw.readUIntLE(0, raw.length) - 1];
        if (label === undefined) {
          throw new MysqlValueProblem(
            'the stored value is not one of the ENUM labels (an invalid value saved as "")',
          );
        }
        return label;
      });
    }
    case 'set': {
      if (t !== BINLOG_TYPE.SET) return undefined;
      const labels = type.values;
      return read((raw) => {
        let bits = 0n;
        for (let index = raw.length - 1; index >= 0; index--) bits = (bits << 8n) | BigInt(raw[index]!);
        return decodeSetBits(bits, labels);
      });
    }
    case 'uuid':
      if (t !== BINLOG_TYPE.STRING) return undefined;
      return read(decodeUuid);
    case 'bit':
      if (t !== BINLOG_TYPE.BIT) return undefined;
      return read((raw) => decodeBit(raw, type.length));
    case 'other':
      return otherDecoder(binlog, type.name, read);
  }
}

/** Types without a neutral counterpart: their text as the reader selects it. */
function otherDecoder(
  binlog: BinlogColumn,
  name: string,
  read: (convert: (raw: Buffer) => CanonicalValue | ServerRendered) => ValueDecoder,
): ValueDecoder | undefined {
  const t = binlog.type;
  if (t === BINLOG_TYPE.GEOMETRY) {
    // The stored value is a 4-byte SRID and the WKB; the reader selects ST_AsText (no SRID).
    return read((raw) => new ServerRendered(SELECT_WKB_AS_TEXT, Buffer.from(raw.subarray(4))));
  }
  if (name === 'inet4' && t === BINLOG_TYPE.STRING) {
    return read((raw) => Array.from(padded(raw, 4)).join('.'));
  }
  if (name === 'inet6' && t === BINLOG_TYPE.STRING) {
    return read((raw) => new ServerRendered(SELECT_INET6_TEXT, padded(raw, 16)));
  }
  if (STRING_TYPES.has(t) || BLOB_TYPES.has(t)) {
    if (binlog.collation === BINARY_COLLATION) return read((raw) => raw.toString('hex'));
    return read((raw) => raw.toString('utf8'));
  }
  return undefined;
}
