import { describe, expect, it } from 'vitest';
import {
  BINARY_COPY_HEADER,
  BINARY_COPY_TRAILER,
  BinaryTupleSplitter,
} from '../../../../src/connectors/postgres/copy-binary.js';

/** One tuple of int4 fields (null for SQL NULL). */
function tuple(values: Array<number | null>): Buffer {
  const parts = [Buffer.from([0, values.length])];
  for (const value of values) {
    const length = Buffer.alloc(4);
    if (value === null) {
      length.writeInt32BE(-1);
      parts.push(length);
    } else {
      length.writeInt32BE(4);
      const data = Buffer.alloc(4);
      data.writeInt32BE(value);
      parts.push(length, data);
    }
  }
  return Buffer.concat(parts);
}

const tuples = [tuple([1, 2]), tuple([3, null]), tuple([null, null]), tuple([70000, -5])];
const stream = Buffer.concat([BINARY_COPY_HEADER, ...tuples, BINARY_COPY_TRAILER]);

describe('BinaryTupleSplitter', () => {
  it('returns the tuples between header and trailer, whatever the chunk size', () => {
    for (const size of [1, 2, 3, 7, 19, 20, 64, stream.length]) {
      const splitter = new BinaryTupleSplitter();
      const out: Buffer[] = [];
      let rows = 0;
      for (let offset = 0; offset < stream.length; offset += size) {
        const cut = splitter.push(stream.subarray(offset, offset + size));
        out.push(cut.data);
        rows += cut.rows;
      }
      expect(rows).toBe(4);
      expect(Buffer.concat(out).equals(Buffer.concat(tuples))).toBe(true);
      expect(splitter.complete).toBe(true);
    }
  });

  it('skips a header extension', () => {
    const header = Buffer.from(BINARY_COPY_HEADER);
    header.writeInt32BE(3, 15);
    const splitter = new BinaryTupleSplitter();
    const cut = splitter.push(Buffer.concat([header, Buffer.from('abc'), tuples[0]!, BINARY_COPY_TRAILER]));
    expect(cut.rows).toBe(1);
    expect(cut.data.equals(tuples[0]!)).toBe(true);
  });

  it('refuses a stream that is not binary COPY', () => {
    expect(() => new BinaryTupleSplitter().push(Buffer.from('1\tone\n2\ttwo\n3\tthree\n'))).toThrow(
      /signature/,
    );
  });

  it('is not complete before the trailer', () => {
    const splitter = new BinaryTupleSplitter();
    splitter.push(Buffer.concat([BINARY_COPY_HEADER, tuples[0]!]));
    expect(splitter.complete).toBe(false);
  });
});
