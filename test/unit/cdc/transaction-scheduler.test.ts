import { describe, expect, it } from 'vitest';
import { TransactionScheduler } from '../../../src/cdc/transaction-scheduler.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TransactionScheduler', () => {
  it('runs independent tasks at once and dependent ones in order', async () => {
    const scheduler = new TransactionScheduler(8);
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await tick(ms);
      log.push(`end ${name}`);
    };
    await scheduler.schedule(new Set(['a']), task('1', 30));
    await scheduler.schedule(new Set(['b']), task('2', 5));
    await scheduler.schedule(new Set(['a', 'c']), task('3', 1));
    await scheduler.drain();
    expect(log.indexOf('start 2')).toBeLessThan(log.indexOf('end 1'));
    expect(log.indexOf('start 3')).toBeGreaterThan(log.indexOf('end 1'));
  });

  it('makes a whole-table task wait for all before it and hold back all after it', async () => {
    const scheduler = new TransactionScheduler(8);
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await tick(ms);
      log.push(`end ${name}`);
    };
    await scheduler.schedule(new Set(['a']), task('1', 20));
    await scheduler.schedule('all', task('T', 5));
    await scheduler.schedule(new Set(['z']), task('2', 1));
    await scheduler.drain();
    expect(log).toEqual(['start 1', 'end 1', 'start T', 'end T', 'start 2', 'end 2']);
  });

  it('pushes back once the limit of queued tasks is reached', async () => {
    const scheduler = new TransactionScheduler(2);
    let running = 0;
    let most = 0;
    for (let n = 0; n < 10; n++) {
      await scheduler.schedule(new Set([`k${n}`]), async () => {
        running++;
        most = Math.max(most, running);
        await tick(2);
        running--;
      });
      expect(scheduler.size).toBeLessThanOrEqual(2);
    }
    await scheduler.drain();
    expect(most).toBe(2);
  });

  it('never runs a task after a predecessor it depends on failed, and reports the failure', async () => {
    const scheduler = new TransactionScheduler(8);
    let ranDependent = false;
    await scheduler.schedule(new Set(['a']), async () => {
      await tick(5);
      throw new Error('boom');
    });
    await scheduler.schedule(new Set(['a']), async () => {
      ranDependent = true;
    });
    await expect(scheduler.drain()).rejects.toThrow('boom');
    expect(ranDependent).toBe(false);
    await expect(scheduler.schedule(new Set(['q']), async () => {})).rejects.toThrow('boom');
  });
});
