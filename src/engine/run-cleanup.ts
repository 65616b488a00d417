/**
 * `cleanupPlan` (`ferry cleanup`): removes what a sync left on both sides once it is over: the
 * source's change stream (PostgreSQL slot and publication, which otherwise keep WAL forever) and
 * the stream's records in the target's sync tables.
 */
import { withConnectedPair } from './connect-pair.js';

/** What cleanup removed, one line each, for the summary. */
export async function cleanupPlan(options: {
  stream: string;
  source: string;
  target: string;
}): Promise<string[]> {
  return withConnectedPair(options.source, options.target, async (source, target) => {
    const removed: string[] = [];
    if (source.dropChangeStream) {
      await source.dropChangeStream(options.stream);
      removed.push(
        `source ${source.display}: change stream ${options.stream} (replication slot and publication where the engine has them)`,
      );
    }
    if (target.openApplier) {
      const applier = await target.openApplier({ stream: options.stream });
      try {
        await applier.forget();
      } finally {
        await applier.close();
      }
      removed.push(`target ${target.display}: the sync records of ${options.stream}`);
    }
    return removed;
  });
}
