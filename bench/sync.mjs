/**
 * Change-data-capture benchmark, for PostgreSQL → PostgreSQL (Ferry and pgcopydb) and MariaDB →
 * PostgreSQL (Ferry; no peer on apt streams MariaDB into PostgreSQL):
 *  (a) drain: an initial sync, apply stopped, `--changes` row changes made on the source, then
 *      apply started and timed until the target has them all;
 *  (b) steady: `--rate` row changes a second for `--seconds` while Ferry streams, the lag sampled
 *      on the target every 200 ms from a heartbeat carrying the source's clock.
 * Every measurement ends with the target verified against the source (`ferry verify`) and the
 * replication slots dropped. Results go to bench/results/sync-<timestamp>.json after every
 * measurement; the Markdown table is printed at the end.
 *
 * @example node bench/sync.mjs --rounds 1 --changes 100000 --seconds 20
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { clean, postgresQuery, recreateDatabase, serverCpu, serverPids, url } from './lib/shell.mjs';
import {
  percentile,
  SYNC_TABLES,
  seedSource,
  startHeartbeat,
  startLagSampler,
  writeLoad,
  writeMark,
} from './lib/sync-load.mjs';
import { markdownSyncReport } from './lib/sync-report.mjs';
import {
  allowWal2json,
  dropSlots,
  ferry,
  pgcopydbSentinel,
  startFerry,
  startPgcopydb,
  timeReport,
  writeSyncPlan,
} from './lib/sync-tools.mjs';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    changes: { type: 'string', default: '500000' },
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '60' },
    writers: { type: 'string', default: '4' },
    sessions: { type: 'string', default: '4' },
    pairs: { type: 'string', default: 'postgres-postgres,mariadb-postgres' },
    tests: { type: 'string', default: 'drain,steady' },
    tools: { type: 'string', default: 'ferry,pgcopydb' },
    'cpu-prof': { type: 'boolean', default: false },
    work: { type: 'string', default: process.env.FERRY_BENCH_WORK ?? '/tmp/ferry-bench-sync' },
    timeout: { type: 'string', default: '600' },
  },
});

const rounds = Number(args.rounds);
const changes = Number(args.changes);
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const writers = Number(args.writers);
const sessions = Number(args.sessions);
const timeout = Number(args.timeout);
const work = path.resolve(args.work);
mkdirSync(work, { recursive: true });
const SLOT_PREFIX = 'ferry_bench_sync';
const SRC = 'ferry_bench_sync_src';
const DST = 'ferry_bench_sync_dst';
const log = (message) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
mkdirSync('bench/results', { recursive: true });
const resultsFile = path.join('bench/results', `sync-${stamp}.json`);
const results = {
  kind: 'sync',
  startedAt: new Date().toISOString(),
  machine: {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  },
  settings: { rounds, changes, rate, seconds, writers, sessions, seed: { accounts: 100000, items: 200000 } },
  wal2json: undefined,
  runs: [],
};
const save = () => writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);

/** Recreates both databases and seeds the source. */
async function fresh(sourceEngine) {
  dropSlots(SLOT_PREFIX);
  recreateDatabase('postgres', DST);
  recreateDatabase(sourceEngine, SRC);
  await seedSource(sourceEngine, SRC);
  postgresQuery('CHECKPOINT');
}

/** Counts per table and `ferry verify`: ok only when the target equals the source. */
async function verify(sourceEngine) {
  const counts = {};
  for (const table of SYNC_TABLES) {
    const [[src]] =
      sourceEngine === 'postgres'
        ? postgresQuery(`SELECT count(*) FROM ${table}`, SRC)
        : (await import('./lib/shell.mjs')).mariadbQuery(`SELECT count(*) FROM ${table}`, SRC);
    const [[dst]] = postgresQuery(`SELECT count(*) FROM ${table}`, DST);
    counts[table] = { source: Number(src), target: Number(dst) };
  }
  const v = await ferry(['verify', url(sourceEngine, SRC), url('postgres', DST), '--json', '--quiet'], 600);
  let report;
  try {
    report = JSON.parse(v.stdout);
  } catch {
    report = { raw: v.stdout.slice(0, 500), stderr: v.stderr.slice(-500) };
  }
  const countsOk = Object.values(counts).every((c) => c.source === c.target);
  const differences = {};
  for (const t of report.tables ?? []) {
    const n = (t.counts?.missing ?? 0) + (t.counts?.extra ?? 0) + (t.counts?.different ?? 0);
    if (n > 0 || t.status !== 'equal') differences[t.table] = { status: t.status, ...t.counts };
  }
  const rowsDiffering = Object.values(differences).reduce(
    (a, d) => a + (d.missing ?? 0) + (d.extra ?? 0) + (d.different ?? 0),
    0,
  );
  return {
    ok: v.code === 0 && countsOk,
    exitCode: v.code,
    counts,
    rowsDiffering,
    differences,
    ferryVerify: report.ok ?? report,
  };
}

/** Cutover (drain, verify) of a streaming run, its exit, and the slot's cleanup. */
async function finishFerry(run, plan) {
  const cut = await ferry(
    ['cutover', plan, '--max-lag', '30', '--timeout', String(timeout), '--json'],
    timeout + 60,
  );
  const ended = await Promise.race([run.exit, sleep(120_000).then(() => undefined)]);
  if (!ended) run.kill();
  return {
    cutoverExit: cut.code,
    cutoverError: cut.code === 0 ? undefined : cut.stderr.slice(-1500),
    runExit: ended?.code,
  };
}

async function cleanupFerry(plan) {
  const c = await ferry(['cleanup', plan], 120);
  dropSlots(SLOT_PREFIX);
  return c.code;
}

/** (a) Ferry: initial sync, stopped with SIGTERM, backlog written, resumed and timed. */
async function ferryDrain(pair, sourceEngine, round) {
  await fresh(sourceEngine);
  const dir = path.join(work, `${pair}-ferry-drain-${round}`);
  clean(dir);
  mkdirSync(dir, { recursive: true });
  const name = `${SLOT_PREFIX}_${sourceEngine === 'postgres' ? 'pg' : 'my'}_d${round}`;
  const { file: plan } = writeSyncPlan(dir, name, url(sourceEngine, SRC), url('postgres', DST), sessions);
  const run1 = startFerry(plan);
  let run2;
  try {
    await run1.streaming(timeout);
    run1.signal('SIGTERM');
    const stopped = await run1.exit;
    log(`${pair} ferry: initial sync done, stopped (exit ${stopped.code})`);
    const written = await writeLoad(sourceEngine, SRC, { writers, changes });
    await writeMark(sourceEngine, SRC, 1);
    const expected = written.changes + 1;
    log(
      `${pair} ferry: backlog of ${written.changes} row changes in ${written.transactions} transactions (${written.seconds.toFixed(1)} s); resuming`,
    );
    const pids = serverPids();
    const cpu0 = serverCpu(pids);
    let doneAt;
    let last;
    const timeFile = path.join(dir, 'time.txt');
    run2 = startFerry(plan, {
      timeFile,
      cpuProf: args['cpu-prof'] ? dir : undefined,
      onProgress: (p, at) => {
        last = p;
        if (doneAt === undefined && p.appliedChanges >= expected && p.pendingChanges === 0) doneAt = at;
      },
    });
    const until = performance.now() + timeout * 1000;
    let ended = false;
    void run2.exit.then(() => (ended = true));
    while (doneAt === undefined && !ended && performance.now() < until) await sleep(100);
    const cpu1 = serverCpu(pids);
    const drainSeconds = doneAt === undefined ? Number.NaN : (doneAt - run2.started) / 1000;
    log(
      `${pair} ferry: drained in ${drainSeconds.toFixed(1)} s (applied ${last?.appliedChanges} of ${expected})`,
    );
    const finish = await finishFerry(run2, plan);
    const verified = await verify(sourceEngine);
    const t = timeReport(timeFile);
    return {
      status: verified.ok && doneAt !== undefined && finish.cutoverExit === 0 ? 'ok' : 'failed',
      drainSeconds,
      changes: expected,
      changesPerSecond: expected / drainSeconds,
      appliedChanges: last?.appliedChanges,
      writeSeconds: written.seconds,
      peakRssMb: t.peakRssMb,
      ferryCpuSeconds: t.cpuSeconds,
      serverCpuSeconds: { postgres: cpu1.postgres - cpu0.postgres, mariadb: cpu1.mariadb - cpu0.mariadb },
      ...finish,
      verify: verified,
      stderrTail: verified.ok ? undefined : run2.tail().slice(-1500),
    };
  } finally {
    run1.kill();
    run2?.kill();
    await cleanupFerry(plan);
  }
}

/** (a) pgcopydb: clone --follow, apply held by its sentinel, backlog written, apply set and timed. */
async function pgcopydbDrain(pair, round) {
  await fresh('postgres');
  const dir = path.join(work, `${pair}-pgcopydb-drain-${round}`);
  const source = url('postgres', SRC);
  const target = url('postgres', DST);
  const slot = `${SLOT_PREFIX}_pgcopydb_${round}`;
  const logFile = path.join(dir, 'pgcopydb.log');
  clean(dir);
  mkdirSync(dir, { recursive: true });
  const p = startPgcopydb({ source, target, dir, slot, logFile });
  let ended = false;
  void p.exit.then(() => (ended = true));
  try {
    // The initial copy is done when the target holds the seeded rows and the sentinel exists.
    const until = performance.now() + timeout * 1000;
    for (;;) {
      if (ended) throw new Error(`pgcopydb ended early: ${p.log().slice(-1500)}`);
      if (performance.now() > until) throw new Error('pgcopydb did not finish its copy in time');
      try {
        // Asked first, so that psql prints no error while the tables are not there yet.
        const [[ready]] = postgresQuery("SELECT to_regclass('public.items') IS NOT NULL", DST);
        const [[sentinel]] = postgresQuery("SELECT to_regclass('pgcopydb.sentinel') IS NOT NULL", SRC);
        if (ready !== 't' || sentinel !== 't') throw new Error('not yet');
        const [[n]] = postgresQuery('SELECT count(*) FROM items', DST);
        const [[s]] = postgresQuery('SELECT count(*) FROM pgcopydb.sentinel', SRC);
        if (
          Number(n) === 200000 &&
          Number(s) === 1 &&
          /[Ff]ollow|[Ss]tream|catchup|prefetch/i.test(p.log())
        ) {
          // and its indexes (the primary keys) are built
          const [[k]] = postgresQuery(
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE i.indisprimary AND c.relname IN ('accounts','items','beats','marks')",
            DST,
          );
          if (Number(k) === 4) break;
        }
      } catch {
        // not there yet
      }
      await sleep(500);
    }
    await sleep(3000);
    log(`${pair} pgcopydb: initial copy done, apply held by the sentinel`);
    const written = await writeLoad('postgres', SRC, { writers, changes });
    await writeMark('postgres', SRC, 1);
    const [[endpos]] = postgresQuery('SELECT pg_current_wal_lsn()', SRC);
    const expected = written.changes + 1;
    log(
      `${pair} pgcopydb: backlog of ${written.changes} row changes (${written.seconds.toFixed(1)} s); endpos ${endpos}; apply on`,
    );
    const pids = serverPids();
    const cpu0 = serverCpu(pids);
    pgcopydbSentinel(source, 'endpos', endpos);
    const started = performance.now();
    pgcopydbSentinel(source, 'apply');
    // It applies transactions in commit order: the last one (the mark) on the target means all are.
    let doneAt;
    while (performance.now() - started < timeout * 1000) {
      const [[m]] = postgresQuery('SELECT count(*) FROM marks', DST);
      if (Number(m) === 1) {
        doneAt = performance.now();
        break;
      }
      if (ended) break;
      await sleep(100);
    }
    const cpu1 = serverCpu(pids);
    const drainSeconds = doneAt === undefined ? Number.NaN : (doneAt - started) / 1000;
    log(
      `${pair} pgcopydb: ${doneAt === undefined ? 'did not reach the end' : `applied in ${drainSeconds.toFixed(1)} s`}`,
    );
    // It may stop short of --endpos and wait forever: bounded, then stopped.
    await Promise.race([p.exit, sleep(15_000)]);
    if (!ended) p.kill();
    await Promise.race([p.exit, sleep(10_000)]);
    if (!ended) p.killHard();
    await p.exit;
    const verified = await verify('postgres');
    const t = timeReport(`${logFile}.time`);
    return {
      // Reached its end position but the target is not the source: a rate, and a wrong result.
      status: doneAt === undefined ? 'failed' : verified.ok ? 'ok' : 'differs',
      drainSeconds,
      changes: expected,
      changesPerSecond: expected / drainSeconds,
      writeSeconds: written.seconds,
      peakRssMb: t.peakRssMb,
      serverCpuSeconds: { postgres: cpu1.postgres - cpu0.postgres },
      verify: verified,
      logTail: verified.ok ? undefined : p.log().slice(-1500),
    };
  } finally {
    p.killHard();
    await Promise.race([p.exit, sleep(5000)]);
    dropSlots(SLOT_PREFIX);
  }
}

/** (b) Ferry under a steady write load: lag sampled on the target every 200 ms. */
async function ferrySteady(pair, sourceEngine, round) {
  await fresh(sourceEngine);
  const dir = path.join(work, `${pair}-ferry-steady-${round}`);
  clean(dir);
  mkdirSync(dir, { recursive: true });
  const name = `${SLOT_PREFIX}_${sourceEngine === 'postgres' ? 'pg' : 'my'}_s${round}`;
  const { file: plan } = writeSyncPlan(dir, name, url(sourceEngine, SRC), url('postgres', DST), sessions);
  const timeFile = path.join(dir, 'time.txt');
  const reported = [];
  const run = startFerry(plan, {
    timeFile,
    cpuProf: args['cpu-prof'] ? dir : undefined,
    onProgress: (p) =>
      reported.push({ at: Date.now(), lagSeconds: p.lagSeconds, changesPerSecond: p.changesPerSecond }),
  });
  try {
    await run.streaming(timeout);
    await sleep(2000);
    log(`${pair} ferry: streaming; ${rate} changes/s for ${seconds} s`);
    const pids = serverPids();
    const cpu0 = serverCpu(pids);
    const beat = await startHeartbeat(sourceEngine, SRC, 50);
    await sleep(300);
    const sampler = await startLagSampler(DST, 200);
    const from = Date.now();
    const written = await writeLoad(sourceEngine, SRC, { writers, seconds, rate });
    const to = Date.now();
    const beats = await beat.stop();
    await sleep(1000);
    const samples = (await sampler.stop()).filter((s) => s.at >= from && s.at <= to);
    const cpu1 = serverCpu(pids);
    const lags = samples.map((s) => s.lagSeconds);
    const own = reported.filter((r) => r.at >= from && r.at <= to).map((r) => r.lagSeconds);
    log(
      `${pair} ferry: ${(written.changes / written.seconds).toFixed(0)} changes/s; lag p50 ${percentile(lags, 50)?.toFixed(2)} p95 ${percentile(lags, 95)?.toFixed(2)} max ${Math.max(...lags).toFixed(2)} s`,
    );
    const finish = await finishFerry(run, plan);
    const verified = await verify(sourceEngine);
    const t = timeReport(timeFile);
    return {
      status: verified.ok && finish.cutoverExit === 0 && samples.length > 0 ? 'ok' : 'failed',
      changes: written.changes + beats,
      writeSeconds: written.seconds,
      changesPerSecond: (written.changes + beats) / written.seconds,
      samples: samples.length,
      lag: { p50: percentile(lags, 50), p95: percentile(lags, 95), max: Math.max(...lags) },
      ferryLag: { p50: percentile(own, 50), p95: percentile(own, 95), max: Math.max(...own) },
      peakRssMb: t.peakRssMb,
      ferryCpuSeconds: t.cpuSeconds,
      serverCpuSeconds: { postgres: cpu1.postgres - cpu0.postgres, mariadb: cpu1.mariadb - cpu0.mariadb },
      ...finish,
      verify: verified,
      stderrTail: verified.ok ? undefined : run.tail().slice(-1500),
    };
  } finally {
    run.kill();
    await cleanupFerry(plan);
  }
}

const pairs = args.pairs.split(',');
const tests = args.tests.split(',');
const tools = args.tools.split(',');
if (pairs.includes('postgres-postgres') && tools.includes('pgcopydb') && tests.includes('drain')) {
  results.wal2json = allowWal2json();
  log(`wal2json for pgcopydb: ${results.wal2json}`);
}
dropSlots(SLOT_PREFIX);
for (let round = 1; round <= rounds; round++) {
  for (const pair of pairs) {
    const sourceEngine = pair.split('-')[0];
    const jobs = [];
    if (tests.includes('drain')) {
      const drains = [];
      if (tools.includes('ferry')) drains.push(['ferry', () => ferryDrain(pair, sourceEngine, round)]);
      if (tools.includes('pgcopydb') && sourceEngine === 'postgres')
        drains.push(['pgcopydb', () => pgcopydbDrain(pair, round)]);
      // Tool order alternates between rounds.
      if (round % 2 === 0) drains.reverse();
      jobs.push(...drains.map(([tool, fn]) => ['drain', tool, fn]));
    }
    if (tests.includes('steady') && tools.includes('ferry'))
      jobs.push(['steady', 'ferry', () => ferrySteady(pair, sourceEngine, round)]);
    for (const [test, tool, fn] of jobs) {
      log(`round ${round}: ${pair} ${test} ${tool}`);
      let run;
      try {
        run = await fn();
      } catch (error) {
        run = { status: 'failed', error: String(error?.stack ?? error).slice(0, 2000) };
        log(`failed: ${run.error}`);
      }
      results.runs.push({ round, pair, test, tool, ...run });
      save();
    }
  }
}
dropSlots(SLOT_PREFIX);
results.endedAt = new Date().toISOString();
save();
log(`results: ${resultsFile}`);
process.stdout.write(markdownSyncReport(results));
