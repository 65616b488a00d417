/**
 * `${VAR}` in a plan's string values, replaced by the environment's value before validation, so
 * that a password never has to be written in the file. `$${` is a literal `${`. Keys are left as
 * they are: only values can come from the environment.
 */
import type { PlanIssue } from './plan-issues.js';

/** A `$${` escape, a well-formed `${NAME}`, or a `${` that starts neither (an error). */
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\{/g;

/** The document with every reference replaced, and one issue per unset variable or malformed reference. */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
): { value: unknown; issues: PlanIssue[] } {
  const issues: PlanIssue[] = [];
  const walk = (node: unknown, path: Array<string | number>): unknown => {
    if (typeof node === 'string') return interpolateString(node, env, path, issues);
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return node;
  };
  return { value: walk(value, []), issues };
}

function interpolateString(
  text: string,
  env: NodeJS.ProcessEnv,
  path: Array<string | number>,
  issues: PlanIssue[],
): string {
  return text.replace(REFERENCE, (match, name: string | undefined) => {
    if (match === '$${') return '${';
    if (name === undefined) {
      issues.push({
        path,
        message:
          // biome-ignore lint/suspicious/noTemplateCurlyInString: ${NAME} is plan syntax here, not a placeholder
          '"${" starts no variable reference: write ${NAME} (letters, digits and _), or $${ for a literal ${',
      });
      return match;
    }
    const found = env[name];
    if (found === undefined) {
      issues.push({
        path,
        message: `environment variable ${name} is not set; set it (export ${name}=…) or write the value in the plan`,
      });
      return match;
    }
    return found;
  });
}
