/** A Reporter that narrates a run on stderr for people, one line per step. */
import type { Reporter } from '../engine/events.js';
import { redact } from '../secrets.js';
import { describeSnapshot } from './copy-summary.js';

/** Where human lines go: stderr, or the progress bars, which print them above themselves. */
export interface LineSink {
  write(text: string): unknown;
}

/** Writes human progress lines to `stream` (stderr by default). */
export function stderrLog(stream: LineSink = process.stderr): Reporter {
  const write = (line: string) => stream.write(`${redact(line)}\n`);
  return {
    onConnected: (e) => write(`ferry: ${e.source} (${e.sourceVersion}) → ${e.target}`),
    onPhase: (e) =>
      write(
        `ferry: ${e.phase} (${e.tables} ${e.phase === 'objects' ? 'object' : 'table'}${e.tables === 1 ? '' : 's'})`,
      ),
    onSnapshot: (snapshot) => write(`ferry: reading every table as of ${describeSnapshot(snapshot)}`),
    onWarning: (e) => write(`ferry: warning: ${e.table ? `${e.table}: ` : ''}${e.message}`),
    onChunkRetry: (e) =>
      write(
        `ferry: ${e.table}: chunk ${e.chunk + 1} failed (${e.reason}); copying it again (attempt ${e.attempt + 1})`,
      ),
    onThrottle: (e) =>
      write(
        `ferry: ${e.table ? `${e.table}: ` : ''}paused ${e.seconds.toFixed(2)} s (${e.reason}${e.detail ? `: ${e.detail}` : ''})`,
      ),
    // Failures are printed once, by the command, whatever the log level.
    onTableDone: (r) => {
      if (r.status !== 'failed') {
        const chunks =
          r.chunks > 1 ? ` (${r.chunks} chunks${r.retries > 0 ? `, ${r.retries} redone` : ''})` : '';
        write(`ferry: ${r.table}: ${r.rows} rows in ${r.seconds.toFixed(2)} s${chunks}`);
      }
    },
  };
}
