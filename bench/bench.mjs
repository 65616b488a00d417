/**
 * Full-load benchmark: generates the dataset into a MariaDB and a PostgreSQL source, then times
 * every tool of every pair over N rounds (tool order rotated each round), recreating the target
 * before each run and verifying it after. Results go to bench/results/<timestamp>.json after
 * every run, so an interrupted run keeps what it measured.
 *
 * @example node bench/bench.mjs --scale 0.05 --rounds 1 --pairs postgres-postgres
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  createIndexes,
  createTables,
  DATASET_VERSION,
  fillStatements,
  postgresPrimaryKey,
  rowCounts,
  TABLES,
} from './lib/dataset.mjs';
import { markdownReport } from './lib/report.mjs';
import {
  mariadbQuery,
  postgresQuery,
  query,
  recreateDatabase,
  serverCpu,
  serverPids,
  timed,
} from './lib/shell.mjs';
import { PAIRS, toolsFor } from './lib/tools.mjs';
import { summariseSource, verifyTarget } from './lib/verify.mjs';

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '5' },
    pairs: { type: 'string', default: Object.keys(PAIRS).join(',') },
    tools: { type: 'string' },
    regenerate: { type: 'boolean', default: false },
    work: { type: 'string', default: process.env.FERRY_BENCH_WORK ?? '/tmp/ferry-bench' },
    timeout: { type: 'string', default: '3600' },
  },
});

const scale = Number(args.scale);
const rounds = Number(args.rounds);
const pairs = args.pairs.split(',');
const only = args.tools?.split(',');
const work = path.resolve(args.work);
mkdirSync(work, { recursive: true });
const log = (message) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

/** Builds one engine's source unless the marker says the same version and scale are there. */
function ensureSource(engine) {
  const marker = path.join(work, `source-${engine}.json`);
  const want = { version: DATASET_VERSION, scale };
  const counts = rowCounts(scale);
  if (
    !args.regenerate &&
    existsSync(marker) &&
    JSON.stringify(JSON.parse(readFileSync(marker, 'utf8'))) === JSON.stringify(want)
  ) {
    try {
      const ok = Object.entries(counts).every(
        ([t, n]) =>
          Number(
            query(
              engine,
              `SELECT COUNT(*) FROM ${engine === 'mariadb' ? 'ferry_bench_src.' : ''}${t}`,
              engine === 'postgres' ? 'ferry_bench_src' : undefined,
            )[0][0],
          ) === n,
      );
      if (ok) return log(`${engine} source ferry_bench_src at scale ${scale} is ready`);
    } catch {
      // missing or broken: rebuild below
    }
  }
  const started = Date.now();
  recreateDatabase(engine, 'ferry_bench_src');
  if (engine === 'mariadb') {
    // The source is built without binlog: it is fixture, not measurement.
    const sql = [
      'SET SESSION sql_log_bin = 0',
      ...createTables('mariadb'),
      ...fillStatements('mariadb', scale),
      ...Object.keys(TABLES).flatMap((t) => createIndexes('mariadb', t)),
      `ANALYZE TABLE ${Object.keys(TABLES).join(', ')}`,
    ].join(';\n');
    mariadbQuery(`${sql};`, 'ferry_bench_src');
  } else {
    const sql = [
      ...createTables('postgres'),
      ...fillStatements('postgres', scale),
      ...Object.keys(TABLES).flatMap((t) => [postgresPrimaryKey(t), ...createIndexes('postgres', t)]),
    ].join(';\n');
    postgresQuery(`${sql};`, 'ferry_bench_src');
    postgresQuery('VACUUM ANALYZE;', 'ferry_bench_src');
  }
  writeFileSync(marker, JSON.stringify(want));
  log(`${engine} source generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function sourceSize(engine) {
  if (engine === 'mariadb') {
    return Number(
      mariadbQuery(
        "SELECT SUM(data_length + index_length) FROM information_schema.tables WHERE table_schema = 'ferry_bench_src'",
      )[0][0],
    );
  }
  return Number(postgresQuery("SELECT pg_database_size('ferry_bench_src')")[0][0]);
}

function machine() {
  const sh = (cmd) => {
    try {
      return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    mariadb: mariadbQuery(
      'SELECT VERSION(), @@log_bin, @@binlog_format, @@sync_binlog, @@innodb_flush_log_at_trx_commit, @@innodb_buffer_pool_size, @@innodb_log_file_size, @@max_allowed_packet',
    )[0],
    postgres: postgresQuery(
      "SELECT version(), current_setting('shared_buffers'), current_setting('max_wal_size'), current_setting('wal_level'), current_setting('synchronous_commit'), current_setting('fsync'), current_setting('maintenance_work_mem')",
    )[0],
    tools: {
      mydumper: sh('mydumper --version'),
      pgloader: sh('pgloader --version | head -1'),
      pgcopydb: sh("pgcopydb --version 2>&1 | grep -o 'pgcopydb version.*' | head -1"),
      pg_dump: sh('pg_dump --version'),
      mysqldump: sh('mysqldump --version'),
    },
  };
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const resultsDir = path.join(import.meta.dirname, 'results');
mkdirSync(resultsDir, { recursive: true });
const resultsFile = path.join(resultsDir, `${stamp}.json`);
const results = {
  command: `bench/run.sh ${process.argv.slice(2).join(' ')}`.trim(),
  started: new Date().toISOString(),
  scale,
  rounds,
  rows: rowCounts(scale),
  machine: machine(),
  sources: {},
  runs: [],
};
const save = () => writeFileSync(resultsFile, `${JSON.stringify(results, null, 1)}\n`);

const engines = new Set(pairs.map((p) => PAIRS[p].source.engine));
const summaries = {};
for (const engine of engines) {
  ensureSource(engine);
  const started = Date.now();
  summaries[engine] = summariseSource({ engine, database: 'ferry_bench_src' });
  results.sources[engine] = {
    bytes: sourceSize(engine),
    rows: Object.fromEntries(Object.entries(summaries[engine]).map(([t, s]) => [t, s.rows])),
    checksumSeconds: (Date.now() - started) / 1000,
  };
  log(`${engine} source: ${JSON.stringify(results.sources[engine])}`);
}
save();

const pids = serverPids();
const counted = new Map();
const totalRows = Object.values(rowCounts(scale)).reduce((a, b) => a + b, 0);
for (let round = 1; round <= rounds; round++) {
  for (const pair of pairs) {
    const tools = toolsFor(pair, work).filter((t) => !only || only.includes(t.name));
    // Rotate the order each round so no tool always runs first (cold caches) or last.
    const order = tools.map((_, i) => tools[(i + round - 1) % tools.length]);
    for (const tool of order) {
      const { source, target } = PAIRS[pair];
      recreateDatabase(target.engine, target.database);
      if (tool.prepare) execSync(tool.prepare, { shell: '/bin/bash', stdio: 'inherit' });
      execSync('sync');
      postgresQuery('CHECKPOINT;');
      const before = serverCpu(pids);
      log(`round ${round} ${pair} ${tool.name} …`);
      const run = await timed(tool.script, path.join(work, 'time.txt'), Number(args.timeout));
      const after = serverCpu(pids);
      const entry = {
        round,
        pair,
        tool: tool.name,
        label: tool.label,
        ...run,
        rowsPerSecond: totalRows / run.wallSeconds,
        serverCpuSeconds: {
          mariadb: after.mariadb - before.mariadb,
          postgres: after.postgres - before.postgres,
        },
      };
      const verifyStarted = Date.now();
      try {
        entry.verify = verifyTarget(summaries[source.engine], source, target, counted);
      } catch (error) {
        entry.verify = { ok: false, error: String(error.message ?? error).slice(0, 2000) };
      }
      entry.verifySeconds = (Date.now() - verifyStarted) / 1000;
      entry.ok = run.exitCode === 0 && entry.verify.ok;
      const rowsMatch = Object.values(entry.verify.tables ?? {}).every(
        (t) => t.rows === t.sourceRows && !t.missingColumns,
      );
      entry.status = entry.ok
        ? 'ok'
        : run.exitCode === 0 && rowsMatch && entry.verify.valuesChanged > 0
          ? 'changed'
          : 'failed';
      results.runs.push(entry);
      save();
      log(
        `round ${round} ${pair} ${tool.name}: ${run.wallSeconds.toFixed(1)} s, ${run.peakRssMb.toFixed(0)} MB, exit ${run.exitCode}, verify ${entry.verify.ok ? 'ok' : `FAILED ${JSON.stringify(entry.verify).slice(0, 400)}`}${run.exitCode === 0 ? '' : `\n${run.stderrTail}`}`,
      );
    }
  }
}
results.finished = new Date().toISOString();
save();
process.stdout.write(markdownReport(results));
log(`results: ${resultsFile}`);
