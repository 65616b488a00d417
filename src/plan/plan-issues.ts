/**
 * Plan problems as people read them: `<file>: <path>: <message>`, with paths written the way the
 * YAML is navigated (`tables[2].rename`, `options.parallel`) and zod's wording made plain.
 */
import { type ZodIssue, z } from 'zod';

/** A problem found at one place in the plan. */
export interface PlanIssue {
  path: ReadonlyArray<string | number>;
  message: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['tables', 2, 'rename']` → `tables[2].rename`; keys that are not plain names are quoted. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (IDENTIFIER.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** One line per issue: `<file>: <path>: <message>` (just `<file>: <message>` for the whole plan). */
export function formatIssues(file: string, issues: readonly PlanIssue[]): string[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    return `${file}: ${path === '' ? '' : `${path}: `}${issue.message}`;
  });
}

/** zod's issues as plan issues: an unknown-keys issue becomes one issue per key, at the key's path. */
export function fromZodIssues(issues: readonly ZodIssue[]): PlanIssue[] {
  return issues.flatMap((issue): PlanIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...issue.path, key],
        message: `unknown key (${issue.message})`,
      }));
    }
    return [{ path: issue.path, message: plainMessage(issue) }];
  });
}

const TYPE_NAMES: Record<string, string> = {
  object: 'mapping',
  array: 'list',
  integer: 'whole number',
  float: 'number with a fraction',
  boolean: 'true or false',
};

function typeName(type: string): string {
  return TYPE_NAMES[type] ?? type;
}

/** A message the schema wrote is kept; zod's own English is replaced by the plan's wording. */
function plainMessage(issue: ZodIssue): string {
  const zodWording = z.defaultErrorMap(issue, { defaultError: '', data: undefined }).message;
  if (issue.message !== zodWording) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined') return 'is required';
      return `expected ${typeName(issue.expected)}, got ${typeName(issue.received)}`;
    case 'too_small':
      if (issue.type === 'string') return 'must not be empty';
      if (issue.type === 'array') return `must list at least ${issue.minimum}`;
      return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`;
    default:
      return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
  }
}
