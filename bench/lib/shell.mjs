/**
 * Process helpers: run SQL through the stock clients, time a command under `/usr/bin/time -v`,
 * and read the servers' CPU counters from /proc to split a run's CPU between client and servers.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';

/** Connection settings of the two servers (override with FERRY_BENCH_* variables). */
export const SERVERS = {
  mariadb: {
    host: process.env.FERRY_BENCH_MYSQL_HOST ?? '127.0.0.1',
    port: process.env.FERRY_BENCH_MYSQL_PORT ?? '3306',
    user: 'root',
  },
  postgres: {
    host: process.env.FERRY_BENCH_PG_HOST ?? '127.0.0.1',
    port: process.env.FERRY_BENCH_PG_PORT ?? '5432',
    user: 'postgres',
  },
};

/** Shell prefix of the MariaDB client. */
export const MARIADB = `mariadb --default-character-set=utf8mb4 -h${SERVERS.mariadb.host} -P${SERVERS.mariadb.port} -u${SERVERS.mariadb.user}`;
/** Shell prefix of psql. */
export const PSQL = `psql -X -q -v ON_ERROR_STOP=1 -h ${SERVERS.postgres.host} -p ${SERVERS.postgres.port} -U ${SERVERS.postgres.user}`;

/** URL of a database for Ferry and the peers. */
export function url(engine, database) {
  const s = SERVERS[engine];
  return engine === 'mariadb'
    ? `mysql://${s.user}@${s.host}:${s.port}/${database}`
    : `postgres://${s.user}@${s.host}:${s.port}/${database}`;
}

/** Runs SQL on MariaDB and returns the tab-separated rows. */
export function mariadbQuery(sql, database = '') {
  const out = execFileSync(
    'mariadb',
    [
      '--default-character-set=utf8mb4',
      '-h',
      SERVERS.mariadb.host,
      '-P',
      SERVERS.mariadb.port,
      '-u',
      SERVERS.mariadb.user,
      '-N',
      '-B',
      '--raw',
      database,
    ].filter(Boolean),
    { input: sql, maxBuffer: 1 << 30, encoding: 'utf8' },
  );
  return rows(out);
}

/** Runs SQL on PostgreSQL and returns the tab-separated rows. */
export function postgresQuery(sql, database = 'postgres') {
  const s = SERVERS.postgres;
  const out = execFileSync(
    'psql',
    [
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-At',
      '-F',
      '\t',
      '-h',
      s.host,
      '-p',
      s.port,
      '-U',
      s.user,
      '-d',
      database,
    ],
    { input: sql, maxBuffer: 1 << 30, encoding: 'utf8' },
  );
  return rows(out);
}

/** Runs SQL on either engine. */
export function query(engine, sql, database) {
  return engine === 'mariadb' ? mariadbQuery(sql, database) : postgresQuery(sql, database);
}

function rows(out) {
  return out
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}

/** Drops and recreates a database (never one whose name lacks the bench prefix). */
export function recreateDatabase(engine, database) {
  if (!database.startsWith('ferry_bench_')) throw new Error(`refusing to drop ${database}`);
  if (engine === 'mariadb') {
    mariadbQuery(
      `DROP DATABASE IF EXISTS \`${database}\`; CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4;`,
    );
  } else {
    postgresQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE);`);
    postgresQuery(`CREATE DATABASE "${database}";`);
  }
}

/** Removes a scratch directory. */
export function clean(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Runs a bash script under `/usr/bin/time -v`; resolves with wall seconds, peak RSS of the
 * largest client process (MB), client user+system CPU seconds, exit code and the stderr tail.
 */
export function timed(script, timeFile, timeoutSeconds = 3600) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-v', '-o', timeFile, 'bash', '-o', 'pipefail', '-c', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid, 'SIGTERM');
    }, timeoutSeconds * 1000);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      let report = '';
      try {
        report = readFileSync(timeFile, 'utf8');
      } catch {
        // time itself was killed
      }
      const field = (name) => Number(new RegExp(`${name}: ([0-9.]+)`).exec(report)?.[1] ?? Number.NaN);
      resolve({
        wallSeconds: wall,
        peakRssMb: field('Maximum resident set size \\(kbytes\\)') / 1024,
        clientCpuSeconds: field('User time \\(seconds\\)') + field('System time \\(seconds\\)'),
        exitCode: timedOut ? 'timeout' : code,
        stderrTail: stderr.trim().split('\n').slice(-8).join('\n'),
      });
    });
  });
}

const TICKS = 100;

function procTimes(pid, withChildren) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11..14] are utime, stime, cutime, cstime (stat(5) fields 14-17).
    const own = Number(fields[11]) + Number(fields[12]);
    return (withChildren ? own + Number(fields[13]) + Number(fields[14]) : own) / TICKS;
  } catch {
    return 0;
  }
}

function childrenOf(pid) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** Process ids of the two servers, found through the servers themselves. */
export function serverPids() {
  const mariadbPid = Number(readFileSync(mariadbQuery('SELECT @@pid_file')[0][0], 'utf8').trim());
  const dataDir = postgresQuery('SHOW data_directory')[0][0];
  const postgresPid = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
  return { mariadb: mariadbPid, postgres: postgresPid };
}

/**
 * CPU seconds used so far by each server: MariaDB is one process; PostgreSQL is the postmaster,
 * its ended backends (counted in its children's time) and its live backends.
 */
export function serverCpu(pids) {
  const live = childrenOf(pids.postgres).reduce((sum, pid) => sum + procTimes(pid, false), 0);
  return { mariadb: procTimes(pids.mariadb, false), postgres: procTimes(pids.postgres, true) + live };
}
