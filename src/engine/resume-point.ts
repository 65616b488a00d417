/**
 * Where an interrupted run stood, as `ferry run` hands it back to the engine: the run's id (its
 * chunks are recorded under it in the target's progress table, which is the truth about what was
 * written), the chunk plan saved before the first write, and how far the phases got.
 */
import type { TableChunks } from './chunk-plan.js';

/** What a resumed copy needs to finish only what is not done. */
export interface ResumePoint {
  /** Chunk plans saved before any row was written, by source table name: reused as they are. */
  chunks: ReadonlyMap<string, TableChunks>;
  /** Target tables this run set out to create (before its first CREATE): their indexes are still its job. */
  created: readonly string[];
  /**
   * The data phase had begun: the target holds this run's rows, so the if-exists policy was applied
   * then and is not applied again (no drop, no truncate, no refusal of tables with rows).
   */
  dataStarted: boolean;
}
