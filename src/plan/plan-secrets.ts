/**
 * The passwords of a plan: registered with the redactor as soon as they are known (before the
 * plan is even validated, so no message about it can show one), read from `passwordFile`s, and
 * put into the connection URLs the engine receives.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseConnectionUrl } from '../connectors/url.js';
import { isFerryError } from '../errors.js';
import { registerSecret } from '../secrets.js';
import type { PlanIssue } from './plan-issues.js';
import type { PlanEndpoint } from './plan-schema.js';

/** The plan keys that name a database. */
export const ENDPOINT_KEYS = ['source', 'target'] as const;

/** Registers every password in a raw (not yet validated) plan document: `password` values and URL passwords. */
export function registerRawSecrets(document: unknown): void {
  if (document === null || typeof document !== 'object') return;
  for (const key of ENDPOINT_KEYS) {
    const entry: unknown = (document as Record<string, unknown>)[key];
    if (typeof entry === 'string') registerUrlPassword(entry);
    else if (entry !== null && typeof entry === 'object') {
      const { url, password } = entry as Record<string, unknown>;
      if (typeof url === 'string') registerUrlPassword(url);
      if (typeof password === 'string') registerSecret(password);
    }
  }
}

function registerUrlPassword(url: string): void {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/@?#]*?:([^@/?#]*)@/i.exec(url);
  if (!match?.[1]) return;
  registerSecret(match[1]);
  try {
    registerSecret(decodeURIComponent(match[1]));
  } catch {
    // Not percent-encoded text: the raw form, registered above, is what would be printed.
  }
}

const READ_FAILURES: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
};

/**
 * Reads a `passwordFile` (relative to the plan's folder): the whole file less its trailing line
 * break. Returns the password, or an issue naming the file (never its content).
 */
export async function readPasswordFile(
  planDir: string,
  file: string,
  path: ReadonlyArray<string | number>,
): Promise<{ password: string } | { issue: PlanIssue }> {
  let text: string;
  try {
    text = await readFile(resolve(planDir, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    return {
      issue: {
        path,
        message: `cannot read ${file} (${READ_FAILURES[code] ?? (code || 'unreadable')}); put the password in that file (paths are relative to the plan file) or fix the path`,
      },
    };
  }
  const password = text.replace(/[\r\n]+$/, '');
  registerSecret(password);
  if (password === '') {
    return { issue: { path, message: `${file} is empty; put the password on its first line` } };
  }
  return { password };
}

/**
 * The URL the engine connects with: the plan's URL, checked, with the password put in
 * (percent-encoded). Returns an issue for a malformed URL or a password it cannot take.
 */
export function connectionUrl(
  role: (typeof ENDPOINT_KEYS)[number],
  endpoint: PlanEndpoint,
  password: string | undefined,
  wroteString: boolean,
): { url: string } | { issue: PlanIssue } {
  const urlPath = wroteString ? [role] : [role, 'url'];
  const passwordPath = [role, endpoint.password !== undefined ? 'password' : 'passwordFile'];
  let parsed: ReturnType<typeof parseConnectionUrl>;
  try {
    parsed = parseConnectionUrl(endpoint.url, role);
  } catch (error) {
    if (!isFerryError(error)) throw error;
    return { issue: { path: urlPath, message: error.message } };
  }
  if (password === undefined) return { url: endpoint.url };
  if (parsed.file) {
    return {
      issue: { path: passwordPath, message: `a ${parsed.scheme}: URL names a file and takes no password` },
    };
  }
  if (parsed.password !== undefined) {
    return {
      issue: {
        path: passwordPath,
        message: 'the URL carries a password too; keep one of them (take it out of the URL)',
      },
    };
  }
  if (parsed.user === undefined) {
    return {
      issue: {
        path: urlPath,
        message: `the URL names no user for the password; write it as ${parsed.scheme}://<user>@${parsed.host}:${parsed.port}/${parsed.database}`,
      },
    };
  }
  const url = new URL(endpoint.url);
  url.password = encodeURIComponent(password);
  return { url: url.href };
}
