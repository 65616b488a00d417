/**
 * Verify benchmark (issue: proof): on the full-load dataset, copies each pair once (untimed), then
 * times over N alternating rounds `ferry verify` of each pair against its peers — pt-table-checksum
 * on the MariaDB source (CRC32, source side only) and the plain hash scans of each side
 * (PostgreSQL `md5(string_agg(t::text, ''))`, MariaDB `BIT_XOR(CRC32(CONCAT_WS(…)))` per table).
 * Every Ferry run must report every table equal, or the measurement fails.
 *
 * @example node bench/verify.mjs --scale 1 --rounds 5
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { rowCounts, TABLES } from './lib/dataset.mjs';
import { MARIADB, mariadbQuery, PSQL, recreateDatabase, timed, url } from './lib/shell.mjs';

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '5' },
    work: { type: 'string', default: process.env.FERRY_BENCH_WORK ?? '/tmp/ferry-bench' },
  },
});
const scale = Number(args.scale);
const rounds = Number(args.rounds);
const work = path.resolve(args.work);
mkdirSync(work, { recursive: true });
const log = (message) =>
  process.stderr.write(`[verify-bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const sh = (s) => `'${s.replaceAll("'", "'\\''")}'`;
const tables = Object.keys(TABLES);

const SRC = 'ferry_bench_src';
const COPIES = {
  'mariadb-mariadb': { source: ['mariadb', SRC], target: ['mariadb', 'ferry_bench_verify_mm'] },
  'mariadb-postgres': { source: ['mariadb', SRC], target: ['postgres', 'ferry_bench_verify_mp'] },
  'postgres-postgres': { source: ['postgres', SRC], target: ['postgres', 'ferry_bench_verify_pp'] },
};

/** MariaDB's cheapest whole-table hash: pt-table-checksum's chunk query over the whole table. */
function mariadbScan(database) {
  const columns = (table) =>
    mariadbQuery(
      `SELECT GROUP_CONCAT(CONCAT('\`', column_name, '\`') ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = '${database}' AND table_name = '${table}'`,
    )[0][0];
  const statements = tables
    .map(
      (t) =>
        `SELECT COUNT(*), BIT_XOR(CAST(CRC32(CONCAT_WS('#', ${columns(t)})) AS UNSIGNED)) FROM \`${database}\`.\`${t}\``,
    )
    .join('; ');
  return `${MARIADB} -N -e ${sh(statements)} > /dev/null`;
}

/** PostgreSQL's plain hash scan of one database: md5 of every row's text, table by table. */
function postgresScan(database) {
  const statements = tables.map((t) => `SELECT md5(string_agg(t::text, '')) FROM "${t}" t`).join('; ');
  return `${PSQL} -d ${database} -c ${sh(statements)} > /dev/null`;
}

function toolsFor(pair) {
  const { source, target } = COPIES[pair];
  const ferry = {
    name: 'ferry',
    label: '`ferry verify` (both sides, MD5, chunks of 100,000 rows)',
    script: `node bin/ferry.js verify ${url(...source)} ${url(...target)} --json > ${work}/verify.json`,
    check: true,
  };
  switch (pair) {
    case 'mariadb-mariadb':
      return [
        ferry,
        {
          name: 'pt-table-checksum',
          label: '`pt-table-checksum` (source side only, CRC32, defaults)',
          script: `pt-table-checksum --host 127.0.0.1 --port 3306 --user root --databases ${SRC} --replicate percona.checksums --create-replicate-table --no-check-binlog-format --no-check-replication-filters --recursion-method none --no-version-check --quiet`,
          okExit: [0, 16],
        },
        {
          name: 'scan-source',
          label: 'plain scan of the source (`BIT_XOR(CRC32(CONCAT_WS(…)))`)',
          script: mariadbScan(SRC),
        },
        {
          // pt-table-checksum's own weak hash over both databases at once: the least any
          // verify that reads both sides of this server can take.
          name: 'scan-both',
          label: 'plain scan of both sides at once (`BIT_XOR(CRC32(CONCAT_WS(…)))`)',
          script: `${mariadbScan(SRC)} & ${mariadbScan(target[1])} & wait`,
        },
      ];
    case 'mariadb-postgres':
      return [
        ferry,
        {
          name: 'scan-mariadb',
          label: 'plain scan, MariaDB side (`BIT_XOR(CRC32(CONCAT_WS(…)))`)',
          script: mariadbScan(SRC),
        },
        {
          name: 'scan-postgres',
          label: "plain scan, PostgreSQL side (`md5(string_agg(t::text, ''))`)",
          script: postgresScan(target[1]),
        },
      ];
    default:
      return [
        ferry,
        {
          name: 'scan-both',
          label: "plain scan of both sides at once (`md5(string_agg(t::text, ''))`)",
          script: `${postgresScan(SRC)} & ${postgresScan(target[1])} & wait`,
        },
      ];
  }
}

// The sources come from the full-load benchmark (bench/run.sh builds them; --rounds 0 only builds).
execSync(`node bench/bench.mjs --scale ${scale} --rounds 0 --work ${work} > /dev/null`, {
  stdio: ['ignore', 'ignore', 'inherit'],
});
for (const [pair, { source, target }] of Object.entries(COPIES)) {
  recreateDatabase(target[0], target[1]);
  log(`copying ${pair} (untimed)`);
  execSync(`node bin/ferry.js copy ${url(...source)} ${url(...target)} --no-verify --quiet`, {
    stdio: 'inherit',
  });
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const resultsFile = path.join(import.meta.dirname, 'results', `verify-${stamp}.json`);
mkdirSync(path.dirname(resultsFile), { recursive: true });
const results = {
  command: `node bench/verify.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  scale,
  rounds,
  rows: rowCounts(scale),
  runs: [],
};
const save = () => writeFileSync(resultsFile, `${JSON.stringify(results, null, 1)}\n`);
for (let round = 1; round <= rounds; round++) {
  for (const pair of Object.keys(COPIES)) {
    const tools = toolsFor(pair);
    const order = tools.map((_, i) => tools[(i + round - 1) % tools.length]);
    for (const tool of order) {
      execSync('sync');
      const run = await timed(tool.script, path.join(work, 'time.txt'));
      let ok = (tool.okExit ?? [0]).includes(run.exitCode);
      if (tool.check && ok) {
        const report = JSON.parse(execSync(`cat ${work}/verify.json`, { encoding: 'utf8' }));
        ok = report.ok && report.tables.every((t) => t.status === 'equal');
      }
      results.runs.push({ round, pair, tool: tool.name, label: tool.label, ok, ...run });
      save();
      log(
        `round ${round} ${pair} ${tool.name}: ${run.wallSeconds.toFixed(2)} s, ${run.peakRssMb.toFixed(0)} MB, ${ok ? 'ok' : `FAILED (exit ${run.exitCode}) ${run.stderrTail}`}`,
      );
    }
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const lines = [
  '| pair | tool | median wall s | min–max s | peak RSS MB | runs ok |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
];
for (const pair of Object.keys(COPIES)) {
  for (const tool of toolsFor(pair)) {
    const runs = results.runs.filter((r) => r.pair === pair && r.tool === tool.name);
    const walls = runs.map((r) => r.wallSeconds);
    lines.push(
      `| ${pair} | ${tool.label} | ${median(walls).toFixed(2)} | ${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)} | ${median(runs.map((r) => r.peakRssMb)).toFixed(0)} | ${runs.filter((r) => r.ok).length}/${runs.length} |`,
    );
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
log(`results: ${resultsFile}`);
