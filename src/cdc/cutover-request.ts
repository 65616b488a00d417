/** What `ferry cutover` asks of the process that streams changes, through the plan's state store. */
export interface CutoverRequest {
  /** Drain only once the lag is under this many seconds. */
  maxLagSeconds: number;
  /** Give up (and keep streaming) when the cutover has not drained in this many seconds. */
  timeoutSeconds: number;
  /** Make the source refuse writes before draining (how, per engine: `ferry cutover --help`). */
  readOnly: boolean;
}

/** What the sync loop is told each time it asks (about once a second). */
export type SyncCommand = { kind: 'stop' } | { kind: 'cutover'; request: CutoverRequest };

/** Where the sync loop asks whether to stop or cut over. */
export interface SyncControl {
  poll(): SyncCommand | undefined;
}
