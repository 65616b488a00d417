/** Renders a plan's run (`ferry run`) and its standing (`ferry status`) for people and as JSON. */
import type { SyncProgress } from '../cdc/sync-progress.js';
import type { TableConsistency } from '../engine/run-consistency.js';
import type { RunOutcome } from '../engine/run-plan.js';
import type { RunStatus } from '../engine/run-status.js';
import { formatBytes, formatDuration } from '../monitor/units.js';
import { redact } from '../secrets.js';
import { describePosition, formatJson, formatSummary } from './copy-summary.js';

/** Where a table's consistency holds from: the log position, else the snapshot's time. */
function whereFrom(consistency: TableConsistency): string {
  return describePosition(consistency.position) || (consistency.takenAt ?? 'an unknown point');
}

/** `consistent at …` / `NOT consistent since …` for one table. */
export function consistencyText(consistency: TableConsistency): string {
  return consistency.consistent
    ? `consistent at ${whereFrom(consistency)}`
    : `NOT consistent since ${whereFrom(consistency)} (read across ${consistency.snapshots} snapshots after an interruption)`;
}

/** The copy's summary, per-table consistency in place of the one snapshot line, then the verify report. */
export function formatRunSummary(outcome: RunOutcome): string {
  if (outcome.alreadyFinished) {
    return `run ${outcome.run} of this plan already finished (ferry status shows it); --restart copies again\n`;
  }
  const head = outcome.attempt > 1 ? [`resumed run ${outcome.run} (attempt ${outcome.attempt})`] : [];
  // A resumed copy read its tables at several snapshots: the per-table lines say what holds.
  const copy = outcome.copy ? formatSummary({ ...outcome.copy, snapshot: undefined }, outcome.verify) : '';
  const tail = outcome.consistency.map((table) => `${table.table}: ${consistencyText(table)}`);
  const inconsistent = outcome.consistency.filter((table) => !table.consistent).map((t) => t.table);
  if (inconsistent.length > 0) {
    const equal = new Set(outcome.verify?.tables.filter((t) => t.status === 'equal').map((t) => t.table));
    const proved = inconsistent.filter((name) => equal.has(name));
    tail.push(
      `not consistent since their first snapshot: ${inconsistent.join(', ')}; verified equal to the source now: ${proved.join(', ') || 'none'}`,
    );
  }
  if (outcome.sync) {
    const sync = outcome.sync;
    tail.push(...syncLines(sync.progress));
    if (sync.ended === 'stopped')
      tail.push('sync stopped: run the plan again to stream on from where the target stands');
    else {
      tail.push(`cutover done at source position ${describePosition(sync.finalPosition) || 'unknown'}`);
      tail.push(...sync.instructions.map((line) => `next: ${line}`));
    }
  }
  const lines = (texts: string[]) => texts.map((line) => `${line}\n`).join('');
  const verifyOnly = !outcome.copy && outcome.verify ? formatVerifyLine(outcome) : '';
  return redact(`${lines(head)}${copy}${verifyOnly}${lines(tail)}`);
}

/** The change stream's standing: positions, lag, rate, backlog, then per-table counts. */
export function syncLines(progress: SyncProgress): string[] {
  const parts = [
    `applied ${describePosition(progress.appliedPosition) || 'nothing yet'}`,
    progress.sourcePosition ? `source at ${describePosition(progress.sourcePosition)}` : '',
    `lag ${progress.lagSeconds.toFixed(1)} s`,
    `${Math.round(progress.changesPerSecond)} changes/s`,
    `${progress.pendingChanges} pending`,
    progress.retainedBytes !== undefined ? `${formatBytes(progress.retainedBytes)} of log retained` : '',
    `${progress.appliedChanges} changes in ${progress.appliedTransactions} transaction(s) applied`,
  ];
  const tables = Object.entries(progress.tables).map(
    ([table, counts]) =>
      `  ${table}: ${counts.inserts} inserted, ${counts.updates} updated, ${counts.deletes} deleted`,
  );
  return [`sync (${progress.at}): ${parts.filter((part) => part.length > 0).join(', ')}`, ...tables];
}

/** The run as JSON: the copy's document plus the run's id, attempt and consistency. */
export function formatRunJson(outcome: RunOutcome): string {
  const copy = outcome.copy ? JSON.parse(formatJson(outcome.copy, outcome.verify)) : undefined;
  return redact(
    `${JSON.stringify(
      {
        ok: outcome.ok,
        run: outcome.run,
        attempt: outcome.attempt,
        alreadyFinished: outcome.alreadyFinished,
        consistency: outcome.consistency,
        ...(copy ? { copy } : {}),
        ...(outcome.sync ? { sync: outcome.sync } : {}),
      },
      null,
      2,
    )}\n`,
  );
}

/** One line per table, then the run's line. */
export function formatStatus(status: RunStatus): string {
  const { run } = status;
  const width = Math.max(5, ...status.tables.map((t) => t.table.length));
  const lines = status.tables.map((table) => {
    const parts = [
      table.table.padEnd(width),
      table.status.padEnd(7),
      `${table.chunksDone}/${table.chunks} chunks`.padStart(14),
      `${table.rows}${table.estimatedRows !== undefined ? ` of ~${table.estimatedRows}` : ''} rows`,
      formatBytes(table.bytes),
      table.rowsPerSecond !== undefined ? `${Math.round(table.rowsPerSecond)} rows/s` : '',
      table.etaSeconds !== undefined ? `ETA ${formatDuration(table.etaSeconds)}` : '',
      table.consistency ? consistencyText(table.consistency) : '',
      table.error ? `error: ${table.error}` : '',
    ];
    return parts.filter((part) => part.length > 0).join('  ');
  });
  const stale =
    run.status === 'running' && status.secondsSinceUpdate > 60
      ? ` — no checkpoint for ${Math.round(status.secondsSinceUpdate)} s: if no ferry run is working on it, run it again to resume`
      : '';
  if (status.sync) lines.push(...syncLines(status.sync));
  if (status.cutover) {
    lines.push(
      `cutover: ${status.cutover.status} (asked ${status.cutover.requestedAt}, max lag ${status.cutover.request.maxLagSeconds} s)`,
    );
  }
  lines.push(
    `run ${run.id}: ${run.status}${run.phase ? `, phase ${run.phase}` : ''}, attempt ${run.attempts}, started ${run.startedAt}${run.finishedAt ? `, ended ${run.finishedAt}` : ''}${stale}`,
  );
  return redact(`${lines.join('\n')}\n`);
}

/** A sync resumed past its copy has no copy summary: the cutover's verify still says what it found. */
function formatVerifyLine(outcome: RunOutcome): string {
  const verify = outcome.verify!;
  const differing = verify.tables.filter((table) => table.status !== 'equal').map((table) => table.table);
  return verify.ok
    ? `verify: ${verify.tables.length} tables equal to the source\n`
    : `verify: differences in ${differing.join(', ')}\n`;
}
