/** The error of a plan file that cannot be used: every problem found, each as `<file>: <path>: <message>`. */
import { UsageError } from '../errors.js';

/** What kind of problem stopped the plan; stable for scripts and tests. */
export type PlanErrorCode =
  | 'PLAN_NOT_FOUND'
  | 'PLAN_UNREADABLE'
  | 'PLAN_SYNTAX'
  | 'PLAN_ENV_UNSET'
  | 'PLAN_INVALID'
  | 'PLAN_SECRET_FILE';

/**
 * A plan file is missing, is not YAML, or does not match the plan schema. A usage error (exit 2):
 * the plan has to be fixed, no database was touched. `problems` holds one line per problem.
 */
export class PlanError extends UsageError {
  readonly problems: readonly string[];

  constructor(code: PlanErrorCode, problems: readonly string[], options: { cause?: unknown } = {}) {
    super(code, planMessage(problems), options);
    this.problems = problems;
  }
}

function planMessage(problems: readonly string[]): string {
  if (problems.length === 1) return problems[0]!;
  // Every problem on its own line, so a user fixes them all in one pass.
  return `the plan has ${problems.length} problems:\n${problems.map((problem) => `  ${problem}`).join('\n')}`;
}
