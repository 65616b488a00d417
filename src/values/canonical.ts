/**
 * The canonical value form (DESIGN.md principle 2): what every reader produces and every writer
 * consumes, whatever the engines. The JS type of a value follows its column's LogicalType kind.
 */

/**
 * A value in flight. `bigint` for integers, `boolean`, `number` for floats, `string` for decimals,
 * text, dates and times, JSON, enum/set, UUID and bit strings, `Buffer` for binary; `null` is SQL NULL.
 */
export type CanonicalValue = null | bigint | boolean | number | string | Buffer;

/** One row: values in the order of the table's copied columns. */
export type Row = CanonicalValue[];

/** A batch of rows with an estimate of its size in bytes, the unit of backpressure. */
export interface RowBatch {
  rows: Row[];
  bytes: number;
  /**
   * The same-engine fast path (DESIGN.md principle 1): `count` rows in an engine's own encoding
   * (`ReadOptions.encoding`), never decoded; `rows` is then empty.
   */
  encoded?: { format: string; data: Buffer; count: number };
}

/** How many rows a batch carries, decoded or encoded. */
export function batchRowCount(batch: RowBatch): number {
  return batch.encoded ? batch.encoded.count : batch.rows.length;
}

/** An estimate of a value's size in memory-and-wire bytes, for byte-bounded batches. */
export function estimateBytes(value: CanonicalValue): number {
  if (value === null) return 1;
  if (typeof value === 'string') return value.length + 2;
  if (Buffer.isBuffer(value)) return value.length + 2;
  return 8;
}

/** Removes trailing zeros of a fractional-seconds part: `10:00:00.120000` → `10:00:00.12`. */
export function trimFraction(text: string): string {
  const dot = text.lastIndexOf('.');
  if (dot < 0) return text;
  let end = text.length;
  while (end > dot + 1 && text.charCodeAt(end - 1) === 48) end--;
  return end === dot + 1 ? text.slice(0, dot) : text.slice(0, end);
}

/**
 * Decimal text of a finite double without exponent, using its shortest round-trip digits
 * (`1e21` → `1000000000000000000000`, `1.5e-7` → `0.00000015`).
 */
export function numberToDecimalText(value: number): string {
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, fraction = '', exponentText] = match;
  const digits = `${lead}${fraction}`;
  const exponent = Number(exponentText);
  const pointAt = 1 + exponent;
  if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}`;
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}

/** Normalised decimal text for comparison: no leading `+`, no leading/trailing zeros, `-0` → `0`. */
export function normalizeDecimal(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) return text.trim();
  const [, sign, whole = '', fraction = ''] = match;
  const intPart = whole.replace(/^0+(?=\d)/, '') || '0';
  const fracPart = fraction.replace(/0+$/, '');
  const body = fracPart ? `${intPart}.${fracPart}` : intPart;
  return sign === '-' && body !== '0' ? `-${body}` : body;
}

/**
 * One spelling per date/time value, for comparing values read from different engines:
 * `T` → space, missing seconds → `:00`, trailing fractional zeros removed.
 */
export function normalizeTemporal(text: string): string {
  const spaced = text.replace(/^(\d{4}-\d{2}-\d{2})T/, '$1 ');
  const withSeconds = spaced.replace(/(^|[ -])(\d{2,3}:\d{2})$/, '$1$2:00');
  return trimFraction(withSeconds);
}
