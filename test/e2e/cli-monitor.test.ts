/**
 * Seeing a run: the JSON log holds every chunk's events in order; /metrics moves during a run and
 * ends equal to the report; bars draw on a terminal and never elsewhere; no password anywhere.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, ferry } from '../helpers/cli.js';
import { freshPostgres, freshSqlite, type TestDatabase } from '../helpers/servers.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

/** A SQLite source with `item` (3000 rows) and `tag` (1200 rows). */
async function source(): Promise<TestDatabase> {
  const db = await freshSqlite('monitor_src');
  cleanup.push(db);
  const sqlite = new Database(db.name);
  sqlite.exec(`
    CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
      INSERT INTO item SELECT i, 'item ' || i, i / 4.0 FROM n;
    CREATE TABLE tag (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
      INSERT INTO tag SELECT i, 'tag ' || i FROM n;
  `);
  sqlite.close();
  return db;
}

async function target(): Promise<TestDatabase> {
  const db = await freshSqlite('monitor_dst');
  cleanup.push(db);
  return db;
}

/** Runs the CLI and hands each stderr line to `onLine` as it comes. */
function ferryLive(args: string[], onLine: (line: string) => void): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'ferry.js'), ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
  });
}

/** Sum of every sample of a metric (all label sets), or of those whose labels contain `labels`. */
function total(text: string, name: string, labels = ''): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Scrapes `url` every 100 ms until `stop` says so; keeps every answer. */
async function scrapeUntil(url: Promise<string>, stop: (text: string) => boolean): Promise<string[]> {
  const where = await url;
  const scrapes: string[] = [];
  for (;;) {
    const text = await fetch(where).then((response) => response.text());
    scrapes.push(text);
    if (stop(text)) return scrapes;
    await sleep(100);
  }
}

describe('ferry copy --log-format json', () => {
  it('logs every chunk of every table as JSON lines, in order, adding up to the rows', async () => {
    const src = await source();
    const dst = await target();
    const run = await ferry([
      'copy',
      src.url,
      dst.url,
      '--log-format',
      'json',
      '--chunk-rows',
      '500',
      '--parallel',
      '2',
    ]);
    expect(run.status).toBe(0);
    const lines = run.stderr.trimEnd().split('\n');
    // Nothing but JSON lines on stderr; the summary stays on stdout.
    const events = lines.map((line) => JSON.parse(line));
    expect(run.stdout).toMatch(/^total: 2 tables, 4200 rows/m);
    const kinds = events.map((event) => event.event);
    expect(kinds.slice(0, 2)).toEqual(['connected', 'phase']);
    for (const table of ['item', 'tag']) {
      const at = (kind: string) => events.findIndex((event) => event.event === kind && event.table === table);
      const start = at('table.start');
      const done = at('table.done');
      const chunks = events
        .map((event, index) => ({ ...event, index }))
        .filter((event) => event.event === 'chunk.done' && event.table === table);
      expect(events[start].chunks).toBe(table === 'item' ? 6 : 3);
      expect(chunks.map((chunk) => chunk.chunk).sort((a, b) => a - b)).toEqual([
        ...Array(events[start].chunks).keys(),
      ]);
      for (const chunk of chunks) {
        expect(chunk.index).toBeGreaterThan(start);
        expect(chunk.index).toBeLessThan(done);
        expect(chunk.rows).toBeGreaterThan(0);
      }
      const rows = chunks.reduce((sum, chunk) => sum + chunk.rows, 0);
      expect(rows).toBe(table === 'item' ? 3000 : 1200);
      expect(events[done]).toMatchObject({ status: 'copied', rows, chunks: chunks.length });
    }
    // The verify step that follows logs too.
    expect(kinds.filter((kind) => kind === 'verify.table.done')).toHaveLength(2);
    for (const event of events) expect(typeof event.time).toBe('string');
  });
});

describe('ferry copy --metrics-port', () => {
  it('serves counters that move during the run and end equal to the report', async () => {
    const src = await source();
    const dst = await target();
    const report = join(dirname(dst.name), 'report.json');
    let announce: (url: string) => void = () => {};
    const url = new Promise<string>((resolveUrl) => {
      announce = resolveUrl;
    });
    const done = ferryLive(
      [
        'copy',
        src.url,
        dst.url,
        '--chunk-rows',
        '250',
        '--max-rows-per-second',
        '1500',
        '--metrics-port',
        '0',
        '--metrics-linger',
        '3',
        '--report',
        report,
      ],
      (line) => {
        const match = /^ferry: metrics at (http:\/\/\S+)$/.exec(line);
        if (match?.[1]) announce(match[1]);
      },
    );
    const scrapes = await scrapeUntil(url, (text) => /^ferry_phase\{phase="done"\} 1$/m.test(text));
    const run = await done;
    expect(run.status).toBe(0);

    // During the data phase the rows counter grew between scrapes.
    const rows = scrapes.map((text) => total(text, 'ferry_rows_copied_total'));
    const during = rows.filter((count) => count > 0 && count < 4200);
    expect(new Set(during).size).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < rows.length; i++) expect(rows[i]).toBeGreaterThanOrEqual(rows[i - 1]!);
    expect(scrapes.some((text) => /^ferry_phase\{phase="data"\} 1$/m.test(text))).toBe(true);

    // The last scrape, after the run, says what the report says.
    const last = scrapes.at(-1)!;
    const written = JSON.parse(readFileSync(report, 'utf8'));
    expect(total(last, 'ferry_rows_copied_total')).toBe(written.totals.rows);
    expect(written.totals.rows).toBe(4200);
    expect(total(last, 'ferry_rows_copied_total', 'table="item"')).toBe(written.tables[0].rows);
    expect(total(last, 'ferry_bytes_copied_total')).toBe(written.totals.bytes);
    expect(total(last, 'ferry_chunks_total', 'status="done"')).toBe(written.totals.chunks);
    expect(total(last, 'ferry_chunk_duration_seconds_count')).toBe(written.totals.chunks);
    expect(total(last, 'ferry_throttle_pauses_total')).toBe(written.throttle.pauses);
    expect(written.throttle.pauses).toBeGreaterThan(0);
    expect(total(last, 'ferry_errors_total')).toBe(written.totals.errors);
    expect(written.totals).toMatchObject({ successRate: 1, errorRate: 0, tables: 2 });
    expect(written.tables[0].consistency).toMatch(/^consistent at \d{4}-/);
    expect(written.tables[0].verification).toMatchObject({ status: 'equal' });

    // The server closed with the command.
    await expect(fetch(await url)).rejects.toThrow();
  });

  it('names the port when it is taken, before writing anything', async () => {
    const src = await source();
    const dst = await target();
    let announce: (url: string) => void = () => {};
    const url = new Promise<string>((resolveUrl) => {
      announce = resolveUrl;
    });
    const first = ferryLive(
      ['copy', src.url, dst.url, '--max-rows-per-second', '2000', '--metrics-port', '0'],
      (line) => {
        const match = /^ferry: metrics at (http:\/\/\S+)$/.exec(line);
        if (match?.[1]) announce(match[1]);
      },
    );
    const port = new URL(await url).port;
    const second = await ferry(['copy', src.url, `${dst.url}.2`, '--metrics-port', port]);
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`--metrics-port ${port}: 127.0.0.1:${port} is already in use`);
    expect((await first).status).toBe(0);
  });
});

describe('progress bars', () => {
  it('draw and finish at 100 % under a pseudo-terminal; no control code without one', async () => {
    const src = await source();
    const dst = await target();
    const args = ['copy', src.url, dst.url, '--chunk-rows', '500', '--max-rows-per-second', '3000'];
    const command = [process.execPath, join(repoRoot, 'bin', 'ferry.js'), ...args].map(quote).join(' ');
    const terminal = await new Promise<CliRun>((resolvePromise, reject) => {
      // script(1) runs the command on a new pseudo-terminal and copies what it draws to stdout.
      const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (status) => resolvePromise({ status, stdout, stderr: '' }));
    });
    expect(terminal.status).toBe(0);
    const screen = terminal.stdout;
    expect(screen).toMatch(/\x1b\[\d*G/);
    expect(screen).toMatch(/\x1b\[\d+A/);
    const drawn = screen.split(/\x1b\[[0-9;?]*[A-Za-z]|\r|\n/);
    expect(drawn.some((segment) => /^item +█+ 100% {2}3,000 rows/.test(segment))).toBe(true);
    expect(drawn.some((segment) => /^total +█+ 100% {2}4,200 rows {2}2\/2 tables/.test(segment))).toBe(true);
    // Frames before the end: a bar below 100 %.
    expect(drawn.some((segment) => /^(item|total) +█*░+ +\d{1,2}%/.test(segment))).toBe(true);
    expect(screen).toMatch(/^total: 2 tables, 4200 rows/m);

    const plain = await ferry(['copy', src.url, `${dst.url}.2`, '--chunk-rows', '500']);
    expect(plain.status).toBe(0);
    expect(plain.stderr).not.toContain('\x1b');
    expect(plain.stderr).not.toContain('\r');
    expect(plain.stderr).not.toContain('█');
    expect(plain.stderr).toMatch(/^ferry: item: 3000 rows in \d+\.\d+ s \(6 chunks\)$/m);
  });
});

describe('secrets', () => {
  it('never shows a URL password in the log, the metrics or the report', async () => {
    const src = await source();
    const pg = await freshPostgres('monitor_pw');
    cleanup.push(pg);
    const secret = 's3cr3t-pw';
    const withPassword = pg.url.replace('://postgres@', `://postgres:${secret}@`);
    expect(withPassword).toContain(secret);
    const report = join(dirname(src.name), 'report.md');
    let announce: (url: string) => void = () => {};
    const url = new Promise<string>((resolveUrl) => {
      announce = resolveUrl;
    });
    const done = ferryLive(
      [
        'copy',
        src.url,
        withPassword,
        '--log-format',
        'json',
        '--chunk-rows',
        '1000',
        '--metrics-port',
        '0',
        '--metrics-linger',
        '2',
        '--report',
        report,
      ],
      (line) => {
        const event = line.startsWith('{') ? JSON.parse(line) : undefined;
        if (event?.event === 'metrics.listening') announce(event.url);
      },
    );
    const scrapes = await scrapeUntil(url, (text) => /^ferry_phase\{phase="done"\} 1$/m.test(text));
    const run = await done;
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('"event":"connected"');
    expect(run.stderr).not.toContain(secret);
    expect(run.stdout).not.toContain(secret);
    for (const text of scrapes) expect(text).not.toContain(secret);
    const markdown = readFileSync(report, 'utf8');
    expect(markdown).toContain('# Ferry run report');
    expect(markdown).not.toContain(secret);

    // A run that stops on an error logs it, in either format: no password there either.
    for (const format of ['json', 'human']) {
      const failed = await ferry([
        'copy',
        src.url,
        withPassword,
        '--log-format',
        format,
        '--report',
        `${report}.${format}`,
      ]);
      expect(failed.status).toBe(1);
      expect(failed.stderr).toMatch(/TARGET_NOT_EMPTY/);
      expect(failed.stderr).not.toContain(secret);
    }
  });
});

/** Quotes an argument for the shell that script(1) runs the command in. */
function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
