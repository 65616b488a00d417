/**
 * A plan's fingerprint: sha256 of the validated plan in one spelling (keys sorted, defaults
 * applied), so the state store can tell a changed plan from the same plan written differently.
 * Passwords are replaced by a marker before hashing: a rotated password is not a changed plan,
 * and nothing derived from a password is ever stored.
 */
import { createHash } from 'node:crypto';
import type { Plan, PlanEndpoint } from './plan-schema.js';

/** What stands for a password in the hashed text. */
const SECRET_MARKER = '<secret>';

/** The sha256 (hex) of the plan with its passwords replaced; `name` is the resolved plan name. */
export function planFingerprint(plan: Plan, name: string): string {
  const neutral = { ...plan, name, source: withoutSecrets(plan.source), target: withoutSecrets(plan.target) };
  return createHash('sha256').update(canonicalText(neutral)).digest('hex');
}

function withoutSecrets(endpoint: PlanEndpoint): PlanEndpoint {
  // The URL's own password, if it has one, goes the same way as a `password:` entry.
  const url = endpoint.url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@?#]*?:)[^@/?#]*@/i, `$1${SECRET_MARKER}@`);
  return { ...endpoint, url, ...(endpoint.password !== undefined ? { password: SECRET_MARKER } : {}) };
}

/** JSON with keys sorted at every level, undefined left out, and Infinity (a lifted limit) kept. */
function canonicalText(value: unknown): string {
  if (value === undefined) return 'null';
  if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value));
  if (Array.isArray(value)) return `[${value.map(canonicalText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalText(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
