/**
 * The text each compared value is hashed and compared in, when Ferry (not the database) renders
 * it: the canonical field of src/values/canonical-text.ts, JSON hashed in Ferry normalised with
 * `canonicalJson` (PostgreSQL jsonb reorders keys and respells numbers), and in native mode the
 * JS type of the value too, so a change of storage class is a difference.
 */
import type { LogicalType } from '../schema/logical-type.js';
import type { CanonicalValue } from '../values/canonical.js';
import { type ChecksumMode, canonicalField, canonicalJson } from '../values/canonical-text.js';

/** How one column's value becomes its field text. */
export type FieldRenderer = (value: CanonicalValue) => string;

function typeTag(value: CanonicalValue): string {
  if (value === null) return '';
  if (Buffer.isBuffer(value)) return 'b';
  return typeof value === 'bigint'
    ? 'i'
    : typeof value === 'number'
      ? 'f'
      : typeof value === 'string'
        ? 's'
        : 'l';
}

/** The renderer of a column of `type`: `inSql` columns exactly as the databases render them. */
export function fieldRenderer(type: LogicalType, inSql: boolean, mode: ChecksumMode): FieldRenderer {
  const tagged = (render: FieldRenderer): FieldRenderer =>
    mode === 'native' ? (value) => `${typeTag(value)}${render(value)}` : render;
  if (!inSql && type.kind === 'json') {
    return tagged((value) => {
      if (typeof value !== 'string') return canonicalField(value, type);
      let text: string;
      try {
        text = canonicalJson(value);
      } catch {
        // Not JSON after all (a MariaDB JSON column holds any text): compared as it is.
        text = value;
      }
      return canonicalField(text, type);
    });
  }
  return tagged((value) => canonicalField(value, type));
}

/** The row text of some fields, as ChunkHasher takes it. */
export const joinFields = (fields: readonly string[]) => fields.join('|');
