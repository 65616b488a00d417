/**
 * Lossless or fail, per value, before anything is sent: each value is checked against the type
 * its target column really has (widened or not), and a value that does not fit goes to the run's
 * policy for its loss kind — error (default), NULL, the documented substitute, or the wider
 * column — with every change counted.
 */
import { type LogicalType, sameLogicalType } from '../../schema/logical-type.js';
import type { Column, Table } from '../../schema/table.js';
import type { CanonicalValue, Row } from '../../values/canonical.js';
import { type Coercions, lossError } from '../../values/coercions.js';
import type { LossKind } from '../../values/loss-kinds.js';
import { type PresentValue, postgresFieldText } from './codecs.js';
import { postgresCreatedType } from './types.js';
import { postgresLossOf, postgresSubstitute } from './value-losses.js';

/** A column of the target table as its catalog describes it. */
export interface PostgresTargetColumn {
  name: string;
  /** format_type's spelling, for messages: `character varying(5)`. */
  native: string;
  type: LogicalType;
  notNull: boolean;
}

/** Turns the canonical values of one column into COPY field texts, applying the run's policies. */
export class PostgresColumnEncoder {
  /** The type the column would have without a widening policy, when the real one differs. */
  private readonly narrower: LogicalType | undefined;

  constructor(
    private readonly table: Table,
    private readonly column: Column,
    private readonly target: PostgresTargetColumn,
    private readonly coercions: Coercions,
    /** The row's primary key as `id=3`, for errors. */
    private readonly keyOf: (row: Row) => string | undefined,
  ) {
    const created = postgresCreatedType(column.type);
    this.narrower = sameLogicalType(created, target.type) ? undefined : created;
  }

  /** The COPY field text of `value` (null = SQL NULL); throws lossError when the policy is `error`. */
  encode(value: CanonicalValue, row: Row): string | null {
    if (value === null) return null;
    let current: PresentValue = value;
    let previous: LossKind | undefined;
    for (;;) {
      const loss = postgresLossOf(current, this.column.type, this.target.type);
      // A substitute that still shows the same loss is a rounding PostgreSQL finishes (time precision).
      if (loss === undefined || loss === previous) break;
      const action = this.coercions.action(loss, this.table.name, this.column.name);
      if (action === 'widen' && loss === 'no-target-type' && this.target.type.kind === 'text') {
        this.count(loss, 'widen');
        break;
      }
      if (action === 'null') return this.toNull(loss, row);
      const replaced =
        action === 'substitute' ? postgresSubstitute(loss, current, this.target.type) : undefined;
      // `error`, or a policy this column cannot apply (widen of a column created narrow).
      if (replaced === undefined) throw this.failure(loss, row);
      this.count(loss, 'substitute');
      if (replaced === null) return this.toNull(loss, row, false);
      current = replaced;
      previous = loss;
    }
    if (this.narrower !== undefined && previous === undefined) this.countWidened(value);
    return postgresFieldText(current, this.target.type);
  }

  private toNull(loss: LossKind, row: Row, count = true): null {
    if (this.target.notNull) throw this.failure(loss, row);
    if (count) this.count(loss, 'null');
    return null;
  }

  /** A value that fits only because a `widen` policy made the column wider: counted as widened. */
  private countWidened(value: PresentValue): void {
    const loss = postgresLossOf(value, this.column.type, this.narrower!);
    // no-target-type is decided above: text is both its narrow and its wide form.
    if (loss === undefined || loss === 'no-target-type') return;
    if (this.coercions.action(loss, this.table.name, this.column.name) === 'widen') this.count(loss, 'widen');
  }

  private count(loss: LossKind, action: 'null' | 'substitute' | 'widen'): void {
    this.coercions.applied(loss, this.table.name, this.column.name, action);
  }

  private failure(loss: LossKind, row: Row) {
    return lossError({
      loss,
      table: this.table.name,
      column: this.column.name,
      key: this.keyOf(row),
      target: `PostgreSQL ${this.target.native}`,
    });
  }
}
