/**
 * `ferry plan` on a plan whose source account lacks a privilege names the privilege and the GRANT
 * that fixes it (exit 1, nothing written); `ferry run` refuses the same plan before writing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ferry } from '../helpers/cli.js';
import { freshMysql, freshSqlite, MYSQL_BASE, mysqlQuery, type TestDatabase } from '../helpers/servers.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-plan-grants-'));
const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  rmSync(dir, { recursive: true, force: true });
});

it('names RELOAD and the GRANT for a MariaDB source user with only SELECT; run refuses before writing', async () => {
  const source: TestDatabase = await freshMysql('grants_src');
  cleanup.push(() => source.drop());
  await mysqlQuery(
    source.name,
    'CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO t VALUES (1, "a")',
  );
  const user = `ferry_pg_${randomBytes(4).toString('hex')}`;
  await mysqlQuery(
    undefined,
    `CREATE USER '${user}'@'%'; GRANT SELECT ON \`${source.name}\`.* TO '${user}'@'%'`,
  );
  cleanup.push(() => mysqlQuery(undefined, `DROP USER IF EXISTS '${user}'@'%'`));
  const target = await freshSqlite('grants_to');
  cleanup.push(() => target.drop());
  const url = new URL(`${MYSQL_BASE}/${source.name}`);
  url.username = user;
  const plan = join(dir, 'grants.yaml');
  writeFileSync(plan, `source: ${url.toString()}\ntarget: ${target.url}\nstate: ${join(dir, 'grants.db')}\n`);

  const checked = await ferry(['plan', plan]);
  expect(checked.status, checked.stderr).toBe(1);
  expect(checked.stdout).toContain(`source: MariaDB user '${user}'@'%' lacks RELOAD on *.*`);
  expect(checked.stdout).toContain(`GRANT RELOAD ON *.* TO '${user}'@'%';`);
  expect(checked.stdout).toMatch(/not ready .*nothing was written/);

  const run = await ferry(['run', plan]);
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('lacks RELOAD');
  expect(run.stderr).toContain('the preflight found errors; nothing was written');
});
