/**
 * Chunk boundaries as the state file keeps them: JSON whose every value carries its type, so a
 * saved range reads back exactly (a 64-bit key stays a bigint, a binary key stays bytes) and a
 * resumed run splits its tables exactly where the interrupted one did.
 */
import type { KeyRange } from '../connectors/connector.js';
import type { CanonicalValue } from '../values/canonical.js';

type Tagged =
  | null
  | { i: string }
  | { f: number | 'NaN' | 'Infinity' | '-Infinity' | '-0' }
  | { s: string }
  | { b: string }
  | { l: boolean };

function tag(value: CanonicalValue): Tagged {
  if (value === null) return null;
  if (typeof value === 'bigint') return { i: value.toString() };
  if (typeof value === 'string') return { s: value };
  if (typeof value === 'boolean') return { l: value };
  if (Buffer.isBuffer(value)) return { b: value.toString('base64') };
  if (Number.isNaN(value)) return { f: 'NaN' };
  if (value === Infinity) return { f: 'Infinity' };
  if (value === -Infinity) return { f: '-Infinity' };
  if (Object.is(value, -0)) return { f: '-0' };
  return { f: value };
}

function untag(tagged: Tagged): CanonicalValue {
  if (tagged === null) return null;
  if ('i' in tagged) return BigInt(tagged.i);
  if ('s' in tagged) return tagged.s;
  if ('l' in tagged) return tagged.l;
  if ('b' in tagged) return Buffer.from(tagged.b, 'base64');
  const f = tagged.f;
  if (f === 'NaN') return Number.NaN;
  if (f === 'Infinity') return Infinity;
  if (f === '-Infinity') return -Infinity;
  if (f === '-0') return -0;
  return f;
}

/** The saved form of a key range. */
export function encodeKeyRange(range: KeyRange): string {
  return JSON.stringify({
    ...(range.after ? { after: range.after.map(tag) } : {}),
    ...(range.through ? { through: range.through.map(tag) } : {}),
  });
}

/** A key range read back from its saved form. */
export function decodeKeyRange(text: string): KeyRange {
  const plain = JSON.parse(text) as { after?: Tagged[]; through?: Tagged[] };
  return {
    ...(plain.after ? { after: plain.after.map(untag) } : {}),
    ...(plain.through ? { through: plain.through.map(untag) } : {}),
  };
}
