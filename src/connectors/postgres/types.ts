/**
 * PostgreSQL's type system: the one mapping table for columns coming from another dialect (DDL,
 * value checks, `--dry-run` and docs/types.md all read it), what each mapping cannot carry, and
 * the catalog → LogicalType mapping used by introspection.
 */

import type { LogicalKind, LogicalType } from '../../schema/logical-type.js';
import type { MappingContext, TypeLoss, TypeMapping, TypeSystem } from '../../schema/type-system.js';
import type { LossKind } from '../../values/loss-kinds.js';
import type { Dialect } from '../dialect.js';
import type { ColumnRow } from './sql.js';
import { POSTGRES_CATALOG } from './type-catalog.js';

type TypeOf<K extends LogicalKind> = Extract<LogicalType, { kind: K }>;

/** How columns of one logical kind from another dialect become PostgreSQL columns. */
interface PostgresMappingRule<K extends LogicalKind> {
  /** The native type created when no policy widens it. */
  native(type: TypeOf<K>): string;
  /** What values of a column from `source` this type cannot hold, most widenable first. */
  losses(type: TypeOf<K>, source: Dialect): TypeLoss[];
  /** The native type that holds the values of `loss`, where widening can. */
  widen?(type: TypeOf<K>, loss: LossKind): string | undefined;
}

const PRODUCT: Record<Dialect, string> = { mysql: 'MySQL', sqlite: 'SQLite', postgres: 'PostgreSQL' };
/** varchar's largest length; longer declared lengths become text. */
const MAX_VARCHAR = 10485760;
/** numeric's largest declared precision; more becomes unbounded numeric. */
const MAX_NUMERIC_PRECISION = 1000;

const withPrecision = (name: string, fsp: number | undefined) =>
  fsp === undefined ? name : `${name}(${fsp})`;

function integerNative({ bits, unsigned }: TypeOf<'integer'>): string {
  if (bits <= 8 || (bits === 16 && !unsigned)) return 'smallint';
  if (bits <= 24 || (bits === 32 && !unsigned)) return 'integer';
  return bits === 64 && unsigned ? 'numeric(20,0)' : 'bigint';
}

/** Zero dates: MySQL stores them, and SQLite text dates may hold what a MySQL copy put there. */
function zeroDates(source: Dialect): TypeLoss[] {
  return [
    {
      loss: 'zero-date',
      detail: `${PRODUCT[source]} zero dates (0000-00-00) and zero-in-part dates such as 2020-00-15`,
    },
  ];
}

/** SQLite keeps whatever digits a date/time text has, whatever the declared precision. */
function sqliteFraction(source: Dialect, fsp: number | undefined): TypeLoss[] {
  return source === 'sqlite'
    ? [{ loss: 'precision', detail: `SQLite values with more than ${fsp ?? 6} fractional-second digits` }]
    : [];
}

const lossless = (): TypeLoss[] => [];

/** The mapping table, one rule per logical kind. */
const RULES: { [K in LogicalKind]: PostgresMappingRule<K> } = {
  integer: {
    native: integerNative,
    // SQLite does not enforce declared widths: only its 64-bit INTEGER fits a type by construction.
    losses: (type, source) =>
      source === 'sqlite' && type.bits < 64
        ? [
            {
              loss: 'out-of-range',
              detail: `SQLite values outside ${integerNative(type)}'s range (SQLite does not enforce declared widths)`,
            },
          ]
        : [],
    widen: (_type, loss) => (loss === 'out-of-range' ? 'numeric' : undefined),
  },
  boolean: { native: () => 'boolean', losses: lossless },
  decimal: {
    native: ({ precision, scale }) =>
      precision === undefined || precision > MAX_NUMERIC_PRECISION
        ? 'numeric'
        : `numeric(${precision},${scale ?? 0})`,
    losses: ({ precision, scale = 0 }, source) =>
      source === 'sqlite' && precision !== undefined && precision <= MAX_NUMERIC_PRECISION
        ? [
            {
              loss: 'out-of-range',
              detail: `SQLite values with more than ${precision - scale} integer digits`,
            },
            { loss: 'precision', detail: `SQLite values with more than ${scale} decimal places` },
          ]
        : [],
    widen: (_type, loss) => (loss === 'out-of-range' || loss === 'precision' ? 'numeric' : undefined),
  },
  float: {
    native: ({ bits }) => (bits === 32 ? 'real' : 'double precision'),
    // MySQL FLOAT holds exact single-precision values; a SQLite REAL is a double.
    losses: ({ bits }, source) =>
      bits === 32 && source === 'sqlite'
        ? [{ loss: 'precision', detail: 'SQLite doubles that single precision (real) would round' }]
        : [],
    widen: (_type, loss) => (loss === 'precision' ? 'double precision' : undefined),
  },
  text: {
    // PostgreSQL's char(n) pads with spaces where MySQL's strips them: varchar keeps the value.
    native: ({ length }) => (length === undefined || length > MAX_VARCHAR ? 'text' : `varchar(${length})`),
    losses: ({ length }, source) => [
      { loss: 'nul-in-text', detail: `${PRODUCT[source]} text containing the NUL character (U+0000)` },
      ...(source === 'sqlite' && length !== undefined && length <= MAX_VARCHAR
        ? [
            {
              loss: 'too-long' as const,
              detail: `SQLite values longer than ${length} characters (SQLite does not enforce declared lengths)`,
            },
          ]
        : []),
    ],
    widen: (_type, loss) => (loss === 'nul-in-text' ? 'bytea' : loss === 'too-long' ? 'text' : undefined),
  },
  binary: { native: () => 'bytea', losses: lossless },
  date: { native: () => 'date', losses: (_type, source) => zeroDates(source) },
  time: {
    native: ({ fsp }) => withPrecision('time', fsp),
    losses: ({ fsp }, source) => [
      {
        loss: 'time-range',
        detail: `${PRODUCT[source]} times below 00:00:00 or above 24:00:00 (MySQL TIME spans ±838:59:59)`,
      },
      ...sqliteFraction(source, fsp),
    ],
    widen: (_type, loss) =>
      loss === 'time-range' ? 'interval' : loss === 'precision' ? 'time(6)' : undefined,
  },
  datetime: {
    native: ({ fsp }) => withPrecision('timestamp', fsp),
    losses: ({ fsp }, source) => [...zeroDates(source), ...sqliteFraction(source, fsp)],
    widen: (_type, loss) => (loss === 'precision' ? 'timestamp(6)' : undefined),
  },
  timestamptz: {
    native: ({ fsp }) => withPrecision('timestamptz', fsp),
    losses: ({ fsp }, source) => [...zeroDates(source), ...sqliteFraction(source, fsp)],
    widen: (_type, loss) => (loss === 'precision' ? 'timestamptz(6)' : undefined),
  },
  json: { native: ({ binary }) => (binary ? 'jsonb' : 'json'), losses: lossless },
  enum: { native: () => 'text', losses: lossless },
  set: { native: () => 'text', losses: lossless },
  uuid: { native: () => 'uuid', losses: lossless },
  bit: {
    native: ({ length, varying }) => (varying ? `bit varying(${length})` : `bit(${length})`),
    losses: lossless,
  },
  other: {
    native: () => 'text',
    losses: ({ name }, source) => [
      {
        loss: 'no-target-type',
        detail: name
          ? `${PRODUCT[source]} ${name} values (PostgreSQL has no such type; widened they are text${/geometry|point|polygon|linestring/i.test(name) ? ', geometry as WKT' : ''})`
          : `${PRODUCT[source]} values of a column without a declared type`,
      },
    ],
    widen: (_type, loss) => (loss === 'no-target-type' ? 'text' : undefined),
  },
};

function ruleFor<K extends LogicalKind>(type: TypeOf<K>): PostgresMappingRule<K> {
  return RULES[type.kind as K];
}

/**
 * The column type for a logical type from ANOTHER dialect and what it cannot carry. When the run's
 * policy for one of those losses is `widen`, the wider type is returned; the loss stays listed so
 * that `--dry-run` can show which policy applies.
 */
export function postgresMapFrom(type: LogicalType, context: MappingContext): TypeMapping {
  const rule = ruleFor(type);
  const losses = context.sourceDialect === 'postgres' ? [] : rule.losses(type, context.sourceDialect);
  for (const { loss } of losses) {
    if (context.coercions?.action(loss, context.table, context.column) !== 'widen') continue;
    const wider = rule.widen?.(type, loss);
    if (wider !== undefined) return { native: wider, losses };
  }
  return { native: rule.native(type), losses };
}

/** The native type for a column of `type` coming from another dialect, when no policy widens it. */
export function postgresDdlType(type: LogicalType): string {
  return ruleFor(type).native(type);
}

/** PostgreSQL's type system for DDL, value checks, `--dry-run` and docs. */
export const POSTGRES_TYPE_SYSTEM: TypeSystem = {
  dialect: 'postgres',
  product: 'PostgreSQL',
  catalog: POSTGRES_CATALOG,
  mapFrom: postgresMapFrom,
};

/**
 * The PostgreSQL logical type introspection gives the column that `postgresDdlType(type)` creates:
 * what a value of `type` meets in the target when no policy widened the column.
 */
export function postgresCreatedType(type: LogicalType): LogicalType {
  switch (type.kind) {
    case 'integer': {
      const native = integerNative(type);
      if (native === 'numeric(20,0)') return { kind: 'decimal', precision: 20, scale: 0 };
      return {
        kind: 'integer',
        bits: native === 'smallint' ? 16 : native === 'integer' ? 32 : 64,
        unsigned: false,
      };
    }
    case 'decimal':
      return type.precision === undefined || type.precision > MAX_NUMERIC_PRECISION
        ? { kind: 'decimal' }
        : { kind: 'decimal', precision: type.precision, scale: type.scale ?? 0 };
    case 'text':
      return type.length === undefined || type.length > MAX_VARCHAR
        ? { kind: 'text' }
        : { kind: 'text', length: type.length };
    case 'binary':
      return { kind: 'binary' };
    case 'time':
    case 'datetime':
    case 'timestamptz':
      return { kind: type.kind, fsp: type.fsp ?? 6 };
    case 'json':
      return type.binary ? { kind: 'json', binary: true } : { kind: 'json' };
    case 'enum':
    case 'set':
    case 'other':
      return { kind: 'text' };
    case 'bit':
      return type.varying
        ? { kind: 'bit', length: type.length, varying: true }
        : { kind: 'bit', length: type.length };
    default:
      return type;
  }
}

/** numeric's typmod packs precision and an 11-bit signed scale after a 4-byte header. */
function numericType(typmod: number): LogicalType {
  if (typmod < 4) return { kind: 'decimal' };
  const packed = typmod - 4;
  const rawScale = packed & 0x7ff;
  return {
    kind: 'decimal',
    precision: (packed >> 16) & 0xffff,
    scale: rawScale > 1023 ? rawScale - 2048 : rawScale,
  };
}

const timePrecision = (typmod: number) => (typmod < 0 ? 6 : typmod);

/** The LogicalType of a catalog column (domains already resolved to their base type). */
export function logicalTypeOf(
  column: Pick<
    ColumnRow,
    'type_name' | 'type_type' | 'type_category' | 'typmod' | 'enum_labels' | 'native_type'
  >,
): LogicalType {
  const { typmod } = column;
  if (column.type_type === 'e') return { kind: 'enum', values: column.enum_labels ?? [] };
  if (column.type_category === 'A') return { kind: 'other', name: column.native_type };
  switch (column.type_name) {
    case 'int2':
      return { kind: 'integer', bits: 16, unsigned: false };
    case 'int4':
      return { kind: 'integer', bits: 32, unsigned: false };
    case 'int8':
      return { kind: 'integer', bits: 64, unsigned: false };
    case 'bool':
      return { kind: 'boolean' };
    case 'numeric':
      return numericType(typmod);
    case 'float4':
      return { kind: 'float', bits: 32 };
    case 'float8':
      return { kind: 'float', bits: 64 };
    case 'varchar':
      return typmod < 4 ? { kind: 'text' } : { kind: 'text', length: typmod - 4 };
    case 'bpchar':
      return typmod < 4 ? { kind: 'text' } : { kind: 'text', length: typmod - 4, fixed: true };
    case 'text':
    case 'name':
      return { kind: 'text' };
    case 'bytea':
      return { kind: 'binary' };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time', fsp: timePrecision(typmod) };
    case 'timestamp':
      return { kind: 'datetime', fsp: timePrecision(typmod) };
    case 'timestamptz':
      return { kind: 'timestamptz', fsp: timePrecision(typmod) };
    case 'json':
      return { kind: 'json' };
    case 'jsonb':
      return { kind: 'json', binary: true };
    case 'uuid':
      return { kind: 'uuid' };
    case 'bit':
      return { kind: 'bit', length: typmod < 0 ? 1 : typmod };
    case 'varbit':
      // Unbounded bit varying has no neutral length: carried as its text.
      return typmod < 0
        ? { kind: 'other', name: column.native_type }
        : { kind: 'bit', length: typmod, varying: true };
    default:
      return { kind: 'other', name: column.native_type };
  }
}
