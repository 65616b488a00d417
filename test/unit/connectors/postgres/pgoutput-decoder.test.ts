import { describe, expect, it } from 'vitest';
import { decodePgoutput, UNCHANGED_TOAST } from '../../../../src/connectors/postgres/pgoutput-decoder.js';

/** Builds pgoutput messages byte by byte, as the server writes them. */
class Bytes {
  private readonly parts: Buffer[] = [];
  char(text: string): this {
    this.parts.push(Buffer.from(text, 'latin1'));
    return this;
  }
  int8(value: number): this {
    this.parts.push(Buffer.from([value]));
    return this;
  }
  int16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    this.parts.push(b);
    return this;
  }
  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    this.parts.push(b);
    return this;
  }
  int64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(value);
    this.parts.push(b);
    return this;
  }
  cstring(text: string): this {
    this.parts.push(Buffer.from(`${text}\u0000`, 'utf8'));
    return this;
  }
  /** TupleData: strings as 't', null as 'n', undefined as 'u'. */
  tuple(values: Array<string | null | undefined>): this {
    this.int16(values.length);
    for (const value of values) {
      if (value === null) this.char('n');
      else if (value === undefined) this.char('u');
      else {
        const text = Buffer.from(value, 'utf8');
        this.char('t').int32(text.length);
        this.parts.push(text);
      }
    }
    return this;
  }
  get buffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

describe('pgoutput messages', () => {
  it('decodes Begin and Commit', () => {
    expect(decodePgoutput(new Bytes().char('B').int64(0x100n).int64(42n).int32(777).buffer)).toEqual({
      tag: 'begin',
      finalLsn: 0x100n,
      time: 42n,
      xid: 777,
    });
    expect(
      decodePgoutput(new Bytes().char('C').int8(0).int64(0x100n).int64(0x130n).int64(42n).buffer),
    ).toEqual({
      tag: 'commit',
      commitLsn: 0x100n,
      endLsn: 0x130n,
      time: 42n,
    });
  });

  it('decodes a Relation with its key flags and types', () => {
    const message = new Bytes()
      .char('R')
      .int32(16384)
      .cstring('public')
      .cstring('tëst')
      .char('d')
      .int16(2)
      .int8(1)
      .cstring('id')
      .int32(23)
      .int32(-1)
      .int8(0)
      .cstring('name')
      .int32(1043)
      .int32(104).buffer;
    expect(decodePgoutput(message)).toEqual({
      tag: 'relation',
      oid: 16384,
      namespace: 'public',
      name: 'tëst',
      replicaIdentity: 'd',
      columns: [
        { key: true, name: 'id', typeOid: 23, typmod: -1 },
        { key: false, name: 'name', typeOid: 1043, typmod: 104 },
      ],
    });
  });

  it('decodes Insert, Update (none, K, O), Delete and Truncate', () => {
    expect(decodePgoutput(new Bytes().char('I').int32(5).char('N').tuple(['1', null, 'é\n']).buffer)).toEqual(
      {
        tag: 'insert',
        relation: 5,
        row: ['1', null, 'é\n'],
      },
    );
    expect(decodePgoutput(new Bytes().char('U').int32(5).char('N').tuple(['1', undefined]).buffer)).toEqual({
      tag: 'update',
      relation: 5,
      row: ['1', UNCHANGED_TOAST],
    });
    expect(
      decodePgoutput(
        new Bytes().char('U').int32(5).char('K').tuple(['1', null]).char('N').tuple(['2', 'x']).buffer,
      ),
    ).toEqual({ tag: 'update', relation: 5, old: { kind: 'key', values: ['1', null] }, row: ['2', 'x'] });
    expect(
      decodePgoutput(
        new Bytes().char('U').int32(5).char('O').tuple(['1', 'a']).char('N').tuple(['1', 'b']).buffer,
      ),
    ).toEqual({ tag: 'update', relation: 5, old: { kind: 'row', values: ['1', 'a'] }, row: ['1', 'b'] });
    expect(decodePgoutput(new Bytes().char('D').int32(5).char('K').tuple(['9', null]).buffer)).toEqual({
      tag: 'delete',
      relation: 5,
      old: { kind: 'key', values: ['9', null] },
    });
    expect(decodePgoutput(new Bytes().char('T').int32(2).int8(3).int32(5).int32(6).buffer)).toEqual({
      tag: 'truncate',
      relations: [5, 6],
      cascade: true,
      restartIdentity: true,
    });
  });

  it('refuses text that is not UTF-8 rather than changing it', () => {
    const bad = new Bytes().char('I').int32(5).char('N').int16(1).char('t').int32(2).char('\xff\xfe').buffer;
    expect(() => decodePgoutput(bad)).toThrow(/not UTF-8/);
  });

  it('decodes Origin, Type and Message, and refuses unknown tags', () => {
    expect(decodePgoutput(new Bytes().char('O').int64(7n).cstring('node_a').buffer)).toEqual({
      tag: 'origin',
      lsn: 7n,
      name: 'node_a',
    });
    expect(decodePgoutput(new Bytes().char('Y').int32(99).cstring('public').cstring('mood').buffer)).toEqual({
      tag: 'type',
      oid: 99,
      namespace: 'public',
      name: 'mood',
    });
    const message = decodePgoutput(
      new Bytes().char('M').int8(1).int64(8n).cstring('p').int32(2).char('hi').buffer,
    );
    expect(message).toMatchObject({ tag: 'message', transactional: true, lsn: 8n, prefix: 'p' });
    expect(() => decodePgoutput(new Bytes().char('Z').buffer)).toThrow(/unknown pgoutput message/);
  });
});
