/** `ferry plan <plan.yaml>`: loads and checks a plan, runs the preflight, prints what would happen. */
import type { Command } from 'commander';
import { type PreflightReport, preflight } from '../../engine/preflight.js';
import { type LoadedPlan, loadPlan } from '../../plan/load-plan.js';
import { redact } from '../../secrets.js';
import { formatPlan } from '../plan-summary.js';
import { problemLine } from '../preflight-lines.js';

/** Adds the `plan` command; `setStatus` receives 0 when the preflight found no error, else 1. */
export function registerPlanCommand(program: Command, setStatus: (status: number) => void): void {
  program
    .command('plan')
    .description(
      'Check a plan file and the databases it names, and show what a run would do: tables, type mappings, problems. Writes nothing.',
    )
    .argument('<plan.yaml>', 'the plan file (ferry init writes an example)')
    .option('--json', 'print the preflight report as JSON on stdout')
    .addHelpText(
      'after',
      `
A plan names source, target, tables (include / exclude with * and ?, rename, where, columns),
mode, options and verify; passwords come from \${ENV_VARS} or a passwordFile.

Exit codes: 0 ready to run, 1 a database refused (unreachable, missing privilege, non-empty
target table), 2 the plan is invalid (each problem printed as <file>: <path>: <message>).

Example:
  PG_PASSWORD=secret ferry plan shop.yaml`,
    )
    .action(async (file: string, flags: { json?: boolean }) => {
      const plan = await loadPlan(file);
      const report = await preflight({ ...plan.copy, mode: plan.mode });
      process.stdout.write(redact(flags.json ? formatReportJson(plan, report) : formatReport(plan, report)));
      setStatus(report.problems.some((problem) => problem.level === 'error') ? 1 : 0);
    });
}

/** The mapping, then one line per problem, then a verdict. */
function formatReport(plan: LoadedPlan, report: PreflightReport): string {
  const lines = report.problems.map(problemLine);
  const errors = report.problems.filter((problem) => problem.level === 'error').length;
  const warnings = report.problems.length - errors;
  const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  lines.push(
    errors === 0
      ? `plan ${plan.name}: ready to run (${counts}); nothing was written`
      : `plan ${plan.name}: not ready (${counts}); fix the errors above, nothing was written`,
  );
  return `${formatPlan(report.plan)}\n${lines.join('\n')}\n`;
}

function formatReportJson(plan: LoadedPlan, report: PreflightReport): string {
  return `${JSON.stringify({ name: plan.name, fingerprint: plan.fingerprint, ...report }, null, 2)}\n`;
}
