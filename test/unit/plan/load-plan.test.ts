/**
 * loadPlan on valid plans: defaults, `${VAR}` interpolation and its escape, password files, the
 * URLs and copy options the engine receives, the state path, and the fingerprint's laws.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConnectionUrl } from '../../../src/connectors/url.js';
import { EXAMPLE_PASSWORD_VARIABLE, EXAMPLE_PLAN } from '../../../src/plan/example-plan.js';
import { redact } from '../../../src/secrets.js';
import { BASE, PASSWORD, planFolder } from './plan-files.js';

const folder = planFolder();
afterAll(() => folder.remove());

describe('loadPlan', () => {
  it('applies the defaults: name from the file, snapshot, verify, state in .ferry/ of the working directory', async () => {
    const plan = await folder.load(BASE, 'shop-move.yml');
    expect(plan.name).toBe('shop-move');
    expect(plan.file).toBe(join(folder.dir, 'shop-move.yml'));
    expect(plan.mode).toBe('snapshot');
    expect(plan.verify).toBe(true);
    expect(plan.statePath).toBe(join(folder.dir, '.ferry', 'shop-move.db'));
    expect(plan.source).toBe('sqlite:/data/shop.db');
    expect(plan.copy).toEqual({ source: plan.source, target: plan.target });
  });

  it('puts the password from the environment into the URL, percent-encoded', async () => {
    const plan = await folder.load(BASE);
    expect(plan.target).toBe(`postgres://ferry:${encodeURIComponent(PASSWORD)}@127.0.0.1:5432/shop`);
    expect(parseConnectionUrl(plan.target).password).toBe(PASSWORD);
    expect(redact(plan.target)).not.toContain(PASSWORD);
    expect(redact(`driver said: ${PASSWORD}`)).toBe('driver said: ***');
  });

  it('interpolates any string value, inside URLs too, and keeps $${ as a literal ${', async () => {
    const plan = await folder.load(
      `source: mysql://root:\${PW}@\${HOST}:3306/shop
target: sqlite:/data/out.db
tables:
  - include: notes
    where: "body <> '$\${HOME}' AND owner = '\${OWNER}'"
`,
      'plan.yaml',
      { PW: 'pw-from-env', HOST: 'db-a', OWNER: 'o' },
    );
    expect(plan.source).toBe('mysql://root:pw-from-env@db-a:3306/shop');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${NAME} is plan syntax here, not a placeholder
    expect(plan.copy.tableRules).toEqual([{ include: 'notes', where: "body <> '${HOME}' AND owner = 'o'" }]);
    expect(redact(plan.source)).toBe('mysql://root:***@db-a:3306/shop');
  });

  it('reads a passwordFile relative to the plan file, without its trailing line break', async () => {
    folder.write({ 'pg.txt': 'p@ss:w/rd\n' });
    const plan = await folder.load(
      `source: sqlite:/a.db\ntarget:\n  url: postgres://ferry@db-b/shop\n  passwordFile: pg.txt\nstate: run/state.db\n`,
    );
    expect(plan.target).toBe('postgres://ferry:p%40ss%3Aw%2Frd@db-b/shop');
    expect(parseConnectionUrl(plan.target).password).toBe('p@ss:w/rd');
    expect(redact('password p@ss:w/rd')).toBe('password ***');
    expect(plan.statePath).toBe(join(folder.dir, 'run', 'state.db'));
  });

  it('maps options and table rules onto the copy options, sizes and limits parsed', async () => {
    const plan = await folder.load(`${BASE}name: shop
mode: snapshot
verify: false
tables:
  - include: "order*"
  - include: customers
    rename: clients
    where: "country = 'DE'"
    columns: { exclude: [bio], rename: { email: mail } }
  - exclude: "tmp_*"
options:
  parallel: 4
  chunkRows: 100000
  chunkBytes: 64M
  memory: 268435456
  maxRowsPerSecond: 1000
  maxBytesPerSecond: 20M
  maxLoad: { threads-running: 50, probe-seconds: 500ms }
  loadProbeTable: orders
  ifExists: truncate
  coerce: ["zero-date=null", "orders.shipped:zero-date=substitute"]
  retries: 0
`);
    expect(plan.name).toBe('shop');
    expect(plan.verify).toBe(false);
    expect(plan.copy).toEqual({
      source: 'sqlite:/data/shop.db',
      target: plan.target,
      tableRules: [
        { include: 'order*' },
        {
          include: 'customers',
          rename: 'clients',
          where: "country = 'DE'",
          columns: { exclude: ['bio'], rename: { email: 'mail' } },
        },
        { exclude: 'tmp_*' },
      ],
      parallel: 4,
      chunkRows: 100_000,
      chunkBytes: 64 * 1024 ** 2,
      memory: 256 * 1024 ** 2,
      maxRowsPerSecond: 1000,
      maxBytesPerSecond: 20 * 1024 ** 2,
      maxLoad: { 'threads-running': 50, 'probe-seconds': 0.5 },
      loadProbeTable: 'orders',
      ifExists: 'truncate',
      coerce: [
        { loss: 'zero-date', action: 'null' },
        { loss: 'zero-date', action: 'substitute', table: 'orders', column: 'shipped' },
      ],
      retries: 0,
    });
  });

  it('loads the example plan that ferry init writes', async () => {
    const plan = await folder.load(EXAMPLE_PLAN, 'ferry.yaml', { [EXAMPLE_PASSWORD_VARIABLE]: 'example-pw' });
    expect(plan.name).toBe('shop-migration');
    expect(plan.source).toBe('mysql://root@127.0.0.1:3306/shop');
    expect(plan.target).toBe('postgres://ferry:example-pw@127.0.0.1:5432/shop');
    expect(plan.copy.tableRules).toHaveLength(3);
    expect(plan.copy).toMatchObject({
      parallel: 4,
      chunkBytes: 64 * 1024 ** 2,
      ifExists: 'fail',
      retries: 3,
    });
  });
});

describe('plan fingerprint', () => {
  const ordered = `${BASE}tables:\n  - include: a\n    where: "id > 1"\noptions: { parallel: 2, chunkRows: 10 }\n`;
  const reordered = `options: { chunkRows: 10, parallel: 2 }\ntables:\n  - where: "id > 1"\n    include: a\ntarget:\n  password: \${PG_PASSWORD}\n  url: postgres://ferry@127.0.0.1:5432/shop\nsource:\n  url: sqlite:/data/shop.db\n`;

  it('is the same under key order and for a URL written as a string or as { url }', async () => {
    const a = await folder.load(ordered, 'p.yaml');
    const b = await folder.load(reordered, 'p.yaml');
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(b.fingerprint).toBe(a.fingerprint);
  });

  it('changes when a table rule changes, and not when the password does', async () => {
    const base = await folder.load(ordered, 'p.yaml');
    const changed = await folder.load(ordered.replace('id > 1', 'id > 2'), 'p.yaml');
    const added = await folder.load(`${ordered.replace('options:', '  - exclude: b\noptions:')}`, 'p.yaml');
    const otherPassword = await folder.load(ordered, 'p.yaml', { PG_PASSWORD: 'rotated-pw' });
    expect(changed.fingerprint).not.toBe(base.fingerprint);
    expect(added.fingerprint).not.toBe(base.fingerprint);
    expect(otherPassword.fingerprint).toBe(base.fingerprint);
  });

  it('does not change with a password written in the URL', async () => {
    const one = await folder.load(
      'source: mysql://root:pw-one-111@db-a/shop\ntarget: sqlite:/b.db\n',
      'p.yaml',
    );
    const two = await folder.load(
      'source: mysql://root:pw-two-222@db-a/shop\ntarget: sqlite:/b.db\n',
      'p.yaml',
    );
    expect(two.fingerprint).toBe(one.fingerprint);
    expect(redact(one.source)).toBe('mysql://root:***@db-a/shop');
  });
});
