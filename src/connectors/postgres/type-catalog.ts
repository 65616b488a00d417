/**
 * PostgreSQL's native types as the type-torture fixture (test/fixtures/postgres/torture.sql) uses
 * them, spelled as the server prints them (format_type, valid DDL), each with the logical type
 * introspection gives it. A test introspects the fixture and compares, so docs built from this
 * list cannot drift from the code.
 */
import type { CatalogType } from '../../schema/type-system.js';

/** The labels of the fixture's enum type, in declaration order. */
export const TORTURE_ENUM_LABELS = ['plain', 'with space', 'comma, inside', "quote's", 'double"quote', ''];

const other = (name: string): CatalogType => ({ native: name, logical: { kind: 'other', name } });

/** Every native type of the PostgreSQL type-torture fixture, with its logical type. */
export const POSTGRES_CATALOG: readonly CatalogType[] = [
  { native: 'smallint', logical: { kind: 'integer', bits: 16, unsigned: false } },
  { native: 'integer', logical: { kind: 'integer', bits: 32, unsigned: false } },
  { native: 'bigint', logical: { kind: 'integer', bits: 64, unsigned: false } },
  { native: 'boolean', logical: { kind: 'boolean' } },
  { native: 'numeric', logical: { kind: 'decimal' } },
  { native: 'numeric(65,30)', logical: { kind: 'decimal', precision: 65, scale: 30 } },
  { native: 'numeric(20,0)', logical: { kind: 'decimal', precision: 20, scale: 0 } },
  { native: 'numeric(10,2)', logical: { kind: 'decimal', precision: 10, scale: 2 } },
  { native: 'numeric(5,-2)', logical: { kind: 'decimal', precision: 5, scale: -2 } },
  { native: 'real', logical: { kind: 'float', bits: 32 } },
  { native: 'double precision', logical: { kind: 'float', bits: 64 } },
  { native: 'text', logical: { kind: 'text' } },
  { native: 'character varying(100)', logical: { kind: 'text', length: 100 } },
  { native: 'character(10)', logical: { kind: 'text', length: 10, fixed: true } },
  { native: 'bytea', logical: { kind: 'binary' } },
  { native: 'bit(1)', logical: { kind: 'bit', length: 1 } },
  { native: 'bit(64)', logical: { kind: 'bit', length: 64 } },
  { native: 'bit varying(16)', logical: { kind: 'bit', length: 16, varying: true } },
  { native: 'date', logical: { kind: 'date' } },
  { native: 'time(6) without time zone', logical: { kind: 'time', fsp: 6 } },
  { native: 'time(3) without time zone', logical: { kind: 'time', fsp: 3 } },
  { native: 'timestamp without time zone', logical: { kind: 'datetime', fsp: 6 } },
  { native: 'timestamp(6) without time zone', logical: { kind: 'datetime', fsp: 6 } },
  { native: 'timestamp(0) without time zone', logical: { kind: 'datetime', fsp: 0 } },
  { native: 'timestamp with time zone', logical: { kind: 'timestamptz', fsp: 6 } },
  { native: 'timestamp(6) with time zone', logical: { kind: 'timestamptz', fsp: 6 } },
  { native: 'json', logical: { kind: 'json' } },
  { native: 'jsonb', logical: { kind: 'json', binary: true } },
  { native: 'uuid', logical: { kind: 'uuid' } },
  // An enum type is made with CREATE TYPE … AS ENUM; the fixture's is named torture_label.
  { native: 'torture_label', logical: { kind: 'enum', values: TORTURE_ENUM_LABELS } },
  other('interval'),
  other('integer[]'),
  other('text[]'),
  other('int4range'),
  other('tstzrange'),
  other('inet'),
  other('cidr'),
  other('money'),
  other('xml'),
  other('point'),
];
