/**
 * pgoutput's logical replication messages (protocol version 1), parsed into plain structures.
 * Column values stay as the text the server's output functions printed: the change stream decodes
 * them with the reader's codecs, never with pg's type parsers (DESIGN.md, known traps).
 * https://www.postgresql.org/docs/15/protocol-logicalrep-message-formats.html
 */
import { isUtf8 } from 'node:buffer';

/** One column value of a tuple: text, SQL NULL, or an unchanged TOASTed value that was not sent. */
export type TupleValue = string | null | { unchanged: true };

/** The `unchanged` marker of a tuple value, one object for all. */
export const UNCHANGED_TOAST: TupleValue = Object.freeze({ unchanged: true as const });

/** A column as a Relation message describes it. */
export interface RelationColumn {
  name: string;
  /** Part of the replica identity (the key an UPDATE's or DELETE's old tuple carries). */
  key: boolean;
  typeOid: number;
  typmod: number;
}

/** A decoded pgoutput message. */
export type PgoutputMessage =
  /** `finalLsn`: where the transaction's commit record starts; `time`: µs since 2000-01-01. */
  | { tag: 'begin'; finalLsn: bigint; time: bigint; xid: number }
  /** `endLsn`: where the commit record ends, the position once the transaction is applied. */
  | { tag: 'commit'; commitLsn: bigint; endLsn: bigint; time: bigint }
  | { tag: 'origin'; lsn: bigint; name: string }
  | {
      tag: 'relation';
      oid: number;
      namespace: string;
      name: string;
      /** pg_class.relreplident: d default (primary key), n nothing, f full, i index. */
      replicaIdentity: string;
      columns: RelationColumn[];
    }
  | { tag: 'type'; oid: number; namespace: string; name: string }
  | { tag: 'insert'; relation: number; row: TupleValue[] }
  /** `old`: the key tuple ('K', replica identity columns only) or the whole old row ('O'), when sent. */
  | {
      tag: 'update';
      relation: number;
      old?: { kind: 'key' | 'row'; values: TupleValue[] };
      row: TupleValue[];
    }
  | { tag: 'delete'; relation: number; old: { kind: 'key' | 'row'; values: TupleValue[] } }
  | { tag: 'truncate'; relations: number[]; cascade: boolean; restartIdentity: boolean }
  | { tag: 'message'; transactional: boolean; lsn: bigint; prefix: string; content: Buffer };

/** A cursor over one message's bytes. */
class MessageReader {
  private offset = 0;
  constructor(private readonly data: Buffer) {}

  byte(): number {
    const value = this.data.readUInt8(this.offset);
    this.offset += 1;
    return value;
  }

  int16(): number {
    const value = this.data.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    const value = this.data.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uint32(): number {
    const value = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uint64(): bigint {
    const value = this.data.readBigUInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  int64(): bigint {
    const value = this.data.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  /** A NUL-terminated string. */
  cstring(): string {
    const end = this.data.indexOf(0, this.offset);
    if (end < 0) throw new Error('unterminated string in a pgoutput message');
    const text = this.data.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return text;
  }

  bytes(length: number): Buffer {
    if (this.offset + length > this.data.length) throw new Error('pgoutput message shorter than its lengths');
    const value = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  tuple(): TupleValue[] {
    const count = this.int16();
    const values: TupleValue[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const kind = this.byte();
      if (kind === 0x6e /* n */) values[i] = null;
      else if (kind === 0x75 /* u */) values[i] = UNCHANGED_TOAST;
      else if (kind === 0x74 /* t */) values[i] = utf8Text(this.bytes(this.int32()), i);
      else throw new Error(`tuple value kind 0x${kind.toString(16)} (binary values are not requested)`);
    }
    return values;
  }
}

/**
 * A value's text. A SQL_ASCII database may hold bytes that are not UTF-8: decoding them would
 * put U+FFFD in silently, so the stream stops instead (the reader's invalid-text policy has no row here).
 */
function utf8Text(bytes: Buffer, index: number): string {
  if (!isUtf8(bytes)) {
    throw new Error(
      `column #${index + 1} of a change holds text that is not UTF-8 (a SQL_ASCII database): copy that table without sync mode`,
    );
  }
  return bytes.toString('utf8');
}

function oldTuple(kind: number, reader: MessageReader): { kind: 'key' | 'row'; values: TupleValue[] } {
  if (kind === 0x4b /* K */) return { kind: 'key', values: reader.tuple() };
  if (kind === 0x4f /* O */) return { kind: 'row', values: reader.tuple() };
  throw new Error(`old tuple kind 0x${kind.toString(16)}`);
}

/** Parses one pgoutput message (the payload of an XLogData); throws for a malformed or unknown one. */
export function decodePgoutput(data: Buffer): PgoutputMessage {
  const reader = new MessageReader(data);
  const tag = reader.byte();
  switch (tag) {
    case 0x42 /* B */:
      return { tag: 'begin', finalLsn: reader.uint64(), time: reader.int64(), xid: reader.uint32() };
    case 0x43 /* C */:
      reader.byte(); // flags, unused
      return { tag: 'commit', commitLsn: reader.uint64(), endLsn: reader.uint64(), time: reader.int64() };
    case 0x4f /* O */:
      return { tag: 'origin', lsn: reader.uint64(), name: reader.cstring() };
    case 0x52 /* R */:
      {
        const oid = reader.uint32();
        const namespace = reader.cstring();
        const name = reader.cstring();
        const replicaIdentity = String.fromCharCode(reader.byte());
        const count = reader.int16();
        const columns: RelationColumn[] = [];
        for (let i = 0; i < count; i++) {
          const flags = reader.byte();
          columns.push({
            key: (flags & 1) === 1,
            name: reader.cstring(),
            typeOid: reader.uint32(),
            typmod: reader.int32(),
          });
        }
        return { tag: 'relation', oid, namespace, name, replicaIdentity, columns };
      }
    case 0x59 /* Y */:
      return { tag: 'type', oid: reader.uint32(), namespace: reader.cstring(), name: reader.cstring() };
    case 0x49 /* I */:
      {
        const relation = reader.uint32();
        reader.byte(); // 'N'
        return { tag: 'insert', relation, row: reader.tuple() };
      }
    case 0x55 /* U */:
      {
        const relation = reader.uint32();
        const kind = reader.byte();
        if (kind === 0x4e /* N */) return { tag: 'update', relation, row: reader.tuple() };
        const old = oldTuple(kind, reader);
        reader.byte(); // 'N'
        return { tag: 'update', relation, old, row: reader.tuple() };
      }
    case 0x44 /* D */:
      {
        const relation = reader.uint32();
        return { tag: 'delete', relation, old: oldTuple(reader.byte(), reader) };
      }
    case 0x54 /* T */:
      {
        const count = reader.uint32();
        const options = reader.byte();
        const relations: number[] = [];
        for (let i = 0; i < count; i++) relations.push(reader.uint32());
        return {
          tag: 'truncate',
          relations,
          cascade: (options & 1) === 1,
          restartIdentity: (options & 2) === 2,
        };
      }
    case 0x4d /* M */:
      {
        const flags = reader.byte();
        const lsn = reader.uint64();
        const prefix = reader.cstring();
        return {
          tag: 'message',
          transactional: (flags & 1) === 1,
          lsn,
          prefix,
          content: reader.bytes(reader.int32()),
        };
      }
    default:
      throw new Error(`unknown pgoutput message '${String.fromCharCode(tag)}' (0x${tag.toString(16)})`);
  }
}
