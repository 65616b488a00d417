/** `ferry run <plan.yaml>`: runs a plan, or resumes its interrupted run, and prints what it did. */
import type { Command } from 'commander';
import { preflight } from '../../engine/preflight.js';
import { runPlan } from '../../engine/run-plan.js';
import type { LoadedPlan } from '../../plan/load-plan.js';
import { loadPlan } from '../../plan/load-plan.js';
import { redact } from '../../secrets.js';
import { openSqliteStateStore } from '../../state/sqlite/sqlite-state-store.js';
import type { StateStore } from '../../state/state-store.js';
import { failureLines } from '../copy-summary.js';
import { addMonitorOptions, type MonitorFlags } from '../monitor-options.js';
import { type Monitors, startMonitors } from '../monitors.js';
import { problemLine } from '../preflight-lines.js';
import { consistencyText, formatRunJson, formatRunSummary } from '../run-summary.js';

interface RunFlags extends MonitorFlags {
  restart?: boolean;
}

/** Adds the `run` command; `setStatus` receives 0 when the plan ran through, else 1. */
export function registerRunCommand(program: Command, setStatus: (status: number) => void): void {
  const command = program
    .command('run')
    .description(
      'Run a plan file: preflight, snapshot, chunked parallel copy, indexes, verify; in mode sync, then stream the source changes until ferry cutover. Run it again after any interruption and it finishes only what is left.',
    )
    .argument('<plan>', 'the plan file (YAML; ferry init writes an example)')
    .option('--restart', 'forget the recorded run of this plan and begin again')
    .option('--json', 'print the result as JSON on stdout (the log stays on stderr)')
    .option('-q, --quiet', 'no progress on stderr (errors still)');
  addMonitorOptions(command, { report: true })
    .addHelpText(
      'after',
      `
State: the run keeps its checkpoints in .ferry/<plan-name>.db (the plan's state: key moves it); the
target's own progress table records each chunk in the transaction that writes it, so a run killed
at any moment and started again never duplicates or loses a row. A plan changed since its run began
is refused; --restart begins again. The preflight (ferry plan) runs before a run's first attempt.

Consistency: a table read entirely at the run's snapshot is reported consistent at that position;
a table whose reading spans an interruption is reported NOT consistent since its first position,
and is verified against the source.

Sync (mode: sync): after the copy the run streams the source's changes (PostgreSQL logical
replication, MariaDB/MySQL binlog) from exactly the snapshot's position, each source transaction
applied whole together with its position, until ferry cutover (from another shell) drains it.
Ctrl-C stops streaming; running again streams on from what the target holds.

Exit codes: 0 done (and verified), 1 the run failed, the preflight found errors or verify found
differences, 2 bad plan or invocation.

Example:
  ferry init shop.yaml && ferry run shop.yaml && ferry status shop.yaml`,
    )
    .action(async (planPath: string, flags: RunFlags) => {
      const plan = await loadPlan(planPath);
      const store = openSqliteStateStore(plan.statePath);
      // A long run is watched on stderr whatever stdout carries.
      const monitors = await startMonitors({ ...flags, json: false });
      try {
        setStatus(await runAndReport(plan, store, flags, monitors));
      } catch (error) {
        monitors.fail(error);
        throw error;
      } finally {
        await monitors.close();
        store.close();
      }
    });
}

async function runAndReport(plan: LoadedPlan, store: StateStore, flags: RunFlags, monitors: Monitors) {
  const recorded = store.run();
  if (!recorded || flags.restart) {
    const report = await preflight({ ...plan.copy, mode: plan.mode });
    const json = flags.logFormat === 'json';
    const warnings = report.problems.length - report.problems.filter((p) => p.level === 'error').length;
    if (warnings > 0 && !flags.quiet && !json) {
      process.stderr.write(
        `ferry: the preflight has ${warnings} warning${warnings === 1 ? '' : 's'} (ferry plan ${plan.file} lists them)\n`,
      );
    }
    for (const problem of report.problems) {
      // Warnings go to the JSON log one by one; a person gets their count (ferry plan lists them).
      if (problem.level !== 'error' && (flags.quiet || !json)) continue;
      const event = { time: new Date().toISOString(), event: 'preflight.problem', ...problem };
      process.stderr.write(redact(json ? `${JSON.stringify(event)}\n` : `ferry: ${problemLine(problem)}\n`));
    }
    if (!report.ok) {
      const message = `the preflight found errors; nothing was written (ferry plan ${plan.file} shows them all)`;
      process.stderr.write(
        json ? `${JSON.stringify({ event: 'preflight.failed', message })}\n` : `ferry: ${message}\n`,
      );
      return 1;
    }
  }
  // A sync streams until a cutover: Ctrl-C or SIGTERM stops it cleanly, resumable by running again.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  if (plan.mode === 'sync') {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const outcome = await runPlan({
    plan: {
      name: plan.name,
      source: plan.source,
      target: plan.target,
      copy: plan.copy,
      verify: plan.verify,
      mode: plan.mode,
      ...(plan.syncSessions ? { syncSessions: plan.syncSessions } : {}),
    },
    store,
    restart: flags.restart ?? false,
    reporters: monitors.reporters,
    verifyReporters: monitors.verifyReporters,
    signal: stop.signal,
  }).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
  await monitors.finish({
    ...(outcome.copy ? { copy: outcome.copy } : {}),
    ...(outcome.verify ? { verify: outcome.verify } : {}),
    consistency: Object.fromEntries(
      outcome.consistency.map((table) => [table.table, consistencyText(table)]),
    ),
  });
  process.stdout.write(flags.json ? formatRunJson(outcome) : formatRunSummary(outcome));
  if (!monitors.logsErrors) {
    for (const error of outcome.copy ? failureLines(outcome.copy) : [])
      process.stderr.write(redact(`ferry: error: ${error}\n`));
  }
  return outcome.ok ? 0 : 1;
}
