/**
 * Each engine's type system as data: which native types it has (and the logical type each
 * introspects to), and which native type it creates for a column coming from another engine, with
 * what that mapping cannot carry. DDL, value checks, `--dry-run` and docs/types.md all use it.
 */
import type { Dialect } from '../connectors/dialect.js';
import type { Coercions } from '../values/coercions.js';
import type { LossKind } from '../values/loss-kinds.js';
import type { LogicalType } from './logical-type.js';

/** One thing a mapping cannot carry: the loss kind, and which values it concerns. */
export interface TypeLoss {
  loss: LossKind;
  /** Which values, concretely: "MySQL zero dates", "values above 2^63−1". */
  detail: string;
}

/** The target type of a column and what it cannot carry; no losses = lossless. */
export interface TypeMapping {
  native: string;
  losses: TypeLoss[];
}

/** What a mapping depends on besides the logical type. */
export interface MappingContext {
  sourceDialect: Dialect;
  table: string;
  column: string;
  /** The column is part of a key or index (MySQL cannot index unbounded text). */
  inKey?: boolean;
  /** The run's policies: `widen` changes the type chosen. */
  coercions?: Coercions;
}

/** A native type of an engine with the logical type introspection gives it. */
export interface CatalogType {
  native: string;
  logical: LogicalType;
}

/** An engine's type system. Pure data and functions: no connection needed. */
export interface TypeSystem {
  dialect: Dialect;
  /** The engine's product name for messages, e.g. `PostgreSQL`. */
  product: string;
  /** Representative native types (every type of the type-torture fixture), for docs and tests. */
  catalog: readonly CatalogType[];
  /** The type created for a column of ANOTHER dialect, and what it cannot carry. */
  mapFrom(type: LogicalType, context: MappingContext): TypeMapping;
}
