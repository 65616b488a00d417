/** The default number of chunks copied at once (`--parallel`). */
import { availableParallelism } from 'node:os';

/** Most chunks at once on request: each needs a connection on both servers. */
export const MAX_PARALLEL = 64;

/** Most chunks at once by default: beyond this the servers, not Ferry, set the pace. */
const MAX_DEFAULT_PARALLEL = 8;

/**
 * One chunk per core, at least two (one reads while the other writes, on different servers) and
 * at most eight, which stays far below any server's default connection limit (MariaDB 151,
 * PostgreSQL 100) even with the extra connections a run needs.
 */
export function defaultParallel(cores = availableParallelism()): number {
  return Math.min(MAX_DEFAULT_PARALLEL, Math.max(2, cores));
}
