/**
 * Driving the streaming tools of the CDC benchmark: `ferry run` of a `mode: sync` plan (its JSON
 * log read as it comes, optionally under `/usr/bin/time -v`), `ferry cutover` and `ferry cleanup`,
 * and pgcopydb's `clone --follow` with its sentinel.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { postgresQuery } from './shell.mjs';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'ferry.js');

/** Writes a `mode: sync` plan and returns its path and state file. */
export function writeSyncPlan(dir, name, source, target, sessions) {
  const file = path.join(dir, `${name}.yaml`);
  const state = path.join(dir, `${name}.db`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      `source: ${source}`,
      `target: ${target}`,
      'mode: sync',
      'options:',
      `  syncSessions: ${sessions}`,
      `state: ${state}`,
      '',
    ].join('\n'),
  );
  return { file, state };
}

/**
 * Starts `ferry run <plan> --log-format json` (under `/usr/bin/time -v` when `timeFile` is given).
 * `onProgress` gets every `sync.progress` event with the receive time.
 */
export function startFerry(plan, { timeFile, cpuProf, onProgress = () => {} } = {}) {
  const node = [
    ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : []),
    BIN,
    'run',
    plan,
    '--log-format',
    'json',
    '--json',
  ];
  const [cmd, args] = timeFile
    ? ['/usr/bin/time', ['-v', '-o', timeFile, process.execPath, ...node]]
    : [process.execPath, node];
  const started = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let tail = '';
  let buffer = '';
  let streaming = false;
  const waiters = [];
  child.stdout.on('data', () => {});
  child.stderr.on('data', (chunk) => {
    buffer += chunk.toString();
    tail = (tail + chunk.toString()).slice(-6000);
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.includes('sync.progress')) continue;
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        continue;
      }
      const progress = event.progress ?? event.data ?? event;
      streaming = true;
      onProgress(progress, performance.now());
      for (const w of waiters.splice(0)) w();
    }
  });
  const exit = new Promise((resolve) =>
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w();
      resolve({ code, signal, seconds: (performance.now() - started) / 1000 });
    }),
  );
  let ended = false;
  void exit.then(() => {
    ended = true;
  });
  return {
    child,
    exit,
    started,
    tail: () => tail,
    /** Resolves at the first progress event (the stream is running), rejects if the run ends first. */
    async streaming(timeoutSeconds = 300) {
      const until = performance.now() + timeoutSeconds * 1000;
      while (!streaming) {
        if (ended) throw new Error(`ferry run ended before streaming:\n${tail}`);
        if (performance.now() > until) throw new Error(`ferry run did not stream within ${timeoutSeconds} s`);
        await new Promise((r) => {
          waiters.push(r);
          setTimeout(r, 500);
        });
      }
    },
    /** Signals the run's process (the node process, not /usr/bin/time). */
    signal(name) {
      try {
        const pids = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .filter(Boolean);
        if (timeFile && pids.length) for (const pid of pids) process.kill(Number(pid), name);
        else process.kill(child.pid, name);
      } catch {
        try {
          process.kill(child.pid, name);
        } catch {
          // already gone
        }
      }
    },
    kill() {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

/** Runs a ferry command to its end; resolves with the exit code and output. */
export function ferry(args, timeoutSeconds = 600) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-6000)));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutSeconds * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Peak RSS (MB) and CPU seconds from a `/usr/bin/time -v` report. */
export function timeReport(timeFile) {
  let report = '';
  try {
    report = readFileSync(timeFile, 'utf8');
  } catch {
    return { peakRssMb: Number.NaN, cpuSeconds: Number.NaN };
  }
  const field = (name) => Number(new RegExp(`${name}: ([0-9.]+)`).exec(report)?.[1] ?? Number.NaN);
  return {
    peakRssMb: field('Maximum resident set size \\(kbytes\\)') / 1024,
    cpuSeconds: field('User time \\(seconds\\)') + field('System time \\(seconds\\)'),
  };
}

/** Drops every replication slot and origin (pgcopydb's, cluster-wide) whose name starts with `prefix`. */
export function dropSlots(prefix) {
  for (const [origin] of postgresQuery(
    `SELECT roname FROM pg_replication_origin WHERE roname LIKE '${prefix}%'`,
  )) {
    try {
      postgresQuery(`SELECT pg_replication_origin_drop('${origin}')`);
    } catch {
      // still in use by a session that is ending; the next cleanup drops it
    }
  }
  const rows = postgresQuery(
    `SELECT slot_name, coalesce(active_pid, 0) FROM pg_replication_slots WHERE slot_name LIKE '${prefix}%'`,
  );
  for (const [slot, pid] of rows) {
    if (Number(pid)) postgresQuery(`SELECT pg_terminate_backend(${pid})`);
    try {
      postgresQuery(`SELECT pg_drop_replication_slot('${slot}')`);
    } catch {
      // its holder had not gone yet: try once more after a moment
      execFileSync('sleep', ['1']);
      postgresQuery(
        `SELECT pg_drop_replication_slot('${slot}') FROM pg_replication_slots WHERE slot_name = '${slot}'`,
      );
    }
  }
}

/**
 * pgcopydb decodes with wal2json, which this machine's PostgreSQL allows only once it is in
 * `output_plugin_libraries`: added with ALTER SYSTEM and a reload (no restart) when missing.
 */
export function allowWal2json() {
  const rows = postgresQuery("SELECT setting FROM pg_settings WHERE name = 'output_plugin_libraries'");
  if (rows.length === 0) return 'no output_plugin_libraries setting: nothing to allow';
  // A list setting: SHOW quotes an element that holds a comma, so split on commas outside quotes.
  const current = rows[0][0]
    .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((s) => s.trim().replace(/^"|"$/g, ''))
    .filter(Boolean);
  if (current.includes('wal2json')) return `already allowed (${current.join(', ')})`;
  const wanted = [...current, 'wal2json'];
  postgresQuery(`ALTER SYSTEM SET output_plugin_libraries = ${wanted.map((s) => `'${s}'`).join(', ')}`);
  postgresQuery('SELECT pg_reload_conf()');
  return `added: output_plugin_libraries = ${wanted.join(', ')} (ALTER SYSTEM, reload)`;
}

/** Starts `pgcopydb clone --follow` (0.10 always decodes with wal2json); its log goes to `logFile`. */
export function startPgcopydb({ source, target, dir, slot, logFile }) {
  const args = [
    'clone',
    '--follow',
    '--slot-name',
    slot,
    '--origin',
    slot,
    '--source',
    source,
    '--target',
    target,
    '--dir',
    dir,
    '--no-owner',
    '--no-acl',
    '--table-jobs',
    '2',
    '--index-jobs',
    '2',
  ];
  const child = spawn('/usr/bin/time', ['-v', '-o', `${logFile}.time`, 'pgcopydb', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  const keep = (c) => {
    log += c.toString();
    if (log.length > 2_000_000) log = log.slice(-1_000_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exit = new Promise((resolve) =>
    child.on('close', (code) => {
      writeFileSync(logFile, log);
      resolve(code);
    }),
  );
  return {
    child,
    exit,
    log: () => log,
    kill() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
    killHard() {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

/** Runs `pgcopydb stream sentinel set <what> [value]` on the source (options before the value). */
export function pgcopydbSentinel(source, what, ...value) {
  execFileSync('pgcopydb', ['stream', 'sentinel', 'set', what, '--source', source, ...value], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}
