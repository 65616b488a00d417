/**
 * Every kind of plan problem, with the exact line a user reads: `<file>: <path>: <message>`. Each
 * case also proves that the password in the environment (or the plan) appears in no message.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LOAD_LIMIT_NAMES } from '../../../src/engine/load-limits.js';
import { UsageError } from '../../../src/errors.js';
import { loadPlan } from '../../../src/plan/load-plan.js';
import { PlanError } from '../../../src/plan/plan-error.js';
import { redact } from '../../../src/secrets.js';
import { BASE, PASSWORD, planFolder } from './plan-files.js';

const folder = planFolder();
afterAll(() => folder.remove());

const TOP_KEYS = 'known keys here: name, source, target, mode, tables, options, verify, state';
const OPTION_KEYS =
  'known keys here: parallel, chunkRows, chunkBytes, memory, maxRowsPerSecond, maxBytesPerSecond, maxLoad, loadProbeTable, ifExists, coerce, retries, syncSessions';

/** [what, plan text, code, the problems in order]. */
const CASES: Array<[string, string, string, string[]]> = [
  [
    'unknown top-level key (and the key it was meant to be is missing)',
    `sorce: sqlite:/a.db\ntarget: sqlite:/b.db\n`,
    'PLAN_INVALID',
    ['plan.yaml: source: is required', `plan.yaml: sorce: unknown key (${TOP_KEYS})`],
  ],
  [
    'unknown key in options',
    `${BASE}options:\n  paralel: 4\n`,
    'PLAN_INVALID',
    [`plan.yaml: options.paralel: unknown key (${OPTION_KEYS})`],
  ],
  [
    'unknown key in a table rule',
    `${BASE}tables:\n  - include: a\n    wher: "x = 1"\n`,
    'PLAN_INVALID',
    ['plan.yaml: tables[0].wher: unknown key (known keys here: include, exclude, rename, where, columns)'],
  ],
  [
    'unknown key in a target mapping',
    `source: sqlite:/a.db\ntarget:\n  url: postgres://ferry@h/db\n  pasword: \${PG_PASSWORD}\n`,
    'PLAN_INVALID',
    ['plan.yaml: target.pasword: unknown key (known keys here: url, password, passwordFile)'],
  ],
  [
    'wrong type of a rename',
    `${BASE}tables:\n  - include: a\n  - include: b\n  - include: c\n    rename: 5\n`,
    'PLAN_INVALID',
    ['plan.yaml: tables[2].rename: expected string, got number'],
  ],
  [
    'a number written as a string',
    `${BASE}options:\n  parallel: "4"\n`,
    'PLAN_INVALID',
    ['plan.yaml: options.parallel: expected number, got string'],
  ],
  [
    'a fraction where a whole number belongs',
    `${BASE}options:\n  chunkRows: 2.5\n`,
    'PLAN_INVALID',
    ['plan.yaml: options.chunkRows: expected whole number, got number with a fraction'],
  ],
  [
    'a number below its minimum',
    `${BASE}options:\n  parallel: 0\n`,
    'PLAN_INVALID',
    ['plan.yaml: options.parallel: must be at least 1'],
  ],
  [
    'yes is not a boolean in YAML 1.2',
    `${BASE}verify: yes\n`,
    'PLAN_INVALID',
    ['plan.yaml: verify: expected true or false, got string'],
  ],
  [
    'an endpoint of the wrong kind',
    `source: 5\ntarget: sqlite:/b.db\n`,
    'PLAN_INVALID',
    ['plan.yaml: source: expected a URL, or a mapping with url and password or passwordFile'],
  ],
  [
    'a plan that is not a mapping',
    `- source\n- target\n`,
    'PLAN_INVALID',
    ['plan.yaml: expected mapping, got list'],
  ],
  [
    'syncSessions out of range',
    `${BASE}mode: sync\noptions:\n  syncSessions: 0\n`,
    'PLAN_INVALID',
    ['plan.yaml: options.syncSessions: must be at least 1'],
  ],
  [
    'an unknown mode',
    `${BASE}mode: fast\n`,
    'PLAN_INVALID',
    ['plan.yaml: mode: expected one of snapshot, sync; got "fast"'],
  ],
  [
    'ifExists: foo',
    `${BASE}options:\n  ifExists: foo\n`,
    'PLAN_INVALID',
    ['plan.yaml: options.ifExists: expected one of fail, drop, truncate, append; got "foo"'],
  ],
  [
    'rename with a wildcard include',
    `${BASE}tables:\n  - include: "order*"\n    rename: orders\n`,
    'PLAN_INVALID',
    ['plan.yaml: tables[0].rename: rename needs an include that names one table; "order*" is a pattern'],
  ],
  [
    'include and exclude in one rule',
    `${BASE}tables:\n  - include: a\n    exclude: b\n`,
    'PLAN_INVALID',
    ['plan.yaml: tables[0].exclude: a rule takes include or exclude, not both; write them as two rules'],
  ],
  [
    'a rule with neither include nor exclude',
    `${BASE}tables:\n  - where: "id > 5"\n`,
    'PLAN_INVALID',
    ['plan.yaml: tables[0]: needs include or exclude: a table name or a pattern with * and ?'],
  ],
  [
    'an exclude rule with a mapping',
    `${BASE}tables:\n  - exclude: "tmp_*"\n    where: "id > 5"\n`,
    'PLAN_INVALID',
    ['plan.yaml: tables[0].where: only an include rule takes where; this rule excludes "tmp_*"'],
  ],
  [
    'column include and exclude together',
    `${BASE}tables:\n  - include: a\n    columns: { include: [id], exclude: [bio] }\n`,
    'PLAN_INVALID',
    [
      'plan.yaml: tables[0].columns.exclude: give include (the columns to copy) or exclude (the columns to leave out), not both',
    ],
  ],
  [
    'an empty table list',
    `${BASE}tables: []\n`,
    'PLAN_INVALID',
    ['plan.yaml: tables: lists no rule; leave tables out to copy every table'],
  ],
  [
    'an empty table name',
    `${BASE}tables:\n  - include: ""\n`,
    'PLAN_INVALID',
    ['plan.yaml: tables[0].include: must not be empty'],
  ],
  [
    'a plan name that cannot name a file',
    `name: ../shop\n${BASE}`,
    'PLAN_INVALID',
    ['plan.yaml: name: must be letters, digits, ".", "_" and "-" (it names the state file .ferry/<name>.db)'],
  ],
  [
    'a bad byte size',
    `${BASE}options:\n  chunkBytes: 12T\n`,
    'PLAN_INVALID',
    ['plan.yaml: options.chunkBytes: expected a size such as 500000, 512k or 20M; got "12T"'],
  ],
  [
    'a negative byte size',
    `${BASE}options:\n  memory: -5\n`,
    'PLAN_INVALID',
    ['plan.yaml: options.memory: expected a size such as 500000, 512k or 20M; got -5'],
  ],
  [
    'a bad coerce rule, at its index',
    `${BASE}options:\n  coerce: ["zero-date=null", "zero-date=maybe"]\n`,
    'PLAN_INVALID',
    [
      'plan.yaml: options.coerce[1]: zero-date: unknown or unsupported action "maybe". Allowed: error, null, substitute.',
    ],
  ],
  [
    'a coerce rule of the wrong form',
    `${BASE}options:\n  coerce: ["zero date"]\n`,
    'PLAN_INVALID',
    [
      'plan.yaml: options.coerce[0]: "zero date" is not of the form <loss>=<action> or <table>.<column>:<loss>=<action> (for example zero-date=null).',
    ],
  ],
  [
    'a bad maxLoad figure',
    `${BASE}options:\n  maxLoad: "threads=5"\n`,
    'PLAN_INVALID',
    [
      `plan.yaml: options.maxLoad: unknown figure "threads" in "threads=5". Known: ${LOAD_LIMIT_NAMES.join(', ')}.`,
    ],
  ],
  [
    'a bad maxLoad limit in the mapping form',
    `${BASE}options:\n  maxLoad: { threads-running: 5s }\n`,
    'PLAN_INVALID',
    ['plan.yaml: options.maxLoad: "threads-running=5s": threads-running is a count, not a time; drop "s".'],
  ],
  [
    'an unset environment variable',
    `source: sqlite:/a.db\ntarget:\n  url: postgres://ferry@h/db\n  password: \${NO_SUCH_VAR}\n`,
    'PLAN_ENV_UNSET',
    [
      'plan.yaml: target.password: environment variable NO_SUCH_VAR is not set; set it (export NO_SUCH_VAR=…) or write the value in the plan',
    ],
  ],
  [
    'a malformed variable reference',
    `${BASE}tables:\n  - include: a\n    where: "name = '\${not-a-name}'"\n`,
    'PLAN_ENV_UNSET',
    [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${NAME} is plan syntax here, not a placeholder
      'plan.yaml: tables[0].where: "${" starts no variable reference: write ${NAME} (letters, digits and _), or $${ for a literal ${',
    ],
  ],
  [
    'unset variables and schema problems, all listed',
    `source: \${NO_SOURCE}\ntarget: sqlite:/b.db\noptions: { parallel: -1 }\n`,
    'PLAN_INVALID',
    [
      'plan.yaml: source: environment variable NO_SOURCE is not set; set it (export NO_SOURCE=…) or write the value in the plan',
      'plan.yaml: options.parallel: must be at least 1',
    ],
  ],
  [
    'a missing password file',
    `source: sqlite:/a.db\ntarget:\n  url: postgres://ferry@h/db\n  passwordFile: secrets/pg.txt\n`,
    'PLAN_SECRET_FILE',
    [
      'plan.yaml: target.passwordFile: cannot read secrets/pg.txt (no such file); put the password in that file (paths are relative to the plan file) or fix the path',
    ],
  ],
  [
    'an empty password file',
    `source: sqlite:/a.db\ntarget:\n  url: postgres://ferry@h/db\n  passwordFile: empty.txt\n`,
    'PLAN_SECRET_FILE',
    ['plan.yaml: target.passwordFile: empty.txt is empty; put the password on its first line'],
  ],
  [
    'password and passwordFile both',
    `source: sqlite:/a.db\ntarget:\n  url: postgres://ferry@h/db\n  password: \${PG_PASSWORD}\n  passwordFile: pw.txt\n`,
    'PLAN_INVALID',
    ['plan.yaml: target.passwordFile: give password or passwordFile, not both'],
  ],
  [
    'a URL with no scheme',
    `source: shop.db\ntarget: sqlite:/b.db\n`,
    'PLAN_INVALID',
    [
      'plan.yaml: source: The source URL has no scheme. Known schemes: postgres, postgresql, mysql, mariadb, sqlite (for example postgres://user:pass@host:5432/db?schema=public, mysql://user:pass@host:3306/db, sqlite:path/to/file.db).',
    ],
  ],
  [
    'a URL that has a password as well as password:',
    `source: sqlite:/a.db\ntarget:\n  url: postgres://ferry:${PASSWORD.replace('@', '%40').replace('/', '%2F')}@h/db\n  password: \${PG_PASSWORD}\n`,
    'PLAN_INVALID',
    ['plan.yaml: target.password: the URL carries a password too; keep one of them (take it out of the URL)'],
  ],
  [
    'a password for a SQLite file',
    `source:\n  url: sqlite:/a.db\n  password: \${PG_PASSWORD}\ntarget: sqlite:/b.db\n`,
    'PLAN_INVALID',
    ['plan.yaml: source.password: a sqlite: URL names a file and takes no password'],
  ],
  [
    'a password for a URL with no user',
    `source: sqlite:/a.db\ntarget:\n  url: postgres://h:5432/db\n  password: \${PG_PASSWORD}\n`,
    'PLAN_INVALID',
    [
      'plan.yaml: target.url: the URL names no user for the password; write it as postgres://<user>@h:5432/db',
    ],
  ],
  [
    'a YAML syntax error, with line and column',
    `${BASE}tables: [a, b\noptions: {}\n`,
    'PLAN_SYNTAX',
    [
      'plan.yaml: line 6, column 1: Flow sequence in block collection must be sufficiently indented and end with a ] (YAML syntax)',
    ],
  ],
  [
    'a duplicate key',
    `${BASE}verify: true\nverify: false\n`,
    'PLAN_SYNTAX',
    ['plan.yaml: line 6, column 1: Map keys must be unique (YAML syntax)'],
  ],
];

describe('plan errors', () => {
  folder.write({ 'empty.txt': '\n', 'pw.txt': `${PASSWORD}\n` });

  it.each(CASES)('%s', async (_what, text, code, problems) => {
    const error = await folder.load(text).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(PlanError);
    expect(error).toBeInstanceOf(UsageError);
    const planError = error as PlanError;
    expect(planError.problems).toEqual(problems);
    expect(planError.code).toBe(code);
    expect(planError.message).toBe(
      problems.length === 1
        ? problems[0]
        : `the plan has ${problems.length} problems:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
    expect(planError.message).not.toContain(PASSWORD);
    expect(planError.message).not.toContain(encodeURIComponent(PASSWORD));
  });

  it('names a missing plan file and the way to make one', async () => {
    await expect(loadPlan('nowhere.yaml', { cwd: folder.dir })).rejects.toMatchObject({
      code: 'PLAN_NOT_FOUND',
      message:
        'plan file nowhere.yaml does not exist; check the path, or write an example plan there with ferry init nowhere.yaml',
    });
    await expect(loadPlan('.', { cwd: folder.dir })).rejects.toMatchObject({
      code: 'PLAN_UNREADABLE',
      message: 'cannot read plan file . (it is a directory)',
    });
  });

  it('quotes no line of a file it cannot parse: a password there is not registered yet', async () => {
    const literal = 'Zq7-literal-only-here';
    const error = await folder
      .load(`target: postgres://u:${literal}@h/db\nsource: [oops\n`)
      .catch((thrown: unknown) => thrown as PlanError);
    expect(error).toBeInstanceOf(PlanError);
    expect((error as PlanError).message).not.toContain(literal);
  });

  it('registers passwords before validation, so even a message that quoted one would be redacted', async () => {
    const literal = 'Xy9-registered-early';
    await folder
      .load(`source: sqlite:/a.db\ntarget:\n  url: postgres://u@h/db\n  password: ${literal}\nmode: sync\n`)
      .catch(() => undefined);
    expect(redact(`connect failed for ${literal}`)).toBe('connect failed for ***');
  });
});
