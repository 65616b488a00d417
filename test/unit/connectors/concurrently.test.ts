import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { concurrently } from '../../../src/connectors/concurrently.js';

describe('concurrently', () => {
  it('runs every item, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await concurrently([5, 1, 4, 2, 3], 2, async (ms) => {
      running++;
      most = Math.max(most, running);
      await sleep(ms * 5);
      done.push(ms);
      running--;
    });
    expect(most).toBe(2);
    expect([...done].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('throws the first failure once the running work has ended, starting nothing new', async () => {
    const started: number[] = [];
    let ended = 0;
    await expect(
      concurrently([1, 2, 3, 4], 2, async (item) => {
        started.push(item);
        if (item === 1) throw new Error('index 1 failed');
        await sleep(20);
        ended++;
      }),
    ).rejects.toThrow('index 1 failed');
    expect(started).toEqual([1, 2]);
    expect(ended).toBe(1);
  });
});
