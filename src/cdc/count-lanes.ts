/**
 * The counts of one stream are kept in one row per table and session ("lane"), summed when read:
 * sessions that shared one row per table would each hold its lock until their commit returned, so
 * every commit would wait for the one before it.
 */

/** Numbers an applier's open sessions 0, 1, 2…, reusing the number of a closed one. */
export class CountLanes {
  private readonly used = new Set<number>();

  /** The smallest number no open session has. */
  take(): number {
    let lane = 0;
    while (this.used.has(lane)) lane++;
    this.used.add(lane);
    return lane;
  }

  /** Frees a closed session's number. */
  give(lane: number): void {
    this.used.delete(lane);
  }
}
