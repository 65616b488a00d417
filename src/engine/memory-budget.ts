/**
 * The run's memory budget (`--memory`) turned into batch sizes: every chunk in flight holds a few
 * batches at once (the one being read, the one being written, the driver's buffers), so the batch
 * size shrinks as parallelism grows and peak memory stays within the budget whatever the tables'
 * sizes (DESIGN.md principle 5).
 */

/** Default budget: enough for the default parallelism at full batch size. */
export const DEFAULT_MEMORY_BYTES = 256 * 1024 * 1024;

/** What the process needs before any batch: the runtime, the drivers, the schema. */
const BASELINE_BYTES = 96 * 1024 * 1024;

/** Batches one chunk in flight may hold at once (read, queued, being encoded, in the driver). */
const BATCHES_PER_CHUNK = 4;

/**
 * Batch size bounds. Small batches are also the fast ones: a batch lives across a few awaits, and
 * a big one survives the young-generation collections and is promoted, so the old space (and the
 * process's RSS) grows and full collections get dear. At 1 MiB a MariaDB → PostgreSQL copy ran
 * faster and with a third less RSS than at 8 MiB (BENCHMARKS.md).
 */
const MIN_BATCH_BYTES = 64 * 1024;
const MAX_BATCH_BYTES = 1024 * 1024;

/** Smallest budget that leaves room for one minimal batch per chunk. */
export function minimumMemory(parallel: number): number {
  return BASELINE_BYTES + parallel * BATCHES_PER_CHUNK * MIN_BATCH_BYTES;
}

/** The largest batch, in bytes, that keeps `parallel` chunks within `memoryBytes`. */
export function batchBytesFor(memoryBytes: number, parallel: number): number {
  const perBatch = (memoryBytes - BASELINE_BYTES) / (parallel * BATCHES_PER_CHUNK);
  return Math.floor(Math.min(MAX_BATCH_BYTES, Math.max(MIN_BATCH_BYTES, perBatch)));
}
