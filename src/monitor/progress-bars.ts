/**
 * Progress bars on a terminal (DESIGN.md stream conventions): one bar per table and one for the
 * whole run, redrawn in place by cli-progress so they never scroll the screen; log lines written
 * through `write` appear above them. On a stream that is not a terminal no bar is drawn and no
 * control code is written: `write` passes lines straight through.
 */
import cliProgress from 'cli-progress';
import type { TableResult } from '../engine/copy-result.js';
import type { Reporter } from '../engine/events.js';
import { redact } from '../secrets.js';
import type { VerifyReporter } from '../verify/verify-events.js';
import type { TableVerifyResult } from '../verify/verify-result.js';
import { type BarState, barLine } from './bar-line.js';

/** Where bars draw: stderr, or any object with a `write` (tests pass a fake terminal). */
export interface BarStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** A bar and the time its work started. */
interface Track {
  state: BarState;
  started: number;
  bar?: cliProgress.SingleBar;
}

const OVERALL = 'total';

/** Listener that draws the bars; also the sink of the human log lines (`write`). */
export class ProgressBars implements Reporter, VerifyReporter {
  private readonly multibar: cliProgress.MultiBar | undefined;
  private readonly tracks = new Map<string, Track>();
  private overall: Track | undefined;
  private tables = 0;
  private tablesDone = 0;
  private drawing = false;
  private stopped = false;

  constructor(
    private readonly stream: BarStream,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (stream.isTTY !== true) return;
    this.multibar = new cliProgress.MultiBar({
      // cli-progress only writes to the stream and reads isTTY and columns from it.
      stream: stream as NodeJS.WritableStream,
      format: (_options, _params, payload: { line: string }) => payload.line,
      fps: 10,
      clearOnComplete: false,
      stopOnComplete: false,
      // No SIGINT handler of its own: Ctrl-C must still stop the run.
      gracefulExit: false,
      hideCursor: false,
    });
  }

  /** Whether bars are being drawn (a terminal, at least one bar created, not yet stopped). */
  get active(): boolean {
    return this.drawing && !this.stopped;
  }

  /** Writes log text (whole lines, ending in a newline): above the bars while they draw. */
  write(text: string): void {
    if (this.multibar && this.active) {
      this.multibar.log(text);
      // Draw now rather than at the next frame, so a line is never held back.
      this.multibar.update();
    } else {
      this.stream.write(text);
    }
  }

  /** Draws the bars a last time as they stand and leaves them on screen; later lines go below. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.multibar && this.drawing) {
      this.refresh();
      this.multibar.stop();
    }
  }

  onPhase(event: { phase: string; tables: number }): void {
    if (event.phase === 'data') this.tables = event.tables;
  }

  onTableStart(event: { table: string; estimatedRows?: number; chunks: number }): void {
    const track = this.track(event.table, 'rows', Math.max(0, event.estimatedRows ?? 0));
    track.state.bytes = 0;
    track.state.chunks = { done: 0, total: event.chunks };
  }

  onTableProgress(event: { table: string; rows: number }): void {
    const track = this.tracks.get(event.table);
    if (!track || track.state.finished) return;
    track.state.done = event.rows;
    this.refresh(track);
  }

  onChunkDone(event: { table: string; bytes: number }): void {
    const track = this.tracks.get(event.table);
    if (!track) return;
    track.state.bytes = (track.state.bytes ?? 0) + event.bytes;
    if (track.state.chunks) track.state.chunks.done++;
    this.refresh(track);
  }

  onTableDone(result: TableResult): void {
    const track = this.tracks.get(result.table) ?? this.track(result.table, 'rows', 0);
    // A finished bar shows what arrived, at 100 %, whatever the estimate said.
    Object.assign(track.state, {
      done: result.rows,
      total: result.rows,
      bytes: result.bytes,
      finished: true,
      seconds: result.seconds,
      chunks: { done: result.chunks, total: result.chunks },
    });
    if (result.status === 'failed') track.state.note = 'FAILED';
    this.tablesDone++;
    this.refresh(track);
  }

  onVerifyTableStart(event: { table: string; chunks: number }): void {
    this.track(`verify ${event.table}`, 'chunks', event.chunks);
  }

  onVerifyChunk(event: { table: string }): void {
    const track = this.tracks.get(`verify ${event.table}`);
    if (!track) return;
    track.state.done++;
    this.refresh(track);
  }

  onVerifyTableDone(result: TableVerifyResult): void {
    const track = this.tracks.get(`verify ${result.table}`);
    if (!track) return;
    Object.assign(track.state, { done: result.chunks, total: result.chunks, finished: true });
    this.refresh(track);
  }

  /** A new bar (after the overall bar, which the first table creates). */
  private track(label: string, unit: BarState['unit'], total: number): Track {
    if (unit === 'rows' && !this.overall) {
      this.overall = this.newTrack(OVERALL, 'rows', 0);
      this.draw(this.overall);
    }
    const track = this.newTrack(label, unit, total);
    this.tracks.set(label, track);
    this.draw(track);
    return track;
  }

  private newTrack(label: string, unit: BarState['unit'], total: number): Track {
    return {
      state: { label: redact(label), unit, done: 0, total, seconds: 0, finished: false },
      started: this.now(),
    };
  }

  /** Adds the track's bar to the screen. */
  private draw(track: Track): void {
    if (this.multibar && !this.stopped) {
      track.bar = this.multibar.create(1, 0, { line: this.lineOf(track) });
      this.drawing = true;
    }
  }

  /** Hands the bars' new text to cli-progress, which redraws at its frame rate. */
  private refresh(changed?: Track): void {
    if (!this.multibar || this.stopped) return;
    const now = this.now();
    if (changed && !changed.state.finished) changed.state.seconds = (now - changed.started) / 1000;
    if (this.overall) this.updateOverall(now);
    for (const track of [this.overall, ...this.tracks.values()]) {
      if (track?.bar) track.bar.update(track.state.finished ? 1 : 0, { line: this.lineOf(track) });
    }
  }

  private updateOverall(now: number): void {
    const overall = this.overall;
    if (!overall) return;
    const copies = [...this.tracks.values()].filter((track) => track.state.unit === 'rows');
    const state = overall.state;
    state.done = copies.reduce((sum, track) => sum + track.state.done, 0);
    state.bytes = copies.reduce((sum, track) => sum + (track.state.bytes ?? 0), 0);
    // A row total only when every table has an estimate; else the chunks tell the progress.
    const estimated = copies.every((track) => track.state.total > 0);
    state.total = estimated
      ? copies.reduce((sum, track) => sum + Math.max(track.state.total, track.state.done), 0)
      : 0;
    state.chunks = {
      done: copies.reduce((sum, track) => sum + (track.state.chunks?.done ?? 0), 0),
      total: copies.reduce((sum, track) => sum + (track.state.chunks?.total ?? 0), 0),
    };
    const tables = Math.max(this.tables, copies.length);
    state.note = `${this.tablesDone}/${tables} tables`;
    if (!state.finished) state.seconds = (now - overall.started) / 1000;
    state.finished = tables > 0 && this.tablesDone >= tables;
  }

  private lineOf(track: Track): string {
    // A terminal of unknown size (a pseudo-terminal never sized) reports 0 columns.
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    const labelWidth = Math.min(
      24,
      Math.max(OVERALL.length, ...[...this.tracks.keys()].map((k) => k.length)),
    );
    const label =
      track.state.label.length > labelWidth
        ? `${track.state.label.slice(0, labelWidth - 1)}…`
        : track.state.label;
    return barLine({ ...track.state, label }, labelWidth, width);
  }
}
