/** Ferry's library API: everything the CLI does is available from here. */

export {
  type ChunkPlanOptions,
  type ChunkRecord,
  type Connector,
  type ConnectorCapabilities,
  type KeyRange,
  PROGRESS_TABLE,
  type ReadOptions,
  type RecordedChunk,
  type SchemaNote,
  type SchemaRequest,
  type SnapshotOptions,
  type SourceSnapshot,
  type TableFilter,
  type WriteOptions,
  type WriteResult,
} from './connectors/connector.js';
export type { Dialect } from './connectors/dialect.js';
export { createConnector, loadTypeSystem } from './connectors/registry.js';
export { type ConnectionUrl, KNOWN_SCHEMES, parseConnectionUrl } from './connectors/url.js';
export { copyDatabase } from './engine/copy.js';
export type { CopyOptions, IfExistsPolicy } from './engine/copy-options.js';
export type { CopyResult, TableResult } from './engine/copy-result.js';
export type { Reporter } from './engine/events.js';
export { type ColumnPlan, type CopyPlan, planCopy, type TablePlan } from './engine/plan-copy.js';
export type { Rename } from './engine/target-names.js';
export {
  ConnectionError,
  DatabaseError,
  FerryError,
  PreconditionError,
  UsageError,
  ValueError,
} from './errors.js';
export type { LogicalKind, LogicalType } from './schema/logical-type.js';
export type { Column, DatabaseSchema, ForeignKey, Index, SchemaObject, Table } from './schema/table.js';
export { chunkKeyOf, copiedColumns } from './schema/table.js';
export type { TypeLoss, TypeMapping, TypeSystem } from './schema/type-system.js';
export type { CanonicalValue, Row, RowBatch } from './values/canonical.js';
export { type CoercionCount, type CoercionRule, Coercions, parseCoercionRule } from './values/coercions.js';
export { type CoercionAction, LOSS_KIND_NAMES, LOSS_KINDS, type LossKind } from './values/loss-kinds.js';
