/**
 * The neutral type model. Every connector maps its native types to a LogicalType on introspection
 * and back to a native type for DDL; values travel in the canonical form documented per kind.
 */

/** A column type independent of any engine, with the facts that decide what a target can hold. */
export type LogicalType =
  /** Canonical value: `bigint`. */
  | { kind: 'integer'; bits: 8 | 16 | 24 | 32 | 64; unsigned: boolean }
  /** Canonical value: `boolean`. Only for real booleans: MySQL TINYINT(1) is an `integer`. */
  | { kind: 'boolean' }
  /** Canonical value: decimal text such as `-12.50` (no exponent). Precision absent = unbounded. */
  | { kind: 'decimal'; precision?: number; scale?: number }
  /** Canonical value: `number` (NaN, ±Infinity and -0 kept). `bits: 32` holds single precision. */
  | { kind: 'float'; bits: 32 | 64 }
  /** Canonical value: `string`. `length` in characters; `fixed` for CHAR. */
  | { kind: 'text'; length?: number; fixed?: boolean }
  /** Canonical value: `Buffer`. `length` in bytes; `fixed` for BINARY(n). */
  | { kind: 'binary'; length?: number; fixed?: boolean }
  /** Canonical value: `YYYY-MM-DD` (engine-specific extremes such as `0000-00-00` kept as text). */
  | { kind: 'date' }
  /** Canonical value: `[-]HH:MM[:SS[.ffffff]]` as the source spells it (compare with `normalizeTemporal`). */
  | { kind: 'time'; fsp?: number }
  /** Date and time without zone. Canonical value: `YYYY-MM-DD[ T]HH:MM[:SS[.ffffff]]` as the source spells it. */
  | { kind: 'datetime'; fsp?: number }
  /** An instant. Canonical value: UTC as `YYYY-MM-DD HH:MM:SS[.ffffff]`, no zone suffix. */
  | { kind: 'timestamptz'; fsp?: number }
  /** Canonical value: the JSON document's text, as the source printed it. */
  | { kind: 'json'; binary?: boolean }
  /** Canonical value: the label. */
  | { kind: 'enum'; values: string[] }
  /** Canonical value: labels joined by commas, in the source's order. */
  | { kind: 'set'; values: string[] }
  /** Canonical value: lower-case `8-4-4-4-12` text. */
  | { kind: 'uuid' }
  /** Canonical value: a string of `0`/`1`, `length` digits for a fixed-width BIT(n). */
  | { kind: 'bit'; length: number; varying?: boolean }
  /** A type with no neutral counterpart. Canonical value: the engine's text form. */
  | { kind: 'other'; name: string };

/** The kinds of LogicalType, for tables keyed by kind. */
export type LogicalKind = LogicalType['kind'];

/** A short human description such as `integer(64, unsigned)` or `decimal(10,2)`. */
export function describeType(type: LogicalType): string {
  switch (type.kind) {
    case 'integer':
      return `integer(${type.bits}${type.unsigned ? ', unsigned' : ''})`;
    case 'decimal':
      return type.precision === undefined ? 'decimal' : `decimal(${type.precision},${type.scale ?? 0})`;
    case 'float':
      return `float(${type.bits})`;
    case 'text':
    case 'binary':
      return `${type.fixed ? 'fixed ' : ''}${type.kind}${type.length === undefined ? '' : `(${type.length})`}`;
    case 'time':
    case 'datetime':
    case 'timestamptz':
      return `${type.kind}${type.fsp ? `(${type.fsp})` : ''}`;
    case 'enum':
    case 'set':
      return `${type.kind}(${type.values.length} labels)`;
    case 'bit':
      return `bit(${type.length})`;
    case 'other':
      return `other(${type.name})`;
    default:
      return type.kind;
  }
}

/** Whether two logical types are the same type, facts and all (`decimal(10,2)` is not `decimal(10,4)`). */
export function sameLogicalType(a: LogicalType, b: LogicalType): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
