/**
 * The native MariaDB/MySQL type created for a column of another dialect, and what that type cannot
 * carry (the mapping's losses). DDL, the writer's value checks, `--dry-run` and docs/types.md all
 * read it through MYSQL_TYPE_SYSTEM.mapFrom; a `widen` policy on one of the losses picks the wider type.
 */

import type { LogicalType } from '../../schema/logical-type.js';
import type { MappingContext, TypeLoss, TypeMapping } from '../../schema/type-system.js';
import type { LossKind } from '../../values/loss-kinds.js';
import type { Dialect } from '../dialect.js';
import { quoteString } from './sql.js';

/** MariaDB or MySQL: one dialect, a few differences (UUID type, JSON storage, catalog columns). */
export type MysqlFlavor = 'mariadb' | 'mysql';

/** The target server facts a mapping depends on. */
export interface MysqlServerTypes {
  flavor: MysqlFlavor;
  /** MariaDB 10.7+ has a native UUID type. */
  hasUuidType: boolean;
}

/** A mapping with a note for the schema report (something carried in another form, not a loss). */
export interface MysqlMapping extends TypeMapping {
  note?: string;
}

/** Cross-dialect text keeps the source's byte-wise, case-sensitive comparisons and uniqueness. */
export const CROSS_TEXT = 'CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';
const ASCII = 'CHARACTER SET ascii COLLATE ascii_bin';
/** Longest utf8mb4 VARCHAR InnoDB can index whole (3072 bytes). */
export const KEY_TEXT_LENGTH = 768;
export const KEY_BINARY_LENGTH = 3072;
/** Longest VARCHAR/VARBINARY declared for a foreign column; longer ones become LONGTEXT/LONGBLOB. */
const MAX_VARCHAR = 16383;
const INTEGER_NAMES: Record<number, string> = {
  8: 'tinyint',
  16: 'smallint',
  24: 'mediumint',
  32: 'int',
  64: 'bigint',
};
const PRODUCTS: Record<Dialect, string> = {
  postgres: 'PostgreSQL',
  mysql: 'MariaDB/MySQL',
  sqlite: 'SQLite',
};

/** Builds a mapping; `widenTo` is the type used when the run's policy widens one of the losses. */
class Choice {
  readonly losses: TypeLoss[] = [];
  private widened: string | undefined;
  note: string | undefined;

  constructor(
    private native: string,
    private readonly context: MappingContext,
  ) {}

  loss(loss: LossKind, detail: string, widenTo?: string): this {
    this.losses.push({ loss, detail });
    const { coercions, table, column } = this.context;
    if (widenTo !== undefined && coercions?.action(loss, table, column) === 'widen') this.widened = widenTo;
    return this;
  }

  result(): MysqlMapping {
    const native = this.widened ?? this.native;
    return { native, losses: this.losses, ...(this.note ? { note: this.note } : {}) };
  }

  set(native: string): this {
    this.native = native;
    return this;
  }
}

function fsp(value: number | undefined): string {
  const digits = value === undefined ? 6 : Math.min(Math.max(value, 0), 6);
  return digits === 0 ? '' : `(${digits})`;
}

function fspLoss(choice: Choice, value: number | undefined): void {
  if (value !== undefined && value > 6) choice.loss('precision', 'fractional seconds beyond 6 digits');
}

function textNative(length: number | undefined, keyed: boolean): string {
  if (keyed && (length === undefined || length > KEY_TEXT_LENGTH))
    return `varchar(${KEY_TEXT_LENGTH}) ${CROSS_TEXT}`;
  if (length !== undefined && length <= MAX_VARCHAR) return `varchar(${length}) ${CROSS_TEXT}`;
  return `longtext ${CROSS_TEXT}`;
}

function text(type: Extract<LogicalType, { kind: 'text' }>, choice: Choice, context: MappingContext): void {
  const keyed = context.inKey === true;
  // VARCHAR, not CHAR, even for fixed-length text: MySQL's CHAR strips trailing spaces on read.
  choice.set(textNative(type.length, keyed));
  if (keyed && (type.length === undefined || type.length > KEY_TEXT_LENGTH)) {
    choice.loss(
      'too-long',
      `values longer than ${KEY_TEXT_LENGTH} characters (the column is in a key or index)`,
    );
  } else if (context.sourceDialect === 'sqlite' && type.length !== undefined) {
    choice.loss(
      'too-long',
      `values longer than ${type.length} characters (SQLite does not enforce declared lengths)`,
      `longtext ${CROSS_TEXT}`,
    );
  }
}

function binary(
  type: Extract<LogicalType, { kind: 'binary' }>,
  choice: Choice,
  context: MappingContext,
): void {
  const length = type.length;
  if (type.fixed && length !== undefined && length <= 255) choice.set(`binary(${length})`);
  else if (context.inKey && (length === undefined || length > KEY_BINARY_LENGTH)) {
    choice.set(`varbinary(${KEY_BINARY_LENGTH})`);
    choice.loss(
      'too-long',
      `values longer than ${KEY_BINARY_LENGTH} bytes (the column is in a key or index)`,
    );
    return;
  } else if (length !== undefined && length <= MAX_VARCHAR) choice.set(`varbinary(${length})`);
  else choice.set('longblob');
  if (context.sourceDialect === 'sqlite' && length !== undefined) {
    choice.loss(
      'too-long',
      `values longer than ${length} bytes (SQLite does not enforce declared lengths)`,
      'longblob',
    );
  }
}

function decimal(
  type: Extract<LogicalType, { kind: 'decimal' }>,
  choice: Choice,
  context: MappingContext,
): void {
  const wide = context.inKey ? `varchar(3072) ${ASCII}` : `longtext ${ASCII}`;
  const scale = Math.max(type.scale ?? 0, 0);
  const whole = type.precision === undefined ? undefined : type.precision - (type.scale ?? 0);
  if (whole === undefined) {
    choice.set('decimal(65,30)');
    choice.loss('out-of-range', 'values with more than 35 digits before the decimal point', wide);
    choice.loss('precision', 'values with more than 30 digits after the decimal point', wide);
  } else {
    const keptScale = Math.min(scale, 30);
    const keptWhole = Math.min(whole, 65 - keptScale);
    choice.set(`decimal(${Math.max(keptWhole + keptScale, 1)},${keptScale})`);
    if (keptWhole < whole)
      choice.loss('out-of-range', `values with more than ${keptWhole} digits before the decimal point`, wide);
    if (keptScale < scale)
      choice.loss('precision', 'values with more than 30 digits after the decimal point', wide);
  }
  if (context.sourceDialect === 'postgres')
    choice.loss('special-float', 'PostgreSQL numeric NaN and ±Infinity');
}

function timestamptz(
  type: Extract<LogicalType, { kind: 'timestamptz' }>,
  choice: Choice,
  context: MappingContext,
): void {
  choice.set(`timestamp${fsp(type.fsp)}`);
  choice.loss(
    'out-of-range',
    'instants before 1970-01-01 00:00:01 or after 2038-01-19 03:14:07.999999 UTC (the range of TIMESTAMP)',
    `datetime${fsp(type.fsp)}`,
  );
  if (context.sourceDialect === 'postgres') {
    choice.loss('infinite-date', 'PostgreSQL infinity, -infinity, BC dates and years after 9999');
  }
  fspLoss(choice, type.fsp);
}

function other(type: Extract<LogicalType, { kind: 'other' }>, choice: Choice, context: MappingContext): void {
  const native = textNative(undefined, context.inKey === true);
  choice.set(native);
  const what =
    type.name === ''
      ? `${PRODUCTS[context.sourceDialect]} values of a column with no declared type`
      : `${PRODUCTS[context.sourceDialect]} ${type.name} values`;
  choice.loss('no-target-type', what, native);
}

function labels(values: string[]): string {
  return values.map(quoteString).join(',');
}

/** The native type and losses for a column of logical type `type` coming from another dialect. */
export function mysqlMapping(
  type: LogicalType,
  context: MappingContext,
  server: MysqlServerTypes,
): MysqlMapping {
  const choice = new Choice('longtext', context);
  const fromPostgres = context.sourceDialect === 'postgres';
  switch (type.kind) {
    case 'integer':
      choice.set(`${INTEGER_NAMES[type.bits] ?? 'bigint'}${type.unsigned ? ' unsigned' : ''}`);
      break;
    case 'boolean':
      choice.set('tinyint(1)');
      break;
    case 'decimal':
      decimal(type, choice, context);
      break;
    case 'float':
      choice.set(type.bits === 32 ? 'float' : 'double');
      choice.loss(
        'special-float',
        fromPostgres
          ? 'NaN, ±Infinity and -0 (MariaDB/MySQL store none of them)'
          : '±Infinity and -0 (MariaDB/MySQL store neither)',
      );
      break;
    case 'text':
      text(type, choice, context);
      break;
    case 'binary':
      binary(type, choice, context);
      break;
    case 'date':
      choice.set('date');
      if (fromPostgres)
        choice.loss('infinite-date', 'PostgreSQL infinity, -infinity, BC dates and years after 9999');
      break;
    case 'time':
      choice.set(`time${fsp(type.fsp)}`);
      fspLoss(choice, type.fsp);
      break;
    case 'datetime':
      choice.set(`datetime${fsp(type.fsp)}`);
      if (fromPostgres)
        choice.loss('infinite-date', 'PostgreSQL infinity, -infinity, BC dates and years after 9999');
      fspLoss(choice, type.fsp);
      break;
    case 'timestamptz':
      timestamptz(type, choice, context);
      break;
    case 'json':
      choice.set('json');
      break;
    case 'enum':
      if (type.values.some((label) => label.endsWith(' '))) {
        // MySQL strips trailing spaces from ENUM labels: keep such labels as text.
        const longest = Math.max(1, ...type.values.map((label) => [...label].length));
        choice.set(`varchar(${longest}) ${CROSS_TEXT}`);
        choice.note = 'ENUM labels end with spaces (MySQL would strip them): created as VARCHAR';
      } else choice.set(`enum(${labels(type.values)}) ${CROSS_TEXT}`);
      break;
    case 'set':
      choice.set(`set(${labels(type.values)}) ${CROSS_TEXT}`);
      break;
    case 'uuid':
      choice.set(server.hasUuidType ? 'uuid' : `char(36) ${ASCII}`);
      break;
    case 'bit':
      if (!type.varying && type.length >= 1 && type.length <= 64) choice.set(`bit(${type.length})`);
      else {
        // MySQL BIT is fixed-width: variable or longer bit strings keep their digits as ASCII text.
        const length = context.inKey ? 3072 : type.length;
        choice.set(`${length <= MAX_VARCHAR ? `varchar(${length})` : 'longtext'} ${ASCII}`);
        choice.note = 'bit string stored as text of 0/1 digits';
      }
      break;
    case 'other':
      other(type, choice, context);
      break;
  }
  return choice.result();
}
