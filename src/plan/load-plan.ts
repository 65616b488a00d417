/**
 * `loadPlan`: a plan file from disk to the options a run needs. Reads the YAML, puts in `${VAR}`s,
 * registers every password before anything could print one, validates against the schema and
 * reports every problem at once as `<file>: <path>: <message>`.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { CopyOptions } from '../engine/copy-options.js';
import { interpolateEnv } from './interpolate-env.js';
import { PlanError } from './plan-error.js';
import { planFingerprint } from './plan-fingerprint.js';
import { formatIssues, fromZodIssues, type PlanIssue } from './plan-issues.js';
import { type Plan, planSchema } from './plan-schema.js';
import { connectionUrl, ENDPOINT_KEYS, readPasswordFile, registerRawSecrets } from './plan-secrets.js';
import { planToCopyOptions } from './plan-to-copy-options.js';

/** A plan ready to run. Its URLs carry passwords: print them only through `redact`. */
export interface LoadedPlan {
  /** `name:` of the plan, or the file's name without its extension. */
  name: string;
  /** The plan file, as an absolute path. */
  file: string;
  /** sha256 of the validated plan with passwords replaced (see plan-fingerprint.ts). */
  fingerprint: string;
  /** Connection URLs with the password put in. */
  source: string;
  target: string;
  mode: Plan['mode'];
  /** Sync mode: sessions applying at once (absent = the engine's default). */
  syncSessions?: number;
  /** What to pass to the engine (`copyDatabase`, `preflight`). */
  copy: CopyOptions;
  verify: boolean;
  /** Where the run keeps its state (absolute). */
  statePath: string;
}

/** Where a plan's relative paths and environment come from; the process's by default. */
export interface LoadPlanOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Loads and checks a plan file. Throws a PlanError (a usage error, exit 2) listing every problem;
 * touches no database.
 * @example const plan = await loadPlan('shop.yaml'); await copyDatabase(plan.copy);
 */
export async function loadPlan(path: string, options: LoadPlanOptions = {}): Promise<LoadedPlan> {
  const cwd = options.cwd ?? process.cwd();
  const file = resolve(cwd, path);
  const document = parseYaml(path, await readPlanText(path, file));

  const interpolated = interpolateEnv(document, options.env ?? process.env);
  registerRawSecrets(interpolated.value);
  const parsed = planSchema.safeParse(interpolated.value);
  if (!parsed.success) {
    const issues = [...interpolated.issues, ...fromZodIssues(parsed.error.issues)];
    throw new PlanError('PLAN_INVALID', formatIssues(path, issues));
  }
  if (interpolated.issues.length > 0) {
    throw new PlanError('PLAN_ENV_UNSET', formatIssues(path, interpolated.issues));
  }
  const plan = parsed.data;
  const urls = await connectionUrls(path, file, plan, interpolated.value as Record<string, unknown>);

  const name = plan.name ?? basename(file, extname(file));
  return {
    name,
    file,
    fingerprint: planFingerprint(plan, name),
    source: urls.source,
    target: urls.target,
    mode: plan.mode,
    ...(plan.options.syncSessions ? { syncSessions: plan.options.syncSessions } : {}),
    copy: planToCopyOptions(plan, urls),
    verify: plan.verify,
    statePath: plan.state ? resolve(dirname(file), plan.state) : resolve(cwd, '.ferry', `${name}.db`),
  };
}

async function readPlanText(path: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new PlanError(
        'PLAN_NOT_FOUND',
        [
          `plan file ${path} does not exist; check the path, or write an example plan there with ferry init ${path}`,
        ],
        { cause: error },
      );
    }
    const why = code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : code;
    throw new PlanError('PLAN_UNREADABLE', [`cannot read plan file ${path} (${why ?? 'unreadable'})`], {
      cause: error,
    });
  }
}

/** The YAML as plain data, or every syntax error with its line and column. */
function parseYaml(path: string, text: string): unknown {
  const lineCounter = new LineCounter();
  // No pretty errors: they quote the offending line, which may hold a password not yet registered.
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    const problems = document.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return `${path}: line ${line}, column ${col}: ${error.message} (YAML syntax)`;
    });
    throw new PlanError('PLAN_SYNTAX', problems);
  }
  try {
    return document.toJS();
  } catch (error) {
    // toJS fails only on aliases (an alias bomb, an alias to nothing); no position to give.
    throw new PlanError('PLAN_SYNTAX', [`${path}: ${(error as Error).message} (YAML)`], { cause: error });
  }
}

/** Reads the password files and builds both URLs; every problem of either side at once. */
async function connectionUrls(
  path: string,
  file: string,
  plan: Plan,
  raw: Record<string, unknown>,
): Promise<{ source: string; target: string }> {
  const issues: PlanIssue[] = [];
  let fileProblem = true;
  const urls: Partial<Record<(typeof ENDPOINT_KEYS)[number], string>> = {};
  for (const role of ENDPOINT_KEYS) {
    const endpoint = plan[role];
    let password = endpoint.password;
    if (endpoint.passwordFile !== undefined) {
      const read = await readPasswordFile(dirname(file), endpoint.passwordFile, [role, 'passwordFile']);
      if ('issue' in read) {
        issues.push(read.issue);
        continue;
      }
      password = read.password;
    }
    const built = connectionUrl(role, endpoint, password, typeof raw[role] === 'string');
    if ('issue' in built) {
      issues.push(built.issue);
      fileProblem = false;
    } else urls[role] = built.url;
  }
  if (issues.length > 0) {
    throw new PlanError(fileProblem ? 'PLAN_SECRET_FILE' : 'PLAN_INVALID', formatIssues(path, issues));
  }
  return { source: urls.source!, target: urls.target! };
}
