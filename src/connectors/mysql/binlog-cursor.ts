/**
 * A read position in one binlog event's bytes: little-endian integers, the client protocol's
 * length-encoded integers and strings. Reading past the end throws (a truncated or misread event).
 */
export class BinlogCursor {
  constructor(
    readonly buffer: Buffer,
    public offset = 0,
    readonly end = buffer.length,
  ) {}

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.offset;
  }

  private take(length: number): number {
    const at = this.offset;
    if (length < 0 || at + length > this.end) {
      throw new RangeError(`binlog event too short: ${length} bytes wanted at ${at} of ${this.end}`);
    }
    this.offset += length;
    return at;
  }

  uint8(): number {
    return this.buffer[this.take(1)]!;
  }

  uint16(): number {
    return this.buffer.readUInt16LE(this.take(2));
  }

  uint24(): number {
    return this.buffer.readUIntLE(this.take(3), 3);
  }

  uint32(): number {
    return this.buffer.readUInt32LE(this.take(4));
  }

  /** An unsigned little-endian integer of up to 6 bytes (table ids). */
  uintLE(length: number): number {
    return this.buffer.readUIntLE(this.take(length), length);
  }

  uint64(): bigint {
    return this.buffer.readBigUInt64LE(this.take(8));
  }

  /** A length-encoded integer (https://mariadb.com/kb/en/protocol-data-types/). */
  lenenc(): number {
    const first = this.uint8();
    if (first < 0xfb) return first;
    if (first === 0xfc) return this.uint16();
    if (first === 0xfd) return this.uint24();
    if (first === 0xfe) return Number(this.uint64());
    throw new RangeError(`bad length-encoded integer 0x${first.toString(16)} at ${this.offset - 1}`);
  }

  /** `length` bytes, as a view (copy it to keep it past the event). */
  bytes(length: number): Buffer {
    const at = this.take(length);
    return this.buffer.subarray(at, at + length);
  }

  /** Bytes up to `end`. */
  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  /** A length-encoded string's bytes. */
  lenencBytes(): Buffer {
    return this.bytes(this.lenenc());
  }

  skip(length: number): void {
    this.take(length);
  }
}
