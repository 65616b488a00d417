/**
 * COPY's binary format (https://www.postgresql.org/docs/15/sql-copy.html#id-1.9.3.55.9.4) for the
 * PostgreSQL → PostgreSQL fast path: the reader cuts the stream into whole tuples without decoding
 * a value, the writer frames them again. Between columns of the same type this moves every value
 * bit for bit (float bits, numeric digits, timestamps as microseconds).
 */

/** `PGCOPY\n\377\r\n\0`, then flags (int32 0) and header extension length (int32 0). */
export const BINARY_COPY_HEADER = Buffer.concat([
  Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
  Buffer.alloc(8),
]);

/** The file trailer: a tuple field count of -1. */
export const BINARY_COPY_TRAILER = Buffer.from([0xff, 0xff]);

const SIGNATURE_BYTES = 11;

/** Whole tuples cut from a binary COPY stream, with how many there are. */
export interface BinaryTuples {
  data: Buffer;
  rows: number;
}

/**
 * Cuts a binary COPY stream into runs of whole tuples, whatever the chunk boundaries: skips the
 * header (and its extension), stops at the trailer. Tuples are copied out, never decoded.
 */
export class BinaryTupleSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private headerDone = false;
  private ended = false;

  /** The tuples this chunk completes (possibly none). */
  push(chunk: Buffer): BinaryTuples {
    let buffer = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    if (!this.headerDone) {
      if (buffer.length < SIGNATURE_BYTES + 8) {
        this.pending = Buffer.from(buffer);
        return { data: Buffer.alloc(0), rows: 0 };
      }
      if (!buffer.subarray(0, SIGNATURE_BYTES).equals(BINARY_COPY_HEADER.subarray(0, SIGNATURE_BYTES))) {
        throw new Error('The COPY stream does not start with the binary format signature.');
      }
      const extension = buffer.readInt32BE(SIGNATURE_BYTES + 4);
      const headerBytes = SIGNATURE_BYTES + 8 + extension;
      if (buffer.length < headerBytes) {
        this.pending = Buffer.from(buffer);
        return { data: Buffer.alloc(0), rows: 0 };
      }
      buffer = buffer.subarray(headerBytes);
      this.headerDone = true;
    }
    let offset = 0;
    let rows = 0;
    while (!this.ended) {
      const end = tupleEnd(buffer, offset);
      if (end === undefined) break;
      if (end === -1) {
        this.ended = true;
        break;
      }
      offset = end;
      rows++;
    }
    const data = buffer.subarray(0, offset);
    // Keep the unfinished tuple; copy it so the chunk it came from can be freed.
    this.pending = this.ended ? Buffer.alloc(0) : Buffer.from(buffer.subarray(offset));
    return { data: this.pending.length > 0 || rows === 0 ? Buffer.from(data) : data, rows };
  }

  /** Whether the stream ended with its trailer and nothing is left over. */
  get complete(): boolean {
    return this.ended && this.pending.length === 0;
  }
}

/**
 * The offset after the tuple that starts at `offset`; -1 at the trailer; undefined when the
 * buffer ends before the tuple does.
 */
function tupleEnd(buffer: Buffer, offset: number): number | undefined {
  if (offset + 2 > buffer.length) return undefined;
  const fields = buffer.readInt16BE(offset);
  if (fields === -1) return -1;
  let position = offset + 2;
  for (let field = 0; field < fields; field++) {
    if (position + 4 > buffer.length) return undefined;
    const length = buffer.readInt32BE(position);
    position += 4 + Math.max(length, 0);
    if (position > buffer.length) return undefined;
  }
  return position;
}
