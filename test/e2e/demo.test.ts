/** `npm run demo` is the newcomer's first command: it must work with no database server. */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

it('builds the sample SQLite database, copies it and finds every value identical', () => {
  const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'demo.mjs')], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  expect(run.stderr).not.toMatch(/error/i);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^total: 4 tables, 7674 rows/m);
  expect(run.stdout).toMatch(/objects copied: view order_total/);
  expect(run.stdout).toMatch(/all identical\.$/m);
});
