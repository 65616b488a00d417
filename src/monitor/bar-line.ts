/** One progress bar's text: label, bar, percentage, done/total, bytes, rate and ETA. */
import { formatBytes, formatCount, formatDuration, perSecond } from './units.js';

/** What one bar shows. */
export interface BarState {
  label: string;
  /** What the bar counts: rows for a copy, chunks for a verify. */
  unit: 'rows' | 'chunks';
  done: number;
  /** The expected total (an estimate for rows); 0 when unknown. */
  total: number;
  /** Chunks finished and planned: the progress when the total is unknown (SQLite keeps no row estimate). */
  chunks?: { done: number; total: number };
  /** Bytes written so far; shown when known. */
  bytes?: number;
  /** Seconds since the work started. */
  seconds: number;
  finished: boolean;
  /** Extra text after the counts, e.g. `2/5 tables`. */
  note?: string;
}

const MIN_BAR = 4;
const MAX_BAR = 24;

/**
 * How far the work is, 0 to 1, or undefined when nothing tells. A row estimate can be off either
 * way, so unfinished work never reaches 1 and finished work always does.
 */
export function barFraction(state: BarState): number | undefined {
  if (state.finished) return 1;
  if (state.total > 0) return Math.min(0.99, state.done / state.total);
  if (state.chunks && state.chunks.total > 0) return Math.min(0.99, state.chunks.done / state.chunks.total);
  return undefined;
}

/** The bar's line, at most `width` characters; the bar itself takes the room the figures leave. */
export function barLine(state: BarState, labelWidth: number, width: number): string {
  const fraction = barFraction(state);
  const percent = fraction === undefined ? '?%' : `${Math.floor(fraction * 100)}%`;
  const total =
    state.total > 0 && !state.finished ? `/${formatCount(Math.max(state.total, state.done))}` : '';
  const rate = perSecond(state.done, state.seconds);
  const figures = [`${formatCount(state.done)}${total} ${state.unit}`];
  if (state.note) figures.push(state.note);
  if (state.bytes !== undefined) figures.push(formatBytes(state.bytes));
  figures.push(`${formatCount(rate)} ${state.unit}/s`);
  figures.push(state.finished ? `in ${formatDuration(state.seconds)}` : `ETA ${eta(state, fraction)}`);
  const tail = `${percent.padStart(4)}  ${figures.join('  ')}`;
  const room = width - labelWidth - tail.length - 2;
  const size = Math.max(MIN_BAR, Math.min(MAX_BAR, room));
  const filled = Math.round((fraction ?? 0) * size);
  const line = `${state.label.padEnd(labelWidth)} ${'█'.repeat(filled)}${'░'.repeat(size - filled)} ${tail}`;
  return line.length > width ? line.slice(0, Math.max(0, width)) : line;
}

/** Time left at the pace so far: the elapsed time scaled by what remains. */
function eta(state: BarState, fraction: number | undefined): string {
  if (fraction === undefined || fraction <= 0 || state.seconds <= 0) return '?';
  return formatDuration((state.seconds * (1 - fraction)) / fraction);
}
