/**
 * The text LOAD DATA LOCAL INFILE reads: tab-separated fields, one row per line, every value
 * enclosed and nothing escaped, the unenclosed word NULL for NULL; and the statement and the
 * backpressured stream that carry it.
 */
import { Readable } from 'node:stream';
import type { Row, RowBatch } from '../../values/canonical.js';
import type { PresentValue } from './codecs.js';
import { quoteIdentifier } from './sql.js';

/**
 * What encloses a field (`OPTIONALLY ENCLOSED BY`). Inside it only the character itself is
 * special, and doubled; with `ESCAPED BY ''` backslashes, tabs, newlines and NUL pass as they
 * are. It is the record separator control character, which text rarely holds, so that a field
 * almost never needs a change (a source server doubling every `"` of a JSON column spends more
 * than escaping five characters does), and which no multibyte character contains.
 */
export const ENCLOSURE = '\u001e';

/** The field text of SQL NULL: unenclosed, so that an enclosed `NULL` stays the string. */
export const NULL_FIELD = 'NULL';

const DOUBLED = ENCLOSURE + ENCLOSURE;

/** A field's text, enclosed, for `loadDataStatement`'s format. */
export function enclosedField(text: string): string {
  return ENCLOSURE + (text.includes(ENCLOSURE) ? text.replaceAll(ENCLOSURE, DOUBLED) : text) + ENCLOSURE;
}

/** Reads a line (without its newline) back into fields as the server does: the inverse of encodeRow, for tests. */
export function parseLine(line: string): Array<string | null> {
  const fields: Array<string | null> = [];
  let at = 0;
  for (;;) {
    if (line[at] === ENCLOSURE) {
      let text = '';
      for (at++; ; ) {
        const close = line.indexOf(ENCLOSURE, at);
        if (close < 0) throw new Error(`unterminated field at ${at}`);
        text += line.slice(at, close);
        if (line[close + 1] === ENCLOSURE) {
          text += ENCLOSURE;
          at = close + 2;
          continue;
        }
        at = close + 1;
        break;
      }
      fields.push(text);
    } else {
      const end = line.indexOf('\t', at);
      const text = line.slice(at, end < 0 ? line.length : end);
      fields.push(text === NULL_FIELD ? null : text);
      at = end < 0 ? line.length : end;
    }
    if (at >= line.length) return fields;
    if (line[at] !== '\t') throw new Error(`a field ends at ${at} without a tab`);
    at++;
  }
}

/** How one column is loaded: its encoder and, when not direct, a user variable with a SET expression. */
export interface LoadColumn {
  name: string;
  /** The field text before escaping; null writes NULL (a coercion policy's choice). */
  encode(value: PresentValue): string | null;
  /** e.g. `UNHEX(@v3)`: the field goes to `@v3` and the column gets this expression. */
  setExpression?: string;
  variable?: string;
}

/** A value the encoder refused, with the column index where it sat. */
export class RowEncodingProblem extends Error {
  constructor(
    readonly columnIndex: number,
    readonly problem: unknown,
  ) {
    super(problem instanceof Error ? problem.message : String(problem));
  }
}

/** One row as a LOAD DATA line (with its newline). */
export function encodeRow(row: Row, columns: LoadColumn[]): string {
  let line = '';
  for (let index = 0; index < columns.length; index++) {
    if (index > 0) line += '\t';
    const value = row[index];
    if (value === null || value === undefined) {
      line += NULL_FIELD;
      continue;
    }
    let text: string | null;
    try {
      text = columns[index]!.encode(value);
    } catch (problem) {
      throw new RowEncodingProblem(index, problem);
    }
    line += text === null ? NULL_FIELD : enclosedField(text);
  }
  return `${line}\n`;
}

/** The LOAD DATA statement for the given columns (the file name is a placeholder the stream answers). */
export function loadDataStatement(table: string, columns: LoadColumn[]): string {
  const targets = columns.map((column) => column.variable ?? quoteIdentifier(column.name));
  const sets = columns
    .filter((column) => column.setExpression !== undefined)
    .map((column) => `${quoteIdentifier(column.name)} = ${column.setExpression}`);
  return (
    `LOAD DATA LOCAL INFILE 'ferry' INTO TABLE ${quoteIdentifier(table)} CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY '\\t' OPTIONALLY ENCLOSED BY '${ENCLOSURE}' ESCAPED BY '' LINES TERMINATED BY '\\n' ` +
    `(${targets.join(', ')})` +
    (sets.length > 0 ? ` SET ${sets.join(', ')}` : '')
  );
}

/** The socket mysql2 writes the file packets to, for waiting on its write buffer. */
export interface LoadSocket {
  writableLength: number;
  once(event: 'drain' | 'close', listener: () => void): unknown;
}

/** Limits of the load stream: the largest chunk handed to mysql2 and the socket buffer to wait on. */
export interface LoadStreamLimits {
  chunkBytes: number;
  socketBufferBytes: number;
}

const DEFAULT_LIMITS: LoadStreamLimits = { chunkBytes: 256 * 1024, socketBufferBytes: 4 * 1024 * 1024 };

function drained(socket: LoadSocket): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        resolve();
      }
    };
    socket.once('drain', finish);
    socket.once('close', finish);
  });
}

/**
 * A byte stream of LOAD DATA lines pulled from `batches` one at a time. mysql2 writes every chunk
 * to the socket at once, so the stream itself waits while the socket's buffer is full.
 */
export function loadDataStream(
  batches: AsyncIterable<RowBatch>,
  encodeBatch: (batch: RowBatch) => string | Buffer,
  socket: LoadSocket,
  limits: LoadStreamLimits = DEFAULT_LIMITS,
): Readable {
  const iterator = batches[Symbol.asyncIterator]();
  let pulling = false;
  return new Readable({
    highWaterMark: limits.chunkBytes,
    read() {
      if (pulling) return;
      pulling = true;
      void (async () => {
        try {
          while (socket.writableLength > limits.socketBufferBytes) await drained(socket);
          for (;;) {
            const next = await iterator.next();
            if (next.done) {
              this.push(null);
              return;
            }
            const encoded = encodeBatch(next.value);
            const bytes = typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : encoded;
            if (bytes.length === 0) continue;
            for (let at = 0; at < bytes.length; at += limits.chunkBytes) {
              this.push(bytes.subarray(at, at + limits.chunkBytes));
            }
            return;
          }
        } catch (error) {
          this.destroy(error instanceof Error ? error : new Error(String(error)));
        } finally {
          pulling = false;
        }
      })();
    },
    destroy(error, callback) {
      // Let the batch source release what it holds (a source reader's connection).
      Promise.resolve(iterator.return?.())
        .catch(() => undefined)
        .then(() => callback(error));
    },
  });
}
