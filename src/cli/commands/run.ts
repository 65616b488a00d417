/** `ferry run <plan.yaml>`: runs a plan, or resumes its interrupted run, and prints what it did. */
import type { Command } from 'commander';
import { runPlan } from '../../engine/run-plan.js';
import { UsageError } from '../../errors.js';
import { loadPlan } from '../../plan/load-plan.js';
import { openSqliteStateStore } from '../../state/sqlite/sqlite-state-store.js';
import { formatRunJson, formatRunSummary } from '../run-summary.js';
import { stderrLog } from '../stderr-log.js';
import { verifyLog } from '../verify-summary.js';

interface RunFlags {
  restart?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** Adds the `run` command; `setStatus` receives 0 when the plan ran through, else 1. */
export function registerRunCommand(program: Command, setStatus: (status: number) => void): void {
  program
    .command('run')
    .description(
      'Run a plan file: snapshot, chunked parallel copy, indexes, verify. Run it again after any interruption and it finishes only what is left.',
    )
    .argument('<plan>', 'the plan file (YAML; ferry init writes an example)')
    .option('--restart', 'forget the recorded run of this plan and begin again')
    .option('--json', 'print the result as JSON on stdout instead of the summary')
    .option('-q, --quiet', 'no progress lines on stderr')
    .addHelpText(
      'after',
      `
State: the run keeps its checkpoints in .ferry/<plan-name>.db (the plan's state: key moves it); the
target's own progress table records each chunk in the transaction that writes it, so a run killed
at any moment and started again never duplicates or loses a row. A plan changed since its run began
is refused; --restart begins again.

Consistency: a table read entirely at the run's snapshot is reported consistent at that position;
a table whose reading spans an interruption is reported NOT consistent since its first position,
and is verified against the source.

Exit codes: 0 done (and verified), 1 the run failed or found differences, 2 bad plan or invocation.

Example:
  ferry init shop.yaml && ferry run shop.yaml`,
    )
    .action(async (planPath: string, flags: RunFlags) => {
      const plan = await loadPlan(planPath);
      if (plan.mode !== 'snapshot') {
        throw new UsageError(
          'PLAN_MODE',
          `mode ${plan.mode} is not supported by ferry run yet; use mode: snapshot.`,
        );
      }
      const store = openSqliteStateStore(plan.statePath);
      try {
        const outcome = await runPlan({
          plan: {
            name: plan.name,
            source: plan.source,
            target: plan.target,
            copy: plan.copy,
            verify: plan.verify,
          },
          store,
          restart: flags.restart ?? false,
          // The log goes to stderr whatever stdout carries (--json): a long run is watched there.
          reporters: flags.quiet ? [] : [stderrLog()],
          verifyReporters: flags.quiet ? [] : [verifyLog()],
        });
        process.stdout.write(flags.json ? formatRunJson(outcome) : formatRunSummary(outcome));
        setStatus(outcome.ok ? 0 : 1);
      } finally {
        store.close();
      }
    });
}
