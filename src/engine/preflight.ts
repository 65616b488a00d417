/**
 * Preflight, part of `ferry plan` and of `ferry run`: connects to both sides and finds, before
 * anything is written, what would stop the copy or weaken it — a server that does not answer, a
 * missing privilege or setting, a table without a key, names that meet on the target, values the
 * target cannot hold, target tables the copy would refuse, too little room — one line each, with
 * its fix. Only invocation errors (a malformed URL, a named table that does not exist) throw.
 */
import type { AccessRequest, Connector } from '../connectors/connector.js';
import { createConnector } from '../connectors/registry.js';
import { parseConnectionUrl } from '../connectors/url.js';
import { ConnectionError, isFerryError, UsageError } from '../errors.js';
import { redact } from '../secrets.js';
import type { CopyOptions } from './copy-options.js';
import { type CopyPlan, planCopy } from './plan-copy.js';
import { existingTableProblems, fromAccess, keylessProblems, lossProblems } from './preflight-checks.js';
import { checkDistinctDatabases } from './same-database.js';
import { type ResolvedTables, resolveTables } from './select-tables.js';

/** One thing the run would trip on (`error`) or do less well than asked (`warning`), with its fix. */
export interface PreflightProblem {
  level: 'error' | 'warning';
  /** What it is about: `source`, `target`, a table, `table.column`, the server. */
  subject: string;
  message: string;
  fix: string;
}

/** What the preflight found; `ok` = no error-level problem. `plan` is empty when the source was not reached. */
export interface PreflightReport {
  ok: boolean;
  problems: PreflightProblem[];
  plan: CopyPlan;
}

/** A copy's options, and the mode of the run they belong to (`sync` will add change-stream checks). */
export interface PreflightOptions extends CopyOptions {
  mode?: AccessRequest['mode'];
}

type Side = 'source' | 'target';

/** Connects to both sides and checks what a copy with `options` needs; writes nothing. */
export async function preflight(options: PreflightOptions): Promise<PreflightReport> {
  const sourceUrl = parseConnectionUrl(options.source, 'source');
  const targetUrl = parseConnectionUrl(options.target, 'target');
  checkDistinctDatabases(sourceUrl, targetUrl);
  const source = await createConnector(sourceUrl);
  const target = await createConnector(targetUrl);
  const problems: PreflightProblem[] = [];
  let plan: CopyPlan = { source: source.display, target: target.display, tables: [], renames: [] };
  try {
    const [sourceUp, targetUp] = await Promise.all([
      reach(source, 'source', problems),
      reach(target, 'target', problems),
    ]);
    const resolved = sourceUp ? await resolve(source, target, options, problems) : undefined;
    if (resolved) problems.push(...keylessProblems(resolved.prepared.tables));
    if (options.mode === 'sync') problems.push(...syncCapabilityProblems(source, target));
    if (sourceUp) {
      // Without the schema (it could not be read), the privileges of the named tables may say why.
      const read = resolved ? resolved.prepared.tables.map((table) => table.name) : (options.tables ?? []);
      await checkSide(source, 'source', problems, {
        role: 'source',
        // A schema-only copy reads the catalog only: no row, no snapshot.
        tables: options.schemaOnly ? [] : read,
        snapshot: !options.schemaOnly,
        mode: options.mode ?? 'snapshot',
      });
    }
    if (targetUp) await checkTarget(target, resolved, options, problems);
    if (resolved) {
      plan = await planCopy(options);
      problems.push(...lossProblems(plan));
    }
  } finally {
    await Promise.allSettled([source.close(), target.close()]);
  }
  const lines = problems
    .map((problem) => ({ ...problem, message: redact(problem.message), fix: redact(problem.fix) }))
    .sort((a, b) => Number(a.level === 'warning') - Number(b.level === 'warning'));
  return { ok: lines.every((problem) => problem.level !== 'error'), problems: lines, plan };
}

/** A sync needs a source with a change log and a target that applies changes. */
function syncCapabilityProblems(source: Connector, target: Connector): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  if (!source.openChangeStream) {
    problems.push({
      level: 'error',
      subject: 'source',
      message: `mode: sync needs a change log to read, and ${source.display} has none (SQLite keeps no log of committed changes).`,
      fix: 'Use mode: snapshot (a full copy; run it again later for newer data), or sync from a PostgreSQL or MariaDB/MySQL source.',
    });
  }
  if (!target.openApplier) {
    problems.push({
      level: 'error',
      subject: 'target',
      message: `mode: sync cannot apply changes into ${target.display}.`,
      fix: 'Use mode: snapshot, or a PostgreSQL, MariaDB/MySQL or SQLite target.',
    });
  }
  return problems;
}

/**
 * The name rules' refusals (table-rules.ts): two tables, or two columns of one table, that would
 * land on one target name, also when only their case differs.
 */
const NAME_COLLISIONS = new Set(['TABLE_RENAME_COLLISION', 'COLUMN_RENAME_COLLISION']);

/** The source's tables as the copy will take them; names that collide on the target are a problem line. */
async function resolve(
  source: Connector,
  target: Connector,
  options: PreflightOptions,
  problems: PreflightProblem[],
): Promise<ResolvedTables | undefined> {
  try {
    return await attempt('source', source.display, problems, () => resolveTables(source, target, options));
  } catch (error) {
    if (!(error instanceof UsageError) || !NAME_COLLISIONS.has(error.code)) throw error;
    problems.push({
      level: 'error',
      subject: 'tables',
      message: error.message,
      fix: "Give one of them another target name (rename in the plan's tables), or leave one out (exclude).",
    });
    return undefined;
  }
}

/** The target's tables as copy.ts will meet them, and the privileges and room that work needs. */
async function checkTarget(
  target: Connector,
  resolved: ResolvedTables | undefined,
  options: PreflightOptions,
  problems: PreflightProblem[],
): Promise<void> {
  const names = resolved?.targetTables.map((table) => table.name) ?? [];
  const existing =
    (await attempt('target', target.display, problems, () => target.existingTables(names))) ?? [];
  problems.push(...existingTableProblems(existing, names, options));
  const ifExists = options.ifExists ?? 'fail';
  const reuse = options.dataOnly || ifExists !== 'drop';
  const present = new Set(existing.map((table) => table.name));
  const created = names.filter((name) => !(reuse && present.has(name)));
  // As copy.ts: drop whatever exists; truncate only when rows are copied.
  const clear: AccessRequest['clear'] =
    ifExists === 'drop' ? 'drop' : ifExists === 'truncate' && !options.schemaOnly ? 'truncate' : undefined;
  const bytes = resolved?.prepared.tables
    .map((table) => table.estimatedBytes ?? 0)
    .reduce((a, b) => a + b, 0);
  await checkSide(target, 'target', problems, {
    role: 'target',
    tables: [...present],
    snapshot: false,
    // Without the source's tables, assume the usual: the copy creates them.
    createTables: !options.dataOnly && (resolved === undefined || created.length > 0),
    ...(clear && present.size > 0 ? { clear } : {}),
    ...(options.schemaOnly ? { schemaOnly: true } : {}),
    mode: options.mode ?? 'snapshot',
    ...(bytes ? { expectedBytes: bytes } : {}),
  });
}

/** Asks a side for its privileges and settings, where its connector can tell. */
async function checkSide(
  connector: Connector,
  side: Side,
  problems: PreflightProblem[],
  request: AccessRequest,
): Promise<void> {
  const check = connector.checkAccess?.bind(connector);
  if (!check) return;
  const found = await attempt(side, connector.display, problems, () => check(request));
  for (const problem of found ?? []) problems.push(fromAccess(side, problem));
}

/** Connects one side; a server that does not answer or refuses the account is one problem line. */
async function reach(connector: Connector, side: Side, problems: PreflightProblem[]): Promise<boolean> {
  const connected = await attempt(side, connector.display, problems, async () => {
    await connector.connect();
    return true;
  });
  return connected ?? false;
}

/**
 * Runs one step of the preflight; a database's refusal (unreachable, access denied, a failed
 * catalog query) becomes an error line naming the side, so one refusal does not hide the rest.
 * Invocation errors and bugs still throw.
 */
async function attempt<T>(
  side: Side,
  where: string,
  problems: PreflightProblem[],
  work: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (!isFerryError(error) || error.kind === 'usage') throw error;
    const unreachable = error instanceof ConnectionError;
    problems.push({
      level: 'error',
      subject: side,
      message: `${side} ${where}: ${error.message}`,
      fix: unreachable
        ? `Start the server, or correct the ${side} URL (host, port, user, password, database).`
        : `Grant the ${side} account what the statement needs, then run the preflight again.`,
    });
    return undefined;
  }
}
