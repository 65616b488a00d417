/**
 * The Reporter that checkpoints a run into its StateStore (DESIGN.md principle 6: the state store
 * is one more listener). Each hook writes before it returns, so what the engine did next is never
 * ahead of what the store knows — except a chunk's commit, which the target's progress table
 * records itself and a resumed run finds there.
 */
import type { Reporter } from '../engine/events.js';
import { redact } from '../secrets.js';
import type { StateStore } from './state-store.js';

/** Records the run's phases, chunk plans, snapshots and chunk checkpoints into `store`. */
export function stateRecorder(store: StateStore): Reporter {
  // The snapshot the current attempt reads at; until it opens, chunks found committed belong to
  // the latest snapshot of an earlier attempt.
  let current = store.snapshots().at(-1)?.seq ?? 0;
  return {
    onPhase: (event) => store.recordPhase(event.phase),
    onTablesToCreate: (event) => store.recordTablesToCreate(event.tables),
    onChunksPlanned: (event) => store.recordChunksPlanned(event),
    onSnapshot: (snapshot) => {
      current = store.recordSnapshot(snapshot);
    },
    onTableStart: (event) => store.recordTableStart(event.table),
    onChunkDone: (event) => store.recordChunkDone({ ...event, snapshot: current }),
    // Only marks a chunk the store did not know was done: the attempt that committed it died first.
    onChunkAlreadyDone: (event) => store.recordChunkDone({ ...event, snapshot: current }),
    onSyncProgress: (progress) => store.recordSyncProgress(progress),
    onTableDone: (result) =>
      store.recordTableDone({
        table: result.table,
        status: result.status,
        ...(result.error ? { error: redact(`${result.error.message} [${result.error.code}]`) } : {}),
      }),
  };
}
