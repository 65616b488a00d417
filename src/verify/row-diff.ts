/**
 * The rows of one key range read from both sides and compared by key: each row is missing in the
 * target, extra there, or different (with the names of the columns that differ). The source rows
 * that repair needs are kept. Only ranges of at most ROWS_TO_COMPARE rows come here.
 */
import type { Connector, KeyRange } from '../connectors/connector.js';
import type { LogicalType } from '../schema/logical-type.js';
import type { CanonicalValue, Row } from '../values/canonical.js';
import { canonicalText } from '../values/canonical-text.js';
import { VERIFY_BATCH } from './range-checksum.js';
import { type FieldRenderer, fieldRenderer } from './row-fields.js';
import { projection, type TablePair } from './table-pair.js';
import type { RowDifference } from './verify-result.js';

/** A differing row with what repair needs: the source row (missing, different), the target key (extra, different). */
export interface FoundDifference extends RowDifference {
  sourceRow?: Row;
  targetKey?: Row;
}

interface SideRows {
  /** By key text: the row's values and field texts. */
  rows: Map<string, { values: Row; fields: string[] }>;
}

async function readSide(
  connector: Connector,
  pair: TablePair,
  side: 'source' | 'target',
  range: KeyRange,
  renderers: FieldRenderer[],
  keyAt: number[],
): Promise<SideRows> {
  const table = projection(
    pair[side],
    pair.columns.map((column) => column[side]),
  );
  const rows = new Map<string, { values: Row; fields: string[] }>();
  const seen = new Map<string, number>();
  const batches = connector.read(table, {
    ...VERIFY_BATCH,
    ...(pair.key ? { key: pair.key[side], range } : {}),
  });
  for await (const batch of batches) {
    for (const values of batch.rows) {
      const fields = values.map((value, at) => renderers[at]!(value));
      // Without a key, a row is its whole text, and the n-th copy of a row matches the n-th.
      let key = keyAt.map((at) => fields[at]).join('|');
      if (keyAt.length === 0) {
        const text = fields.join('|');
        const copy = (seen.get(text) ?? 0) + 1;
        seen.set(text, copy);
        key = `${text}#${copy}`;
      }
      rows.set(key, { values, fields });
    }
  }
  return { rows };
}

/** The differing rows of `range`, in no particular order. */
export async function diffRange(
  source: Connector,
  target: Connector,
  pair: TablePair,
  range: KeyRange,
  showValues: boolean,
): Promise<FoundDifference[]> {
  const names = pair.columns.map((column) => column.source.name);
  const keyNames = pair.key?.source ?? [];
  const keyAt = keyNames.map((name) => names.indexOf(name));
  const render = () =>
    pair.columns.map((column) => fieldRenderer(column.source.type, column.inSql && !!pair.key, pair.mode));
  const [from, to] = await Promise.all([
    readSide(source, pair, 'source', range, render(), keyAt),
    readSide(target, pair, 'target', range, render(), keyAt),
  ]);
  const keyOf = (values: Row): Record<string, string> =>
    Object.fromEntries(
      keyAt.map((at, k) => [keyNames[k]!, keyText(values[at] ?? null, pair.columns[at]!.source.type)]),
    );
  const found: FoundDifference[] = [];
  for (const [key, row] of from.rows) {
    const other = to.rows.get(key);
    if (!other) {
      found.push({ kind: 'missing', key: keyOf(row.values), sourceRow: row.values });
      continue;
    }
    const differing = names.filter((_, at) => row.fields[at] !== other.fields[at]);
    if (differing.length === 0) continue;
    found.push({
      kind: 'different',
      key: keyOf(row.values),
      columns: differing,
      sourceRow: row.values,
      targetKey: keyAt.map((at) => other.values[at]!),
      ...(showValues ? { values: valuesOf(names, differing, row.fields, other.fields) } : {}),
    });
  }
  for (const [key, row] of to.rows) {
    if (from.rows.has(key)) continue;
    found.push({
      kind: 'extra',
      key: keyOf(row.values),
      targetKey: keyAt.map((at) => row.values[at]!),
    });
  }
  return found;
}

/** A key value for people: its canonical text. */
function keyText(value: CanonicalValue, type: LogicalType): string {
  return value === null ? 'NULL' : canonicalText(value, type);
}

function valuesOf(names: string[], differing: string[], source: string[], target: string[]) {
  const pick = (fields: string[]) =>
    Object.fromEntries(differing.map((name) => [name, fields[names.indexOf(name)] ?? null]));
  return { source: pick(source), target: pick(target) };
}
