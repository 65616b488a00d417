/**
 * The keys of the rows most recently sent to COPY, by line number: PostgreSQL reports a bad
 * value by line, some lines after the client sent it, and the error must name the row's key.
 * Bounded, so a chunk of any size costs bounded memory.
 */
import type { CanonicalValue, Row } from '../../values/canonical.js';
import { describeKey } from './copy-errors.js';

/** Remembers the primary key values of the last `capacity` rows written. */
export class PostgresKeyWindow {
  private readonly keys: CanonicalValue[][] = [];
  private firstLine = 1;

  constructor(
    private readonly names: readonly string[],
    private readonly positions: readonly number[],
    private readonly capacity = 100_000,
  ) {}

  /** Records the key of the next line's row. */
  add(row: Row): void {
    if (this.positions.length === 0) return;
    this.keys.push(this.positions.map((position) => row[position] ?? null));
    if (this.keys.length > this.capacity) {
      // Drop the oldest half at once: shift() per row would be quadratic.
      this.keys.splice(0, this.capacity / 2);
      this.firstLine += this.capacity / 2;
    }
  }

  /** The key of the row on COPY line `line` (1-based), when it is still remembered. */
  keyAt(line: number): string | undefined {
    const key = this.keys[line - this.firstLine];
    return key === undefined ? undefined : describeKey(this.names, key);
  }
}
