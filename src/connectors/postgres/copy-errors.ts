/**
 * Turns an error PostgreSQL raised while loading COPY data into a ValueError naming the table,
 * the column (from the error's context line `COPY t, line N, column c: "…"`) and the row's key —
 * never the value: PostgreSQL's own message and context often quote it, so neither is repeated.
 */

import { ValueError } from '../../errors.js';
import type { Column, Table } from '../../schema/table.js';
import type { CanonicalValue } from '../../values/canonical.js';
import { enumCheckName } from './identifiers.js';

/** What each SQLSTATE means for a loaded value, in words that quote nothing. */
const REASONS: Record<string, { code: string; reason: string }> = {
  '22001': { code: 'VALUE_TOO_LONG', reason: 'the value is longer than the column allows' },
  '22003': { code: 'VALUE_OUT_OF_RANGE', reason: "the value is out of range for the column's type" },
  '22008': { code: 'VALUE_OUT_OF_RANGE', reason: 'the date or time is out of range for PostgreSQL' },
  '22007': { code: 'VALUE_INVALID', reason: 'the value is not a date or time PostgreSQL accepts' },
  '22P02': { code: 'VALUE_INVALID', reason: "the value is not valid input for the column's type" },
  '22P05': {
    code: 'VALUE_INVALID',
    reason: 'the value holds a character PostgreSQL cannot store (such as \\u0000 in JSON)',
  },
  '22021': { code: 'VALUE_INVALID', reason: 'the value is not valid in the database encoding' },
  '22026': { code: 'VALUE_INVALID', reason: "the bit string's length does not match the column" },
  '2202E': { code: 'VALUE_INVALID', reason: 'the array value is malformed' },
  '23502': { code: 'VALUE_NOT_NULL', reason: 'NULL in a NOT NULL column' },
  '23505': { code: 'VALUE_DUPLICATE_KEY', reason: 'the row repeats a key that must be unique' },
  '23514': {
    code: 'VALUE_CHECK',
    reason: 'the value breaks a CHECK constraint (for an enum: it is not one of the labels)',
  },
};

/** The fields of a pg DatabaseError this module reads. */
export interface CopyErrorFields {
  code?: string;
  message: string;
  where?: string;
  column?: string;
  constraint?: string;
}

/** Line number and column name from the COPY context, for this table's columns. */
export function copyErrorPosition(
  where: string | undefined,
  table: string,
  columns: readonly Column[],
): { line?: number; column?: string } {
  const prefix = `COPY ${table}, line `;
  const context = where?.split('\n').find((line) => line.startsWith(prefix));
  if (context === undefined) return {};
  const rest = context.slice(prefix.length);
  const digits = /^\d+/.exec(rest)?.[0];
  if (digits === undefined) return {};
  const after = rest.slice(digits.length);
  let column: string | undefined;
  // The value follows the name after ': ', so the longest name that fits wins (names may hold ': ').
  for (const candidate of columns) {
    const head = `, column ${candidate.name}`;
    const fits = after === head || after.startsWith(`${head}: `);
    if (fits && (column === undefined || candidate.name.length > column.length)) column = candidate.name;
  }
  return { line: Number(digits), column };
}

/** `id=3` / `a=1, b="x"`: a row's key for messages. */
export function describeKey(names: readonly string[], values: readonly CanonicalValue[]): string {
  return names
    .map((name, i) => {
      const value = values[i];
      if (typeof value === 'string') return `${name}=${JSON.stringify(value)}`;
      if (Buffer.isBuffer(value)) return `${name}=x'${value.toString('hex')}'`;
      return `${name}=${String(value)}`;
    })
    .join(', ');
}

/**
 * A ValueError for a data error of COPY into `table`, or undefined for other errors (those are
 * not about a value). `keyAt(line)` gives the key of the row on that COPY line when still known.
 */
export function copyErrorToValueError(
  error: CopyErrorFields,
  table: Table,
  columns: readonly Column[],
  keyAt: (line: number) => string | undefined,
): ValueError | undefined {
  const sqlState = error.code ?? '';
  if (!sqlState.startsWith('22') && !sqlState.startsWith('23')) return undefined;
  const position = copyErrorPosition(error.where, table.name, columns);
  let column = position.column ?? (columns.some((c) => c.name === error.column) ? error.column : undefined);
  if (column === undefined && error.constraint !== undefined) {
    column = columns.find((c) => enumCheckName(table.name, c.name) === error.constraint)?.name;
  }
  const known = REASONS[sqlState];
  // PostgreSQL's message is repeated only when it cannot be quoting the value.
  const reason =
    known?.reason ??
    (error.message.includes('"') ? `PostgreSQL refused it (SQLSTATE ${sqlState})` : error.message);
  const constraint =
    sqlState === '23514' || sqlState === '23505' ? ` (constraint "${error.constraint ?? '?'}")` : '';
  const key = position.line === undefined ? undefined : keyAt(position.line);
  const row =
    key !== undefined
      ? ` (key ${key})`
      : position.line !== undefined
        ? ` (row ${position.line} of the chunk)`
        : '';
  const target = column === undefined ? `table "${table.name}"` : `table "${table.name}", column "${column}"`;
  return new ValueError(
    known?.code ?? 'VALUE_REJECTED',
    `Cannot load a value into ${target}${row}: ${reason}${constraint}. Fix the source value or widen the target column.`,
    // No cause: PostgreSQL's message, detail and context would repeat the value.
    { table: table.name, column },
  );
}
