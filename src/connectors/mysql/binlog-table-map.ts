/**
 * TABLE_MAP events: which table the next row events are about, its columns' binlog types and
 * per-type metadata, and the optional metadata `binlog_row_metadata=FULL` adds (names,
 * signedness, character sets, ENUM/SET labels, primary key).
 * https://mariadb.com/kb/en/table_map_event/
 */
import { BinlogCursor } from './binlog-cursor.js';

/** Column type codes as the binlog writes them (enum_field_types). */
export const BINLOG_TYPE = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TIME2: 19,
  BLOB_COMPRESSED: 140,
  VARCHAR_COMPRESSED: 141,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;

/** One column of a table map, its metadata unpacked. */
export interface BinlogColumn {
  /** The binlog type; for CHAR/BINARY/ENUM/SET the real type from the metadata (STRING, ENUM, SET). */
  type: number;
  /** From the optional metadata; undefined without binlog_row_metadata=FULL. */
  name?: string;
  nullable: boolean;
  /** Integer, float and decimal columns: UNSIGNED (optional metadata). */
  unsigned?: boolean;
  /** Character columns (and ENUM/SET): the collation id (optional metadata); 63 = binary. */
  collation?: number;
  /** ENUM/SET labels as the binlog holds them (bytes in the column's character set). */
  labels?: Buffer[];
  /** FLOAT/DOUBLE size; BLOB/TEXT/GEOMETRY/JSON length bytes; ENUM/SET storage bytes. */
  packLength: number;
  /** VARCHAR/CHAR/BINARY: the largest value in bytes (decides a 1- or 2-byte length). */
  maxLength: number;
  /** DECIMAL precision and scale. */
  precision: number;
  scale: number;
  /** TIME2/DATETIME2/TIMESTAMP2 fractional digits. */
  fsp: number;
  /** BIT(n): n. */
  bits: number;
}

/** A TABLE_MAP event. */
export interface TableMap {
  tableId: number;
  database: string;
  table: string;
  columns: BinlogColumn[];
  /** Column indexes of the primary key (optional metadata). */
  primaryKey?: number[];
}

/** Optional metadata field types (Table_map_log_event::Optional_metadata_field_type). */
const META = {
  SIGNEDNESS: 1,
  DEFAULT_CHARSET: 2,
  COLUMN_CHARSET: 3,
  COLUMN_NAME: 4,
  SET_STR_VALUE: 5,
  ENUM_STR_VALUE: 6,
  GEOMETRY_TYPE: 7,
  SIMPLE_PRIMARY_KEY: 8,
  PRIMARY_KEY_WITH_PREFIX: 9,
  ENUM_AND_SET_DEFAULT_CHARSET: 10,
  ENUM_AND_SET_COLUMN_CHARSET: 11,
} as const;

function isNumeric(type: number): boolean {
  return (
    type === BINLOG_TYPE.TINY ||
    type === BINLOG_TYPE.SHORT ||
    type === BINLOG_TYPE.INT24 ||
    type === BINLOG_TYPE.LONG ||
    type === BINLOG_TYPE.LONGLONG ||
    type === BINLOG_TYPE.FLOAT ||
    type === BINLOG_TYPE.DOUBLE ||
    type === BINLOG_TYPE.NEWDECIMAL ||
    type === BINLOG_TYPE.DECIMAL
  );
}

/** Columns whose collation the DEFAULT_CHARSET/COLUMN_CHARSET fields list (ENUM and SET apart). */
function isCharacter(type: number): boolean {
  return (
    type === BINLOG_TYPE.STRING ||
    type === BINLOG_TYPE.VAR_STRING ||
    type === BINLOG_TYPE.VARCHAR ||
    type === BINLOG_TYPE.BLOB ||
    type === BINLOG_TYPE.TINY_BLOB ||
    type === BINLOG_TYPE.MEDIUM_BLOB ||
    type === BINLOG_TYPE.LONG_BLOB ||
    type === BINLOG_TYPE.BLOB_COMPRESSED ||
    type === BINLOG_TYPE.VARCHAR_COMPRESSED
  );
}

function isEnumOrSet(type: number): boolean {
  return type === BINLOG_TYPE.ENUM || type === BINLOG_TYPE.SET;
}

function blankColumn(type: number, nullable: boolean): BinlogColumn {
  return { type, nullable, packLength: 0, maxLength: 0, precision: 0, scale: 0, fsp: 0, bits: 0 };
}

/** Unpacks one column's type metadata (Field::save_field_metadata of each type). */
function readTypeMetadata(column: BinlogColumn, meta: BinlogCursor): void {
  switch (column.type) {
    case BINLOG_TYPE.FLOAT:
    case BINLOG_TYPE.DOUBLE:
    case BINLOG_TYPE.BLOB:
    case BINLOG_TYPE.TINY_BLOB:
    case BINLOG_TYPE.MEDIUM_BLOB:
    case BINLOG_TYPE.LONG_BLOB:
    case BINLOG_TYPE.GEOMETRY:
    case BINLOG_TYPE.JSON:
    case BINLOG_TYPE.BLOB_COMPRESSED:
      column.packLength = meta.uint8();
      return;
    case BINLOG_TYPE.TIMESTAMP2:
    case BINLOG_TYPE.DATETIME2:
    case BINLOG_TYPE.TIME2:
      column.fsp = meta.uint8();
      return;
    case BINLOG_TYPE.VARCHAR:
    case BINLOG_TYPE.VAR_STRING:
    case BINLOG_TYPE.VARCHAR_COMPRESSED:
      column.maxLength = meta.uint16();
      return;
    case BINLOG_TYPE.BIT: {
      const rest = meta.uint8();
      const bytes = meta.uint8();
      column.bits = bytes * 8 + rest;
      return;
    }
    case BINLOG_TYPE.NEWDECIMAL:
      column.precision = meta.uint8();
      column.scale = meta.uint8();
      return;
    case BINLOG_TYPE.STRING:
    case BINLOG_TYPE.ENUM:
    case BINLOG_TYPE.SET: {
      const first = meta.uint8();
      const second = meta.uint8();
      // The real type shares its byte with the top bits of a length over 255 (MySQL bug 37426).
      if ((first & 0x30) !== 0x30) {
        column.type = first | 0x30;
        column.maxLength = second | (((first & 0x30) ^ 0x30) << 4);
      } else {
        column.type = first;
        column.maxLength = second;
      }
      if (isEnumOrSet(column.type)) column.packLength = column.maxLength;
      return;
    }
    default:
      return;
  }
}

/** A bitmap with the first column in the top bit of the first byte (optional metadata bitmaps). */
function topBitFirst(bytes: Buffer, index: number): boolean {
  return ((bytes[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;
}

/** Collations of DEFAULT_CHARSET-style fields: a default, then (index, collation) exceptions. */
function defaultCollations(value: BinlogCursor, count: number): number[] {
  const fallback = value.lenenc();
  const collations = new Array<number>(count).fill(fallback);
  while (value.remaining > 0) {
    const index = value.lenenc();
    const collation = value.lenenc();
    if (index < count) collations[index] = collation;
  }
  return collations;
}

function columnCollations(value: BinlogCursor): number[] {
  const collations: number[] = [];
  while (value.remaining > 0) collations.push(value.lenenc());
  return collations;
}

function labelLists(value: BinlogCursor): Buffer[][] {
  const lists: Buffer[][] = [];
  while (value.remaining > 0) {
    const count = value.lenenc();
    const labels: Buffer[] = [];
    for (let index = 0; index < count; index++) labels.push(Buffer.from(value.lenencBytes()));
    lists.push(labels);
  }
  return lists;
}

/** Applies the optional metadata fields to the columns. */
function readOptionalMetadata(map: TableMap, cursor: BinlogCursor): void {
  const columns = map.columns;
  const numeric = columns.filter((column) => isNumeric(column.type));
  const character = columns.filter((column) => isCharacter(column.type));
  const enumSet = columns.filter((column) => isEnumOrSet(column.type));
  while (cursor.remaining > 0) {
    const fieldType = cursor.uint8();
    const length = cursor.lenenc();
    const value = new BinlogCursor(cursor.buffer, cursor.offset, cursor.offset + length);
    cursor.skip(length);
    switch (fieldType) {
      case META.SIGNEDNESS: {
        const bits = value.rest();
        numeric.forEach((column, index) => {
          column.unsigned = topBitFirst(bits, index);
        });
        break;
      }
      case META.DEFAULT_CHARSET:
        defaultCollations(value, character.length).forEach((collation, index) => {
          character[index]!.collation = collation;
        });
        break;
      case META.COLUMN_CHARSET:
        columnCollations(value).forEach((collation, index) => {
          if (character[index]) character[index].collation = collation;
        });
        break;
      case META.ENUM_AND_SET_DEFAULT_CHARSET:
        defaultCollations(value, enumSet.length).forEach((collation, index) => {
          enumSet[index]!.collation = collation;
        });
        break;
      case META.ENUM_AND_SET_COLUMN_CHARSET:
        columnCollations(value).forEach((collation, index) => {
          if (enumSet[index]) enumSet[index].collation = collation;
        });
        break;
      case META.COLUMN_NAME:
        for (const column of columns) column.name = value.lenencBytes().toString('utf8');
        break;
      case META.SET_STR_VALUE:
      case META.ENUM_STR_VALUE: {
        const wanted = fieldType === META.SET_STR_VALUE ? BINLOG_TYPE.SET : BINLOG_TYPE.ENUM;
        const lists = labelLists(value);
        columns
          .filter((column) => column.type === wanted)
          .forEach((column, index) => {
            column.labels = lists[index];
          });
        break;
      }
      case META.SIMPLE_PRIMARY_KEY: {
        const key: number[] = [];
        while (value.remaining > 0) key.push(value.lenenc());
        map.primaryKey = key;
        break;
      }
      case META.PRIMARY_KEY_WITH_PREFIX: {
        const key: number[] = [];
        while (value.remaining > 0) {
          key.push(value.lenenc());
          value.lenenc(); // prefix length
        }
        map.primaryKey = key;
        break;
      }
      default:
        break; // geometry subtypes, visibility: not needed to decode
    }
  }
}

/** Parses a TABLE_MAP event's body (the header already read, the checksum already stripped). */
export function parseTableMap(body: BinlogCursor): TableMap {
  const tableId = body.uintLE(6);
  body.skip(2); // flags
  const database = body.bytes(body.uint8()).toString('utf8');
  body.skip(1);
  const table = body.bytes(body.uint8()).toString('utf8');
  body.skip(1);
  const count = body.lenenc();
  const types = Array.from(body.bytes(count));
  const metaLength = body.lenenc();
  const meta = new BinlogCursor(body.buffer, body.offset, body.offset + metaLength);
  body.skip(metaLength);
  const nulls = body.bytes((count + 7) >> 3);
  const columns = types.map((type, index) =>
    blankColumn(type, ((nulls[index >> 3] ?? 0) & (1 << (index & 7))) !== 0),
  );
  for (const column of columns) readTypeMetadata(column, meta);
  const map: TableMap = { tableId, database, table, columns };
  readOptionalMetadata(map, body);
  return map;
}
