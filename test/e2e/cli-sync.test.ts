/**
 * The sync commands as a user meets them: each has --help, a sync from SQLite is refused by the
 * preflight with the way out, `ferry cutover` without a streaming run and `ferry cleanup` of a run
 * still streaming say what to do and exit 1, a row filter in a sync plan is a usage error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';
import { ferry } from '../helpers/cli.js';
import { freshSqlite, type TestDatabase } from '../helpers/servers.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-cli-sync-'));
const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
  rmSync(dir, { recursive: true, force: true });
});

async function sqlitePlan(name: string, extra: string[] = []): Promise<string> {
  const source = await freshSqlite('sync_src');
  const target = await freshSqlite('sync_dst');
  cleanup.push(source, target);
  const db = new Database(source.name);
  db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)');
  db.close();
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      `source: ${source.url}`,
      `target: ${target.url}`,
      'mode: sync',
      `state: ${join(dir, `${name}.db`)}`,
      ...extra,
      '',
    ].join('\n'),
  );
  return file;
}

describe('ferry sync commands', () => {
  it.each(['cutover', 'cleanup'])('ferry %s --help says what it does', async (command) => {
    const help = await ferry([command, '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(`Usage: ferry ${command} [options] <plan>`);
    expect(help.stdout).toContain('Example:');
  });

  it('refuses a sync from SQLite in the preflight, with the way out', async () => {
    const plan = await sqlitePlan('from_sqlite');
    const run = await ferry(['run', plan]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('SQLite keeps no log of committed changes');
    const check = await ferry(['plan', plan]);
    expect(check.stdout + check.stderr).toContain('Use mode: snapshot');
  });

  it('refuses a where filter in a sync plan as a usage error', async () => {
    const plan = await sqlitePlan('filtered', ['tables:', '  - include: items', '    where: "id > 1"']);
    const run = await ferry(['run', plan]);
    expect(run.stderr).toContain('filtered.yaml: tables[0].where: mode: sync cannot keep a where filter');
    expect(run.status).toBe(2);
  });

  it('says that no run is streaming when asked for a cutover, and refuses to clean up a streaming run', async () => {
    const plan = await sqlitePlan('idle');
    const none = await ferry(['cutover', plan]);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('No run of this plan is streaming changes');
    // A run recorded as streaming, by a process that is gone.
    const store = openSqliteStateStore(join(dir, 'idle.db'));
    store.startRun({ id: 'r', planName: 'idle', identity: '{}' });
    store.beginAttempt(2 ** 22 + 12345);
    store.recordPhase('sync');
    store.close();
    const dead = await ferry(['cutover', plan]);
    expect(dead.status).toBe(1);
    expect(dead.stderr).toContain('is not running: start it again');
    const clean = await ferry(['cleanup', plan]);
    expect(clean.status).toBe(1);
    expect(clean.stderr).toContain('still streaming');
    expect(clean.stderr).toContain('--force');
  });

  it('rejects a negative --max-lag as a usage error', async () => {
    const plan = await sqlitePlan('badlag');
    const run = await ferry(['cutover', plan, '--max-lag', '-1']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--max-lag takes a number of seconds');
  });
});
