/**
 * The native MariaDB types of the type-torture fixture (test/fixtures/mysql/torture.sql), spelled as
 * in DDL, with the logical type introspection gives each. A test checks every entry against the
 * real server, so docs generated from it cannot lie.
 */
import type { CatalogType } from '../../schema/type-system.js';

const int = (bits: 8 | 16 | 24 | 32 | 64, unsigned = false) => ({ kind: 'integer', bits, unsigned }) as const;

/** Every native type of the fixture, in the fixture's order. */
export const MYSQL_CATALOG: readonly CatalogType[] = [
  { native: 'int', logical: int(32) },
  { native: 'tinyint', logical: int(8) },
  { native: 'tinyint unsigned', logical: int(8, true) },
  { native: 'smallint', logical: int(16) },
  { native: 'smallint unsigned', logical: int(16, true) },
  { native: 'mediumint', logical: int(24) },
  { native: 'mediumint unsigned', logical: int(24, true) },
  { native: 'int unsigned', logical: int(32, true) },
  { native: 'bigint', logical: int(64) },
  { native: 'bigint unsigned', logical: int(64, true) },
  // TINYINT(1) stays an integer: it holds 2 and -1 as well.
  { native: 'tinyint(1)', logical: int(8) },
  { native: 'decimal(65,30)', logical: { kind: 'decimal', precision: 65, scale: 30 } },
  { native: 'decimal(10,2)', logical: { kind: 'decimal', precision: 10, scale: 2 } },
  { native: 'decimal(65,0)', logical: { kind: 'decimal', precision: 65, scale: 0 } },
  { native: 'decimal(5,5)', logical: { kind: 'decimal', precision: 5, scale: 5 } },
  { native: 'float', logical: { kind: 'float', bits: 32 } },
  { native: 'double', logical: { kind: 'float', bits: 64 } },
  { native: 'char(10)', logical: { kind: 'text', length: 10, fixed: true } },
  { native: 'varchar(100)', logical: { kind: 'text', length: 100 } },
  { native: 'longtext', logical: { kind: 'text' } },
  { native: 'varchar(300) character set latin1', logical: { kind: 'text', length: 300 } },
  { native: 'varchar(20)', logical: { kind: 'text', length: 20 } },
  { native: 'varbinary(300)', logical: { kind: 'binary', length: 300 } },
  { native: 'longblob', logical: { kind: 'binary' } },
  { native: 'binary(4)', logical: { kind: 'binary', length: 4, fixed: true } },
  { native: 'bit(1)', logical: { kind: 'bit', length: 1 } },
  { native: 'bit(10)', logical: { kind: 'bit', length: 10 } },
  { native: 'bit(64)', logical: { kind: 'bit', length: 64 } },
  { native: 'date', logical: { kind: 'date' } },
  { native: 'time(6)', logical: { kind: 'time', fsp: 6 } },
  { native: 'time', logical: { kind: 'time', fsp: 0 } },
  { native: 'datetime(6)', logical: { kind: 'datetime', fsp: 6 } },
  { native: 'datetime', logical: { kind: 'datetime', fsp: 0 } },
  { native: 'datetime(3)', logical: { kind: 'datetime', fsp: 3 } },
  { native: 'timestamp(6)', logical: { kind: 'timestamptz', fsp: 6 } },
  { native: 'timestamp', logical: { kind: 'timestamptz', fsp: 0 } },
  // YEAR is a 16-bit integer (1901-2155 and 0).
  { native: 'year', logical: int(16) },
  { native: 'json', logical: { kind: 'json' } },
  {
    native: "enum('plain','a b','a,b','it''s','','x\"y')",
    logical: { kind: 'enum', values: ['plain', 'a b', 'a,b', "it's", '', 'x"y'] },
  },
  {
    native: "set('a b','it''s','x\"y','')",
    logical: { kind: 'set', values: ['a b', "it's", 'x"y', ''] },
  },
  { native: 'uuid', logical: { kind: 'uuid' } },
  { native: 'geometry', logical: { kind: 'other', name: 'geometry' } },
  { native: 'point', logical: { kind: 'other', name: 'point' } },
  { native: 'polygon', logical: { kind: 'other', name: 'polygon' } },
];
