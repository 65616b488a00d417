/** A Reporter that narrates a run on stderr for people, one line per step. */
import type { Reporter } from '../engine/events.js';
import { redact } from '../secrets.js';
import { describeSnapshot } from './copy-summary.js';

/** Writes human progress lines to `stream` (stderr by default). */
export function stderrLog(stream: NodeJS.WritableStream = process.stderr): Reporter {
  const write = (line: string) => stream.write(`${redact(line)}\n`);
  return {
    onConnected: (e) => write(`ferry: ${e.source} (${e.sourceVersion}) → ${e.target}`),
    onPhase: (e) =>
      write(
        `ferry: ${e.phase} (${e.tables} ${e.phase === 'objects' ? 'object' : 'table'}${e.tables === 1 ? '' : 's'})`,
      ),
    onSnapshot: (snapshot) => write(`ferry: reading every table as of ${describeSnapshot(snapshot)}`),
    onThrottle: (e) => write(`ferry: ${e.table}: paused ${e.seconds.toFixed(2)} s (${e.reason})`),
    // Failures are printed once, by the command, whatever the log level.
    onTableDone: (r) => {
      if (r.status !== 'failed') write(`ferry: ${r.table}: ${r.rows} rows in ${r.seconds.toFixed(2)} s`);
    },
  };
}
