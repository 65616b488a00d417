import { describe, expect, it } from 'vitest';
import { encodeBinary, encodeFloat, encodeInteger } from '../../../../src/connectors/mysql/codecs.js';
import {
  ENCLOSURE,
  enclosedField,
  encodeRow,
  type LoadColumn,
  loadDataStatement,
  loadDataStream,
  parseLine,
  RowEncodingProblem,
} from '../../../../src/connectors/mysql/load-data.js';
import type { RowBatch } from '../../../../src/values/canonical.js';

const text: LoadColumn = { name: 'body', encode: (value) => String(value) };

describe('LOAD DATA fields', () => {
  const E = ENCLOSURE;

  it('encloses text as it is, doubling only the enclosing character', () => {
    expect(enclosedField('a\\b\tc\nd\re\0f "q" \'s\' 😀')).toBe(`${E}a\\b\tc\nd\re\0f "q" 's' 😀${E}`);
    expect(enclosedField(`x${E}y${E}`)).toBe(`${E}x${E}${E}y${E}${E}${E}`);
    expect(enclosedField('')).toBe(`${E}${E}`);
  });

  it('writes NULL as the unenclosed word while the strings "NULL" and "\\N" stay strings', () => {
    const line = encodeRow([null, 'NULL', '\\N', ''], [text, text, text, text]);
    expect(line).toBe(`NULL\t${E}NULL${E}\t${E}\\N${E}\t${E}${E}\n`);
    expect(parseLine(line.slice(0, -1))).toEqual([null, 'NULL', '\\N', '']);
  });

  it('reads back every field, tabs, newlines and enclosures inside included', () => {
    const values = ['a\tb', '\n', E, `${E}${E}x`, 'end\t', `${E}\t`];
    const line = encodeRow(
      values,
      values.map(() => text),
    );
    expect(parseLine(line.slice(0, -1))).toEqual(values);
  });

  it('encodes each column with its own encoder and reports the column of a refused value', () => {
    const columns: LoadColumn[] = [
      { name: 'id', encode: encodeInteger },
      { name: 'data', encode: encodeBinary, variable: '@ferry1', setExpression: 'UNHEX(@ferry1)' },
      { name: 'f', encode: encodeFloat },
    ];
    expect(encodeRow([5n, Buffer.from([0, 9, 10]), 0.1], columns)).toBe(
      `${ENCLOSURE}5${ENCLOSURE}\t${ENCLOSURE}00090a${ENCLOSURE}\t${ENCLOSURE}0.1${ENCLOSURE}\n`,
    );
    const error = (() => {
      try {
        encodeRow([1n, null, Number.POSITIVE_INFINITY], columns);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RowEncodingProblem);
    expect((error as RowEncodingProblem).columnIndex).toBe(2);
  });

  it('builds the statement with user variables and SET expressions for converted columns', () => {
    const columns: LoadColumn[] = [
      { name: 'id', encode: encodeInteger },
      { name: 'we`ird', encode: encodeBinary, variable: '@ferry1', setExpression: 'UNHEX(@ferry1)' },
    ];
    expect(loadDataStatement('t', columns)).toBe(
      "LOAD DATA LOCAL INFILE 'ferry' INTO TABLE `t` CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' " +
        `OPTIONALLY ENCLOSED BY '${ENCLOSURE}' ESCAPED BY '' LINES TERMINATED BY '\\n' (\`id\`, @ferry1) SET \`we\`\`ird\` = UNHEX(@ferry1)`,
    );
  });
});

describe('LOAD DATA stream', () => {
  it('pulls batches one at a time and waits while the socket buffer is full', async () => {
    const pulled: number[] = [];
    async function* batches(): AsyncIterable<RowBatch> {
      for (let index = 0; index < 3; index++) {
        pulled.push(index);
        yield { rows: [[BigInt(index)]], bytes: 8 };
      }
    }
    let drain: (() => void) | undefined;
    const socket = {
      writableLength: 10_000,
      once(event: 'drain' | 'close', listener: () => void) {
        if (event === 'drain') drain = listener;
        return socket;
      },
    };
    const stream = loadDataStream(batches(), (batch) => `${batch.rows[0]![0]}\n`, socket, {
      chunkBytes: 4,
      socketBufferBytes: 100,
    });
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pulled).toEqual([]);
    socket.writableLength = 0;
    drain?.();
    await new Promise((resolve) => stream.on('end', resolve));
    expect(chunks.join('')).toBe('0\n1\n2\n');
  });

  it('splits a large batch into chunks no bigger than the limit', async () => {
    async function* batches(): AsyncIterable<RowBatch> {
      yield { rows: [['x'.repeat(10)]], bytes: 12 };
    }
    const socket = { writableLength: 0, once: () => socket };
    const stream = loadDataStream(batches(), (batch) => `${batch.rows[0]![0]}\n`, socket, {
      chunkBytes: 4,
      socketBufferBytes: 100,
    });
    // mysql2 listens to 'data': each chunk becomes one packet.
    const sizes: number[] = [];
    stream.on('data', (chunk: Buffer) => sizes.push(chunk.length));
    await new Promise((resolve) => stream.on('end', resolve));
    expect(sizes).toEqual([4, 4, 3]);
  });
});
