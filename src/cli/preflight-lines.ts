/** One line per preflight problem, as `ferry plan` and `ferry run` print them. */
import type { PreflightProblem } from '../engine/preflight.js';
import { redact } from '../secrets.js';

/** `error: <subject>: <message> — <fix>`. */
export function problemLine(problem: PreflightProblem): string {
  return redact(`${problem.level}: ${problem.subject}: ${problem.message} — ${problem.fix}`);
}
