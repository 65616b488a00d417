/**
 * One test file at a time on the spare servers (DESIGN.md): a file that restarts a spare or
 * changes its global settings holds this lock, so test files running in parallel never see each
 * other's restarts. A lock left by a process that died is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const LOCK = join(tmpdir(), 'ferry-test-spare-servers.lock');

function holderIsGone(): boolean {
  try {
    const pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // No pid file yet (being written) is not a dead holder.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Waits for the spare servers, then holds them until the returned release is called. */
export async function lockSpareServers(): Promise<() => void> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (holderIsGone()) rmSync(LOCK, { recursive: true, force: true });
      else await sleep(250);
    }
  }
}
