/** `ferry cutover <plan.yaml>`: asks the `ferry run` streaming a plan to drain, verify and finish. */
import type { Command } from 'commander';
import { requestCutover } from '../../engine/run-cutover.js';
import { UsageError } from '../../errors.js';
import { loadPlan } from '../../plan/load-plan.js';
import { redact } from '../../secrets.js';
import { openSqliteStateStore } from '../../state/sqlite/sqlite-state-store.js';
import { syncLines } from '../run-summary.js';

interface CutoverFlags {
  maxLag: string;
  timeout: string;
  readOnly?: boolean;
  json?: boolean;
  quiet?: boolean;
}

function seconds(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new UsageError('BAD_OPTION', `${option} takes a number of seconds; got ${JSON.stringify(text)}.`);
  }
  return value;
}

/** Adds the `cutover` command; `setStatus` receives 0 when the cutover is done. */
export function registerCutoverCommand(program: Command, setStatus: (status: number) => void): void {
  program
    .command('cutover')
    .description(
      'Switch over a syncing plan: wait until the lag is small, drain every change to the final source position, verify, set sequences, and say what the application must change',
    )
    .argument('<plan>', 'the plan file that ferry run is streaming')
    .option('--max-lag <seconds>', 'drain once the lag is under this', '2')
    .option(
      '--timeout <seconds>',
      'give up (the run keeps streaming) if the lag is not under --max-lag by then',
      '300',
    )
    .option(
      '--read-only',
      'make the source read-only before draining (PostgreSQL: new sessions read-only, open ones ended; MariaDB/MySQL: SET GLOBAL read_only = ON) and say how to undo it',
    )
    .option('--json', 'print the result as JSON')
    .option('-q, --quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      `
The running ferry run (mode: sync) does the work; this command asks it through the plan's state
file and waits. Stop the application's writes to the source first, or pass --read-only, so that
the final position is final. --read-only on PostgreSQL sets default_transaction_read_only = on for
the database and ends its other client sessions (their open transactions roll back; a client that
sets the option off again can still write); on MariaDB/MySQL it sets the server's read_only = ON
(all databases of the server; accounts with READ ONLY ADMIN or SUPER, such as root, still write).
The source stays read-only after the cutover; the result says how to undo it.

Exit codes: 0 cut over and verified, 1 the cutover failed or no run is streaming, 2 bad invocation.

Example:
  ferry run shop.yaml &      # copies, then streams
  ferry cutover shop.yaml --max-lag 1`,
    )
    .action(async (planPath: string, flags: CutoverFlags) => {
      const request = {
        maxLagSeconds: seconds(flags.maxLag, '--max-lag'),
        timeoutSeconds: seconds(flags.timeout, '--timeout'),
        readOnly: flags.readOnly ?? false,
      };
      const plan = await loadPlan(planPath);
      const store = openSqliteStateStore(plan.statePath);
      try {
        let last = '';
        const done = await requestCutover(store, request, (update) => {
          if (flags.quiet || flags.json) return;
          const line = `cutover: ${update.cutover.status}${update.sync ? ` — ${syncLines(update.sync)[0]}` : ''}`;
          const step = update.cutover.status;
          if (step !== last) process.stderr.write(redact(`ferry: ${line}\n`));
          last = step;
        });
        const result = done.result ? (JSON.parse(done.result) as Record<string, unknown>) : {};
        if (flags.json) process.stdout.write(redact(`${JSON.stringify({ ok: true, ...result }, null, 2)}\n`));
        else {
          const instructions = (result.instructions as string[] | undefined) ?? [];
          process.stdout.write(
            redact(
              `${[
                `cut over: every change up to source position ${JSON.stringify(result.finalPosition ?? null)} is on the target, and verify found the tables equal`,
                ...instructions.map((line) => `next: ${line}`),
              ].join('\n')}\n`,
            ),
          );
        }
        setStatus(0);
      } finally {
        store.close();
      }
    });
}
