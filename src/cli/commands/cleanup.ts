/** `ferry cleanup <plan.yaml>`: removes a finished sync's slot, publication and Ferry's sync records. */
import type { Command } from 'commander';
import { cleanupPlan } from '../../engine/run-cleanup.js';
import { PreconditionError } from '../../errors.js';
import { loadPlan } from '../../plan/load-plan.js';
import { redact } from '../../secrets.js';
import { openSqliteStateStore } from '../../state/sqlite/sqlite-state-store.js';

/** Adds the `cleanup` command; `setStatus` receives 0 when everything was removed. */
export function registerCleanupCommand(program: Command, setStatus: (status: number) => void): void {
  program
    .command('cleanup')
    .description(
      "Remove what a sync keeps on both sides: the source's replication slot and publication (PostgreSQL; they hold WAL until dropped) and the target's sync records",
    )
    .argument('<plan>', 'the plan file of the sync')
    .option('--force', 'clean up even though the state file says a run is still streaming')
    .addHelpText(
      'after',
      `
Run it after ferry cutover (or to abandon a sync). Rows copied and applied stay; Ferry's chunk
progress table (_ferry_chunks) on the target stays too: drop it by hand once no run writes there.

Example:
  ferry cutover shop.yaml && ferry cleanup shop.yaml`,
    )
    .action(async (planPath: string, flags: { force?: boolean }) => {
      const plan = await loadPlan(planPath);
      const store = openSqliteStateStore(plan.statePath);
      try {
        const run = store.run();
        if (run?.status === 'running' && run.phase === 'sync' && !flags.force) {
          throw new PreconditionError(
            'CLEANUP_WHILE_SYNCING',
            `The run of plan ${plan.name} is still streaming (or died while streaming): cut it over first (ferry cutover ${planPath}), or pass --force to abandon the sync.`,
          );
        }
        const removed = await cleanupPlan({ stream: plan.name, source: plan.source, target: plan.target });
        process.stdout.write(redact(`${removed.map((line) => `removed ${line}`).join('\n')}\n`));
        setStatus(0);
      } finally {
        store.close();
      }
    });
}
