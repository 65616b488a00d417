/**
 * Text forms SQLite stores for numbers, dates and times, checked and brought to Ferry's canonical
 * form (DESIGN.md principle 2). Each returns undefined for text that is not such a literal.
 */
import { trimFraction } from '../../values/canonical.js';

/** Smallest and largest values of SQLite's 64-bit INTEGER storage class. */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** SQLite's storage classes of a non-NULL value. */
export type SqliteStorageClass = 'INTEGER' | 'REAL' | 'TEXT' | 'BLOB';

/** The storage class of a value as better-sqlite3 returns it with safe integers on. */
export function storageClassOf(value: bigint | number | string | Buffer): SqliteStorageClass {
  if (typeof value === 'bigint') return 'INTEGER';
  if (typeof value === 'number') return 'REAL';
  if (typeof value === 'string') return 'TEXT';
  return 'BLOB';
}

/** Whether SQLite's NUMERIC/INTEGER/REAL affinity would turn this text into a number. */
export function looksNumeric(text: string): boolean {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text);
}

/** A plain decimal literal (`-12.50`, `+.5`) as canonical decimal text (`-12.50`, `0.5`). */
export function canonicalDecimal(text: string): string | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const [, sign, whole, fraction] = match;
  const body = `${whole || '0'}${fraction ? `.${fraction}` : ''}`;
  return sign === '-' ? `-${body}` : body;
}

/** `YYYY-MM-DD`. */
export function canonicalDate(text: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : undefined;
}

const TIME = /^(-?)(\d{2,3}):(\d{2})(?::(\d{2})(\.\d+)?)?$/;

/** `[-]HH:MM[:SS[.fff]]` as `[-]HH:MM:SS[.fff]`, fractional zeros trimmed. */
export function canonicalTime(text: string): string | undefined {
  const match = TIME.exec(text);
  if (!match) return undefined;
  const [, sign, hours, minutes, seconds = '00', fraction = ''] = match;
  return trimFraction(`${sign}${hours}:${minutes}:${seconds}${fraction}`);
}

const DATETIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?/;

/** `YYYY-MM-DD[ |T]HH:MM[:SS[.fff]]` as `YYYY-MM-DD HH:MM:SS[.fff]`; no zone allowed. */
export function canonicalDatetime(text: string): string | undefined {
  const match = DATETIME.exec(text);
  if (!match || match[0].length !== text.length) return undefined;
  return `${match[1]} ${canonicalTime(match[2] ?? '00:00:00')}`;
}

/**
 * A date and time with an optional zone (`Z`, `+02:00`, `-0530`, `+02`); no zone means UTC.
 * Returns the UTC instant as `YYYY-MM-DD HH:MM:SS[.fff]`.
 */
export function canonicalTimestamptz(text: string): string | undefined {
  const match = DATETIME.exec(text);
  if (!match) return undefined;
  const local = canonicalDatetime(match[0]);
  const zone = text.slice(match[0].length).trim();
  if (local === undefined) return undefined;
  if (zone === '' || zone === 'Z' || zone === 'z') return local;
  const offset = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!offset) return undefined;
  const minutes = (Number(offset[2]) * 60 + Number(offset[3] ?? 0)) * (offset[1] === '-' ? -1 : 1);
  return shiftMinutes(local, -minutes);
}

function shiftMinutes(datetime: string, minutes: number): string | undefined {
  const [, y, mo, d, h, mi, s, fraction = ''] =
    /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(datetime)!;
  // setUTCFullYear, unlike Date.UTC, takes years 0–99 literally.
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), 0);
  date.setUTCMinutes(date.getUTCMinutes() + minutes);
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) return undefined;
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${String(year).padStart(4, '0')}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}${fraction}`
  );
}

/** Lower-case `8-4-4-4-12` UUID text. */
export function canonicalUuid(text: string): string | undefined {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)
    ? text.toLowerCase()
    : undefined;
}
