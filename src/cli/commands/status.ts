/** `ferry status <plan.yaml>`: where the plan's run stands, read from its state file. */
import type { Command } from 'commander';
import { runStatus } from '../../engine/run-status.js';
import { PreconditionError } from '../../errors.js';
import { loadPlan } from '../../plan/load-plan.js';
import { redact } from '../../secrets.js';
import { openSqliteStateStore } from '../../state/sqlite/sqlite-state-store.js';
import { formatStatus } from '../run-summary.js';

/** Adds the `status` command; `setStatus` receives 0 for a finished or running run, 1 for a failed one. */
export function registerStatusCommand(program: Command, setStatus: (status: number) => void): void {
  program
    .command('status')
    .description(
      "Show where a plan's run stands: per table chunks done, rows, bytes, rate, ETA, errors, consistency",
    )
    .argument('<plan>', 'the plan file that ferry run runs')
    .option('--json', 'print the standing as JSON')
    .addHelpText(
      'after',
      `
Reads only the run's state file, so it answers while ferry run works (from another shell) and
after it ended or died.

Example:
  ferry status shop.yaml`,
    )
    .action(async (planPath: string, flags: { json?: boolean }) => {
      const plan = await loadPlan(planPath);
      const store = openSqliteStateStore(plan.statePath, { readonly: true });
      try {
        const status = runStatus(store);
        if (!status) {
          throw new PreconditionError(
            'RUN_NOT_FOUND',
            `No run of plan ${plan.name} is recorded in ${plan.statePath}: start it with ferry run ${planPath}.`,
          );
        }
        process.stdout.write(
          flags.json ? redact(`${JSON.stringify(status, null, 2)}\n`) : formatStatus(status),
        );
        setStatus(status.run.status === 'failed' ? 1 : 0);
      } finally {
        store.close();
      }
    });
}
