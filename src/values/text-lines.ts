/**
 * Ferry's engine-neutral line encoding (DESIGN.md principle 1: a fast path behind the same
 * interface). A source that can print its rows in this form on the server offers it; a target
 * whose bulk loader reads it unchanged accepts it; the rows then travel as bytes, never decoded.
 *
 * The format, one row per line:
 * - fields separated by a tab, the line ended by `\n`; `\N` is SQL NULL;
 * - in a field, backslash, tab, newline and carriage return are written `\\`, `\t`, `\n`, `\r`
 *   (a NUL is `\0`, which a target that cannot hold NUL refuses);
 * - integers and decimals as plain decimal text; floats as their shortest exact digits, with or
 *   without exponent (`0.1`, `1e20`), single-precision values as the exact double they hold;
 * - dates `YYYY-MM-DD`, date-times `YYYY-MM-DD HH:MM:SS[.ffffff]` (instants in UTC);
 * - text, JSON, enum and set labels and UUIDs as their UTF-8 text;
 * - binary as `\\x` followed by hex digits (so that, unescaped, the field reads `\x…`).
 *
 * Only value kinds with one exact spelling above may be offered: a source leaves out the others
 * (time spans, bit strings, years, spatial types), and a target accepts the encoding only for
 * columns whose type reads those spellings back into the very value. A value the target refuses
 * (a NUL, a zero date) fails the chunk, which is then copied again the decoded way so the error
 * names table, column and key, or the run's coercion policy applies.
 */

/** The encoding's name, as `Connector.rowEncodings` offers it and `acceptsEncoding` is asked. */
export const TEXT_LINES = 'ferry-text-lines';

/** The logical kinds whose values have one exact spelling in TEXT_LINES. */
export const TEXT_LINES_KINDS: ReadonlySet<string> = new Set([
  'integer',
  'decimal',
  'float',
  'text',
  'binary',
  'date',
  'datetime',
  'timestamptz',
  'json',
  'enum',
  'set',
  'uuid',
]);
