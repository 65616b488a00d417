/**
 * `requestCutover` (`ferry cutover`): asks the process streaming a plan's changes to cut over,
 * through the plan's state store (the source's stream has one reader: that process), and waits
 * until it says the cutover is done or failed.
 */
import type { CutoverRequest } from '../cdc/cutover-request.js';
import type { SyncProgress } from '../cdc/sync-progress.js';
import { PreconditionError, SyncError } from '../errors.js';
import type { CutoverRecord, StateStore } from '../state/state-store.js';

/** Seconds the streaming process has to take a request before the asking side gives up. */
const TAKE_SECONDS = 60;

/** What the waiting side sees, about twice a second. */
export interface CutoverUpdate {
  cutover: CutoverRecord;
  sync?: SyncProgress;
}

/** Whether process `pid` is alive on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Records the request and waits for the streaming process to carry it out. Throws a
 * PreconditionError when no run of the plan is streaming, and a SyncError when the cutover fails
 * or the streaming process dies meanwhile.
 */
export async function requestCutover(
  store: StateStore,
  request: CutoverRequest,
  onUpdate: (update: CutoverUpdate) => void = () => {},
): Promise<CutoverRecord> {
  const run = store.run();
  if (run?.status !== 'running' || run.phase !== 'sync') {
    throw new PreconditionError(
      'CUTOVER_NOT_SYNCING',
      `No run of this plan is streaming changes (${run ? `its run is ${run.status}${run.phase ? `, phase ${run.phase}` : ''}` : 'no run is recorded'} in ${store.location}): start ferry run on a mode: sync plan and wait for its sync phase.`,
    );
  }
  if (run.pid !== undefined && !alive(run.pid)) {
    throw new PreconditionError(
      'CUTOVER_NOT_SYNCING',
      `The ferry run that streams this plan (process ${run.pid}) is not running: start it again (it streams on from the target's position), then ask for the cutover.`,
    );
  }
  store.requestCutover(request);
  const asked = Date.now();
  // The streaming process may need the whole timeout to get under the lag, then drains and verifies.
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cutover = store.cutover();
    if (!cutover) continue;
    const sync = store.syncProgress();
    onUpdate({ cutover, ...(sync ? { sync } : {}) });
    if (cutover.status === 'done') return cutover;
    if (cutover.status === 'failed') {
      const detail = cutover.result ? (JSON.parse(cutover.result) as { error?: string }).error : undefined;
      throw new SyncError(
        'CUTOVER_FAILED',
        `The cutover failed${detail ? `: ${detail}` : ' (ferry status shows the verify result)'}. The run keeps streaming when it can; ask again once the cause is fixed.`,
      );
    }
    // The streaming process looks about once a second: one that never takes the request is stuck.
    if (cutover.status === 'requested' && Date.now() - asked > TAKE_SECONDS * 1000) {
      throw new SyncError(
        'CUTOVER_NOT_TAKEN',
        `The ferry run streaming this plan did not take the cutover request within ${TAKE_SECONDS} s: check its log (it may be retrying a lost connection), then ask again.`,
      );
    }
    const pid = store.run()?.pid;
    if (pid !== undefined && !alive(pid)) {
      throw new SyncError(
        'CUTOVER_ABANDONED',
        `The ferry run carrying out the cutover (process ${pid}) ended before it was done: start it again, then ask for the cutover again.`,
      );
    }
  }
}
