import { describe, expect, it } from 'vitest';
import { stderrLog } from '../../../src/cli/stderr-log.js';
import { barLine } from '../../../src/monitor/bar-line.js';
import { ProgressBars } from '../../../src/monitor/progress-bars.js';
import { playRun } from './synthetic-run.js';

/** A stream that says it is a terminal, as stderr does on one, and keeps what is written. */
function fakeTerminal(isTTY: boolean) {
  const chunks: string[] = [];
  return {
    isTTY,
    columns: 140,
    chunks,
    write(text: string) {
      chunks.push(text);
      return true;
    },
  };
}

/** The texts between cursor moves, carriage returns and newlines: what each redraw wrote. */
function segments(output: string): string[] {
  return output
    .split(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]|\r|\n/)
    .map((segment) => segment.trimEnd())
    .filter((segment) => segment.length > 0);
}

describe('barLine', () => {
  const base = { label: 'orders', unit: 'rows' as const, seconds: 2, finished: false };

  it('shows percentage, counts, bytes, rate and ETA', () => {
    const line = barLine({ ...base, done: 1000, total: 4000, bytes: 1536 * 1024 }, 8, 200);
    expect(line).toBe(
      'orders   ██████░░░░░░░░░░░░░░░░░░  25%  1,000/4,000 rows  1.5 MiB  500 rows/s  ETA 6s',
    );
  });

  it('never shows 100 % before the end, though the estimate was too low', () => {
    expect(barLine({ ...base, done: 5000, total: 4000 }, 6, 200)).toContain(' 99%  5,000/5,000 rows');
  });

  it('says ? for an unknown total and stops at 100 % with the time taken', () => {
    expect(barLine({ ...base, done: 10, total: 0 }, 6, 200)).toMatch(/ \?% {2}10 rows .* ETA \?$/);
    expect(barLine({ ...base, done: 750, total: 700, finished: true, seconds: 75 }, 6, 200)).toMatch(
      /█{24} 100% {2}750 rows {2}10 rows\/s {2}in 1m15s$/,
    );
  });

  it('tells the progress by chunks where there is no row estimate', () => {
    const line = barLine({ ...base, done: 10, total: 0, chunks: { done: 1, total: 4 } }, 6, 200);
    expect(line).toMatch(/^orders █{6}░{18} {2}25% {2}10 rows {2}5 rows\/s {2}ETA 6s$/);
  });

  it('gives the bar the room the figures leave', () => {
    const narrow = barLine({ ...base, done: 1000, total: 4000 }, 6, 60);
    expect(narrow).toHaveLength(60);
    expect(narrow).toMatch(/^orders █{3}░{7} {2}25% {2}1,000\/4,000 rows/);
  });

  it('fits the width of the terminal', () => {
    expect(barLine({ ...base, done: 1, total: 2 }, 6, 30)).toHaveLength(30);
  });
});

describe('ProgressBars', () => {
  it('draws a bar per table and an overall bar on a terminal, redrawn in place, finished at 100 %', () => {
    const terminal = fakeTerminal(true);
    let now = 0;
    const bars = new ProgressBars(terminal, () => now);
    now = 1000;
    playRun([bars, stderrLog(bars)]);
    bars.stop();
    const output = terminal.chunks.join('');
    // Redrawn with cursor movements, not by scrolling new lines.
    expect(output).toMatch(/\x1b\[\d*G/);
    expect(output).toMatch(/\x1b\[\d+A/);
    const drawn = segments(output);
    const last = (label: string) => drawn.filter((segment) => segment.startsWith(`${label} `)).at(-1);
    expect(last('orders')).toMatch(
      /^orders +█{24} 100% {2}2,500 rows {2}244\.1 KiB {2}1,250 rows\/s {2}in 2s$/,
    );
    expect(last('notes')).toMatch(/^notes +█{24} 100% {2}400 rows {2}FAILED/);
    expect(last('total')).toMatch(/^total +█{24} 100% {2}2,900 rows {2}2\/2 tables/);
    // An earlier frame of orders, while it ran, was below 100 %.
    expect(drawn.some((segment) => /^orders +█*░+ +\d+% {2}2,000\/2,400 rows/.test(segment))).toBe(true);
    // The log lines printed above the bars, whole.
    expect(drawn).toContain('ferry: orders: chunk 2 failed (connection lost); copying it again (attempt 2)');
  });

  it('writes nothing but the plain log lines to a stream that is not a terminal', () => {
    const stream = fakeTerminal(false);
    const bars = new ProgressBars(stream);
    playRun([bars, stderrLog(bars)]);
    bars.stop();
    const output = stream.chunks.join('');
    expect(output).not.toMatch(/[\x1b\r]/);
    const lines = output.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(line).toMatch(/^ferry: /);
    expect(output).not.toContain('█');
  });
});
