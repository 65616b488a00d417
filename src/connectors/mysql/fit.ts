/**
 * The writer's check, per value and before anything is sent, that a target MariaDB column holds the
 * value exactly (LOAD DATA would clamp, cut or round it with only a warning). A value that does not
 * fit yields a Misfit: its loss kind and the substitute LOSS_KINDS documents for it.
 */
import type { LogicalType } from '../../schema/logical-type.js';
import type { CanonicalValue } from '../../values/canonical.js';
import type { LossKind } from '../../values/loss-kinds.js';
import { bitMisfit, decimalMisfit, floatMisfit, integerMisfit } from './fit-numbers.js';
import { temporalMisfit } from './fit-temporal.js';

/** A value the target cannot hold: the loss, and the substitute (null = NULL; absent = none exists). */
export interface Misfit {
  loss: LossKind;
  substitute?: CanonicalValue;
}

/** The column a value lands in, as the writer reads it from the target's catalog. */
export interface MysqlTargetColumn {
  type: LogicalType;
  /** COLUMN_TYPE, e.g. `varchar(20)`, `timestamp(6)`, `year(4)`. */
  nativeType: string;
  /** COLLATION_NAME: single-byte character sets count a character as one byte. */
  collation: string | null;
}

/** Byte limits of the TEXT/BLOB families (LONGTEXT/LONGBLOB: 4 GiB, never reached by one value). */
const BYTE_LIMITS: Record<string, number> = {
  tinytext: 255,
  text: 65_535,
  mediumtext: 16_777_215,
  tinyblob: 255,
  blob: 65_535,
  mediumblob: 16_777_215,
};

function byteLimit(native: string): number | undefined {
  return BYTE_LIMITS[/^\w+/.exec(native)?.[0]?.toLowerCase() ?? ''];
}

/** Cuts text to `limit` characters, or to `bytes` UTF-8 bytes, never inside a character. */
function cutText(text: string, limit: number | undefined, bytes: number | undefined): string {
  let result = '';
  let used = 0;
  let count = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if ((limit !== undefined && count >= limit) || (bytes !== undefined && used + size > bytes)) break;
    result += char;
    used += size;
    count++;
  }
  return result;
}

function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function textMisfit(
  value: unknown,
  target: MysqlTargetColumn,
  length: number | undefined,
): Misfit | undefined {
  if (typeof value !== 'string') return undefined;
  // A lone UTF-16 surrogate has no utf8mb4 form (the server would store U+FFFD).
  if (/\p{Cs}/u.test(value)) return { loss: 'invalid-text', substitute: value.replace(/\p{Cs}/gu, '\uFFFD') };
  const singleByte = target.collation !== null && !/^utf8|^ucs2|^utf16|^utf32/i.test(target.collation);
  const limit = byteLimit(target.nativeType);
  const tooMany = length !== undefined && value.length > length && characterCount(value) > length;
  const bytes = limit === undefined ? 0 : singleByte ? characterCount(value) : Buffer.byteLength(value);
  if (!tooMany && (limit === undefined || bytes <= limit)) return undefined;
  const byteBudget = limit === undefined || singleByte ? undefined : limit;
  const charBudget = singleByte && limit !== undefined ? Math.min(length ?? limit, limit) : length;
  return { loss: 'too-long', substitute: cutText(value, charBudget, byteBudget) };
}

function binaryMisfit(
  value: unknown,
  target: MysqlTargetColumn,
  length: number | undefined,
): Misfit | undefined {
  if (!Buffer.isBuffer(value)) return undefined;
  const limit = length ?? byteLimit(target.nativeType);
  return limit !== undefined && value.length > limit
    ? { loss: 'too-long', substitute: value.subarray(0, limit) }
    : undefined;
}

function fspOf(type: LogicalType): number {
  return 'fsp' in type && type.fsp !== undefined ? type.fsp : 0;
}

/**
 * The misfit of a (non-null) canonical value whose source column has type `source`, written into
 * `target`; undefined when the target holds it exactly. A type with no counterpart here (source
 * `other` landing in a text column) is no-target-type whatever the value.
 */
export function misfitOf(
  value: CanonicalValue,
  source: LogicalType,
  target: MysqlTargetColumn,
): Misfit | undefined {
  const type = target.type;
  if (source.kind === 'other' && type.kind !== 'other') return { loss: 'no-target-type' };
  switch (type.kind) {
    case 'integer':
      return integerMisfit(value, type, target.nativeType);
    case 'decimal':
      return decimalMisfit(value, type);
    case 'float':
      return floatMisfit(value, type);
    case 'text':
      return textMisfit(value, target, type.length);
    case 'json':
      return textMisfit(value, target, undefined);
    case 'binary':
      return binaryMisfit(value, target, type.length);
    case 'bit':
      return bitMisfit(value, type.length);
    case 'date':
    case 'time':
    case 'datetime':
      return temporalMisfit(value, { kind: type.kind, fsp: fspOf(type) });
    case 'timestamptz':
      return temporalMisfit(value, { kind: 'timestamp', fsp: fspOf(type) });
    default:
      return undefined;
  }
}
