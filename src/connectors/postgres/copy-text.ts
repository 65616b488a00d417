/**
 * COPY's text format (https://www.postgresql.org/docs/15/sql-copy.html#id-1.9.3.55.9.2): one line
 * per row, fields split by tabs, `\N` for NULL, backslash escapes for the rest. Encoding for the
 * writer, incremental line splitting and field decoding for the reader.
 */

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPED = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Escapes one field's text so that tabs, line ends and backslashes survive COPY. */
export function escapeCopyText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (char) => ESCAPES[char]!) : text;
}

/** One COPY line (with its newline) from field texts; `null` is SQL NULL. */
export function encodeCopyLine(fields: ReadonlyArray<string | null>): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (i > 0) line += '\t';
    line += field === null || field === undefined ? '\\N' : escapeCopyText(field);
  }
  return `${line}\n`;
}

/** Splits a stream of COPY chunks into complete lines, whatever the chunk boundaries. */
export class CopyLineSplitter {
  private pending: Buffer[] = [];

  /** The complete lines (without their newline) that this chunk finishes. */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    let newline = chunk.indexOf(10, start);
    while (newline >= 0) {
      const piece = chunk.subarray(start, newline);
      if (this.pending.length > 0) {
        this.pending.push(piece);
        lines.push(Buffer.concat(this.pending));
        this.pending = [];
      } else {
        lines.push(piece);
      }
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    // A long row spans many chunks: keep the pieces and join them once, not once per chunk.
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
    return lines;
  }

  /** Whether bytes of an unfinished line remain (COPY output always ends with a newline). */
  get hasPartialLine(): boolean {
    return this.pending.length > 0;
  }
}

/** A field whose bytes are not valid UTF-8 (possible in a SQL_ASCII database); `field` is its index. */
export class CopyTextEncodingProblem extends Error {
  constructor(readonly field: number) {
    super(`field ${field} is not valid UTF-8`);
  }
}

const BACKSLASH = 92;
const SIMPLE_ESCAPES: Record<number, number> = { 98: 8, 102: 12, 110: 10, 114: 13, 116: 9, 118: 11 };

const isOctal = (byte: number | undefined) => byte !== undefined && byte >= 48 && byte <= 55;
const hexValue = (byte: number | undefined): number => {
  if (byte === undefined) return -1;
  if (byte >= 48 && byte <= 57) return byte - 48;
  if (byte >= 97 && byte <= 102) return byte - 87;
  if (byte >= 65 && byte <= 70) return byte - 55;
  return -1;
};

/** The raw bytes of an escaped field. */
function unescapeBytes(line: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  let length = 0;
  let i = start;
  while (i < end) {
    const byte = line[i]!;
    if (byte !== BACKSLASH || i + 1 >= end) {
      out[length++] = byte;
      i++;
      continue;
    }
    const next = line[i + 1]!;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out[length++] = simple;
      i += 2;
    } else if (isOctal(next)) {
      let value = 0;
      let j = i + 1;
      while (j < end && j < i + 4 && isOctal(line[j])) value = value * 8 + (line[j++]! - 48);
      out[length++] = value & 0xff;
      i = j;
    } else if (next === 120 && i + 2 < end && hexValue(line[i + 2]) >= 0) {
      let value = hexValue(line[i + 2]);
      let j = i + 3;
      if (j < end && hexValue(line[j]) >= 0) value = value * 16 + hexValue(line[j++]);
      out[length++] = value;
      i = j;
    } else {
      out[length++] = next;
      i += 2;
    }
  }
  return out.subarray(0, length);
}

function utf8Text(bytes: Buffer, start: number, end: number, field: number, invalid?: number[]): string {
  const text = bytes.toString('utf8', start, end);
  // The decoder turns invalid bytes into U+FFFD silently; a real U+FFFD re-encodes to the same bytes.
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(bytes.subarray(start, end))) {
    if (!invalid) throw new CopyTextEncodingProblem(field);
    invalid.push(field);
  }
  return text;
}

/**
 * The fields of one COPY line: unescaped UTF-8 text, or `null` for `\N`. A field that is not
 * valid UTF-8 throws CopyTextEncodingProblem, unless `invalid` is given: then it is decoded with
 * U+FFFD for each bad sequence and its index is added to `invalid`.
 */
export function decodeCopyLine(line: Buffer, invalid?: number[]): Array<string | null> {
  const fields: Array<string | null> = [];
  let start = 0;
  while (start <= line.length) {
    let end = line.indexOf(9, start);
    if (end < 0) end = line.length;
    const index = fields.length;
    if (end - start === 2 && line[start] === BACKSLASH && line[start + 1] === 78) {
      fields.push(null);
    } else {
      const slash = line.indexOf(BACKSLASH, start);
      if (slash < 0 || slash >= end) {
        fields.push(utf8Text(line, start, end, index, invalid));
      } else {
        const bytes = unescapeBytes(line, start, end);
        fields.push(utf8Text(bytes, 0, bytes.length, index, invalid));
      }
    }
    start = end + 1;
  }
  return fields;
}
