/**
 * No password — from a URL, an environment variable or a password file — appears in any log line
 * (human or JSON), metric, report, error, `--help` output or state file. The servers trust local
 * connections, so the passwords are accepted and ignored, and every path that prints runs for real.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ferry } from '../helpers/cli.js';
import { freshPostgres, PG_BASE, pgQuery, type TestDatabase } from '../helpers/servers.js';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'ferry.js');
const URL_PASSWORD = 'url-S3cret:pw@x';
const ENV_PASSWORD = 'env-S3cret%41';
const FILE_PASSWORD = 'file-S3cret/"quoted"';
const SECRETS = [URL_PASSWORD, ENV_PASSWORD, FILE_PASSWORD];
const dir = mkdtempSync(join(tmpdir(), 'ferry-secrets-'));
const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
  rmSync(dir, { recursive: true, force: true });
});

function expectNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      expect(text.includes(form), `${where} shows a password`).toBe(false);
    }
  }
}

async function database(prefix: string, seed: boolean): Promise<TestDatabase> {
  const db = await freshPostgres(prefix);
  cleanup.push(db);
  if (seed) {
    await pgQuery(
      db.name,
      `CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL);
       INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, 2000) AS i;`,
    );
  }
  return db;
}

/** `postgres://postgres:<password>@host/db`. */
function withPassword(url: string, password: string): string {
  return url.replace('postgres://postgres@', `postgres://postgres:${encodeURIComponent(password)}@`);
}

/** Runs the CLI, scraping /metrics while it lingers after the run. */
function runScraping(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string; metrics: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let metrics = '';
    let scraping = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const found = /metrics at (http:\/\/\S+)|"url":"(http:\/\/[^"]+)"/.exec(stderr);
      const url = found?.[1] ?? found?.[2];
      if (url && !scraping) {
        scraping = true;
        const scrape = async () => {
          for (let i = 0; i < 40; i++) {
            try {
              metrics = await (await fetch(`${url.replace(/\/metrics$/, '')}/metrics`)).text();
              if (metrics.includes('ferry_rows_copied_total{')) return;
            } catch {
              // not up yet, or gone
            }
            await new Promise((r) => setTimeout(r, 100));
          }
        };
        void scrape();
      }
    });
    child.on('close', (status) => done({ status, stdout, stderr, metrics }));
  });
}

describe('secrets', () => {
  it('ferry run with passwords from an env var and a file: none in logs, metrics, report, state', async () => {
    const source = await database('sec_src', true);
    const target = await database('sec_to', false);
    writeFileSync(join(dir, 'source.pw'), `${FILE_PASSWORD}\n`);
    const plan = join(dir, 'secret.yaml');
    writeFileSync(
      plan,
      [
        'name: secret',
        'source:',
        `  url: ${source.url}`,
        '  passwordFile: source.pw',
        'target:',
        `  url: ${target.url}`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the plan's own ${VAR} syntax, literally.
        '  password: ${FERRY_TEST_PASSWORD}',
        'options:',
        '  chunkRows: 500',
        '  ifExists: drop',
        'state: state/secret.db',
        '',
      ].join('\n'),
    );
    const env = { FERRY_TEST_PASSWORD: ENV_PASSWORD };
    for (const format of ['human', 'json']) {
      const run = await runScraping(
        [
          'run',
          plan,
          '--restart',
          '--log-format',
          format,
          '--metrics-port',
          '0',
          '--metrics-linger',
          '2',
          '--report',
          `report-${format}.md`,
        ],
        env,
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.metrics).toContain('ferry_rows_copied_total');
      expectNoSecret(`run stdout (${format})`, run.stdout);
      expectNoSecret(`run stderr (${format})`, run.stderr);
      expectNoSecret(`metrics (${format})`, run.metrics);
      expectNoSecret(`report (${format})`, readFileSync(join(dir, `report-${format}.md`), 'utf8'));
    }
    const json = await ferry(['run', plan, '--restart', '--json', '--report', 'report.json'], {
      cwd: dir,
      env,
    });
    expect(json.status, json.stderr).toBe(0);
    expectNoSecret('run --json', json.stdout);
    expectNoSecret('report.json', readFileSync(join(dir, 'report.json'), 'utf8'));
    const status = await ferry(['status', plan, '--json'], { cwd: dir, env });
    expectNoSecret('status --json', status.stdout);
    expectNoSecret('plan', (await ferry(['plan', plan, '--json'], { cwd: dir, env })).stdout);
    for (const file of readdirSync(join(dir, 'state'))) {
      expectNoSecret(`state file ${file}`, readFileSync(join(dir, 'state', file)).toString('latin1'));
    }
  });

  it('ferry copy and verify with a URL password, failing too: none in output or errors', async () => {
    const source = await database('sec_src', true);
    const target = await database('sec_to', false);
    const from = withPassword(source.url, URL_PASSWORD);
    const to = withPassword(target.url, URL_PASSWORD);
    const copy = await ferry(['copy', from, to, '--log-format', 'json']);
    expect(copy.status, copy.stderr).toBe(0);
    expectNoSecret('copy', copy.stdout + copy.stderr);
    const verify = await ferry(['verify', from, to, '--json']);
    expectNoSecret('verify', verify.stdout + verify.stderr);
    // Errors: a database that does not exist, a table that does not exist.
    const missing = await ferry(['copy', withPassword(`${PG_BASE}/ferry_no_such_db`, URL_PASSWORD), to]);
    expect(missing.status).toBe(1);
    expectNoSecret('missing database error', missing.stdout + missing.stderr);
    const table = await ferry(['copy', from, to, '--tables', 'nope']);
    expect(table.status).toBe(2);
    expectNoSecret('missing table error', table.stdout + table.stderr);
  });

  it('--help of every command shows no password, even with one in the arguments', async () => {
    for (const command of ['copy', 'verify', 'plan', 'run', 'status', 'init']) {
      const help = await ferry([command, '--help', withPassword(`${PG_BASE}/x`, URL_PASSWORD)]);
      expect(help.status).toBe(0);
      expectNoSecret(`${command} --help`, help.stdout + help.stderr);
    }
  });
});
