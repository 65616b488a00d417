/**
 * The plan file's shape (`ferry plan|run <plan.yaml>`), defined once as a zod schema; `Plan` is
 * inferred from it. Every object is strict, so a misspelt key is an error at its path rather than
 * a setting silently ignored. Values arrive here after `${VAR}` interpolation.
 */
import { z } from 'zod';
import { BYTE_SIZE_EXAMPLES, parseByteSize } from '../engine/byte-size.js';
import { IF_EXISTS_POLICIES, type IfExistsPolicy } from '../engine/copy-options.js';
import { type LoadLimits, parseLoadLimits } from '../engine/load-limits.js';
import { isPattern } from '../engine/table-rules.js';
import { isFerryError } from '../errors.js';
import { type CoercionRule, parseCoercionRule } from '../values/coercions.js';

/** A strict object whose unknown-key message lists the keys it knows (see plan-issues.ts). */
function strictObject<T extends z.ZodRawShape>(shape: T, params?: z.RawCreateParams) {
  return z.object(shape, params).strict({ message: `known keys here: ${Object.keys(shape).join(', ')}` });
}

/** A value shown in a message: strings quoted, mappings and lists by kind (never their content). */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}

/** A parser's message without the command-line option it names: the plan path replaces it. */
function withoutOption(message: string, option: string): string {
  return message.startsWith(option) ? message.slice(option.length).replace(/^:?\s*/, '') : message;
}

/** A string that must be one of `choices`. */
function choice<T extends string>(choices: readonly T[]) {
  return z.string().transform((value, ctx): T => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    ctx.addIssue({ code: 'custom', message: `expected one of ${choices.join(', ')}; got ${shown(value)}` });
    return z.NEVER;
  });
}

/** A size in bytes: a number, or a string with k, M or G as on the command line. */
const byteSize = z.unknown().transform((value, ctx): number => {
  const size =
    typeof value === 'string'
      ? parseByteSize(value)
      : typeof value === 'number' && Number.isFinite(value) && value > 0
        ? value
        : undefined;
  if (size !== undefined) return size;
  ctx.addIssue({
    code: 'custom',
    message: `expected a size such as ${BYTE_SIZE_EXAMPLES}; got ${shown(value)}`,
  });
  return z.NEVER;
});

/** `threads-running=50,probe-seconds=500ms`, or the same as a mapping of figure to limit. */
const maxLoad = z.unknown().transform((value, ctx): LoadLimits => {
  const isMapping = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (typeof value !== 'string' && !isMapping) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a string such as "threads-running=50" or a mapping of figure to limit; got ${shown(value)}`,
    });
    return z.NEVER;
  }
  const text = isMapping
    ? Object.entries(value as Record<string, unknown>)
        .map(([name, limit]) => `${name}=${String(limit)}`)
        .join(',')
    : (value as string);
  try {
    return parseLoadLimits(text, 'maxLoad');
  } catch (error) {
    if (!isFerryError(error)) throw error;
    ctx.addIssue({ code: 'custom', message: withoutOption(error.message, 'maxLoad') });
    return z.NEVER;
  }
});

/** One `--coerce` policy in the command line's syntax: `zero-date=null`, `t.c:zero-date=substitute`. */
const coercionRule = z.string().transform((text, ctx): CoercionRule => {
  try {
    return parseCoercionRule(text);
  } catch (error) {
    if (!isFerryError(error)) throw error;
    ctx.addIssue({ code: 'custom', message: withoutOption(error.message, '--coerce') });
    return z.NEVER;
  }
});

/** `snapshot`: a full load. `sync`: the full load, then the source's changes until `ferry cutover`. */
const mode = choice<'snapshot' | 'sync'>(['snapshot', 'sync']).default('snapshot');

/**
 * A database: a URL string, or `{ url, password }` / `{ url, passwordFile }` so the password stays
 * out of the plan (`password: ${PG_PASSWORD}`; a passwordFile is relative to the plan file).
 */
const endpoint = z.preprocess(
  (value) => (typeof value === 'string' ? { url: value } : value),
  strictObject(
    {
      url: z.string().min(1),
      password: z.string().min(1).optional(),
      passwordFile: z.string().min(1).optional(),
    },
    { invalid_type_error: 'expected a URL, or a mapping with url and password or passwordFile' },
  ).superRefine((value, ctx) => {
    if (value.password !== undefined && value.passwordFile !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['passwordFile'],
        message: 'give password or passwordFile, not both',
      });
    }
  }),
);

const name = z.string().min(1);

/** Columns of one table: `include` or `exclude` (not both), and `rename` from source to target name. */
const columns = strictObject({
  include: z.array(name).min(1).optional(),
  exclude: z.array(name).min(1).optional(),
  rename: z.record(name).optional(),
}).superRefine((value, ctx) => {
  if (value.include && value.exclude) {
    ctx.addIssue({
      code: 'custom',
      path: ['exclude'],
      message: 'give include (the columns to copy) or exclude (the columns to leave out), not both',
    });
  }
});

/** One `tables:` entry: an include (with its mapping) or an exclude. See engine/table-rules.ts. */
const tableRule = strictObject({
  include: name.optional(),
  exclude: name.optional(),
  rename: name.optional(),
  where: name.optional(),
  columns: columns.optional(),
}).superRefine((rule, ctx) => {
  if (rule.include === undefined && rule.exclude === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'needs include or exclude: a table name or a pattern with * and ?',
    });
    return;
  }
  if (rule.include !== undefined && rule.exclude !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['exclude'],
      message: 'a rule takes include or exclude, not both; write them as two rules',
    });
    return;
  }
  if (rule.exclude !== undefined) {
    for (const key of ['rename', 'where', 'columns'] as const) {
      if (rule[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `only an include rule takes ${key}; this rule excludes ${shown(rule.exclude)}`,
        });
      }
    }
  }
  if (rule.rename !== undefined && rule.include !== undefined && isPattern(rule.include)) {
    ctx.addIssue({
      code: 'custom',
      path: ['rename'],
      message: `rename needs an include that names one table; ${shown(rule.include)} is a pattern`,
    });
  }
});

/** How the copy runs; each key is the `ferry copy` flag of the same name. Absent = the engine's default. */
const options = strictObject({
  parallel: z.number().int().min(1).optional(),
  chunkRows: z.number().int().min(1).optional(),
  chunkBytes: byteSize.optional(),
  memory: byteSize.optional(),
  maxRowsPerSecond: z.number().positive().optional(),
  maxBytesPerSecond: byteSize.optional(),
  maxLoad: maxLoad.optional(),
  loadProbeTable: name.optional(),
  ifExists: choice<IfExistsPolicy>(IF_EXISTS_POLICIES).optional(),
  coerce: z.array(coercionRule).optional(),
  retries: z.number().int().min(0).optional(),
  /** Sync mode: sessions applying source transactions at once on the target (default 4; SQLite 1). */
  syncSessions: z.number().int().min(1).max(64).optional(),
});

/** The plan's name: it names the state file, so it must be a plain file name. */
const planName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'must be letters, digits, ".", "_" and "-" (it names the state file .ferry/<name>.db)',
  );

/** The whole plan file. */
export const planSchema = strictObject({
  /** Default: the plan file's name without its extension. */
  name: planName.optional(),
  source: endpoint,
  target: endpoint,
  mode,
  /** In order: includes pick tables, excludes remove them. Absent = every table. */
  tables: z.array(tableRule).min(1, 'lists no rule; leave tables out to copy every table').optional(),
  options: options.default({}),
  /** Compare both sides chunk by chunk after the copy. */
  verify: z.boolean().default(true),
  /** The state file; relative to the plan file. Default `.ferry/<name>.db` in the working directory. */
  state: name.optional(),
}).superRefine((plan, ctx) => {
  // A stream cannot keep a filter: a row updated into or out of it would be lost.
  if (plan.mode !== 'sync') return;
  for (const [index, rule] of (plan.tables ?? []).entries()) {
    if (rule.where === undefined) continue;
    ctx.addIssue({
      code: 'custom',
      path: ['tables', index, 'where'],
      message:
        'mode: sync cannot keep a where filter (a row updated into or out of it would be lost); remove it, or use mode: snapshot',
    });
  }
});

/** A validated plan, defaults applied; secrets still as written (see load-plan.ts for the rest). */
export type Plan = z.infer<typeof planSchema>;

/** A database entry of a plan, after validation. */
export type PlanEndpoint = Plan['source'];
