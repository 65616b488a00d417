import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readableItems } from '../../../src/connectors/readable-items.js';

async function all<T>(items: AsyncIterable<T[]>): Promise<T[][]> {
  const arrays: T[][] = [];
  for await (const array of items) arrays.push(array);
  return arrays;
}

describe('readableItems', () => {
  it('yields what is buffered at once, every item once and in order', async () => {
    const stream = new PassThrough({ objectMode: true });
    for (let item = 0; item < 5; item++) stream.write(item);
    setTimeout(() => {
      stream.write(5);
      stream.end(6);
    }, 10);
    const arrays = await all(readableItems<number>(stream));
    expect(arrays[0]).toEqual([0, 1, 2, 3, 4]);
    expect(arrays.flat()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('throws the stream error after the items that came before it', async () => {
    const stream = new PassThrough({ objectMode: true });
    stream.write('a');
    setTimeout(() => stream.destroy(new Error('lost connection')), 5);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const array of readableItems<string>(stream)) seen.push(...array);
      })(),
    ).rejects.toThrow('lost connection');
    expect(seen).toEqual(['a']);
  });

  it('treats a close before the end as an error', async () => {
    const stream = new PassThrough({ objectMode: true });
    setTimeout(() => stream.destroy(), 5);
    await expect(all(readableItems(stream))).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('destroys the stream on an early stop unless told to leave it to its owner', async () => {
    for (const destroyOnReturn of [true, false]) {
      const stream = Readable.from([[1], [2], [3]], { objectMode: true });
      for await (const array of readableItems(stream, { destroyOnReturn })) {
        expect(array.length).toBeGreaterThan(0);
        break;
      }
      expect(stream.destroyed).toBe(destroyOnReturn);
      expect(stream.listenerCount('readable')).toBe(0);
    }
  });
});
