/** Plan files in a temporary folder for one test file, loaded with an environment of the test's choosing. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LoadedPlan, loadPlan } from '../../../src/plan/load-plan.js';

/** The password the tests' environment holds; no message or fingerprint may contain it. */
export const PASSWORD = 'hunter2-Pl@n:pw/9';

/** A folder for plan files, and `load` to write one there and load it; `remove` in afterAll. */
export function planFolder() {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-plan-'));
  return {
    dir,
    /** Writes `files` (name → text) into the folder. */
    write(files: Record<string, string>): void {
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    },
    /** Writes `text` as `name` and loads it, with PG_PASSWORD set unless `env` says otherwise. */
    load(text: string, name = 'plan.yaml', env: NodeJS.ProcessEnv = {}): Promise<LoadedPlan> {
      writeFileSync(join(dir, name), text);
      return loadPlan(name, { cwd: dir, env: { PG_PASSWORD: PASSWORD, ...env } });
    },
    remove(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The start of a valid plan: a SQLite source and a PostgreSQL target whose password is PG_PASSWORD. */
export const BASE = `source: sqlite:/data/shop.db
target:
  url: postgres://ferry@127.0.0.1:5432/shop
  password: \${PG_PASSWORD}
`;
