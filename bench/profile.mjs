/**
 * Where Ferry's time goes: runs one `ferry copy` per pair under `node --cpu-prof` against the
 * sources bench/run.sh built, and prints the wall time, the CPU seconds of Ferry and of each
 * server, and Ferry's hottest functions and packages by self time.
 *
 * @example node bench/profile.mjs --pairs mariadb-postgres --top 15
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { clean, recreateDatabase, serverCpu, serverPids, url } from './lib/shell.mjs';
import { PAIRS } from './lib/tools.mjs';

/** The repository's own file URL prefix, stripped from profile frames. */
const REPO_URL = new URL('..', import.meta.url).href;

const { values: args } = parseArgs({
  options: {
    pairs: { type: 'string', default: Object.keys(PAIRS).join(',') },
    top: { type: 'string', default: '15' },
    dir: { type: 'string', default: '/tmp/ferry-bench/profiles' },
  },
});

/** Self time per function and per package from a .cpuprofile. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const functions = new Map();
  const packages = new Map();
  let total = 0;
  for (const [id, micros] of self) {
    const { functionName, url: file, lineNumber } = byId.get(id).callFrame;
    const where = file ? `${file.replace(REPO_URL, '')}:${lineNumber + 1}` : '';
    const fn = `${functionName || '(anonymous)'} ${where}`.trim();
    functions.set(fn, (functions.get(fn) ?? 0) + micros);
    const pkg =
      /node_modules\/((@[^/]+\/)?[^/]+)/.exec(file)?.[1] ??
      (file.includes('/dist/')
        ? `ferry ${file.split('/dist/')[1].split('/').slice(0, -1).join('/') || '.'}`
        : file.startsWith('node:')
          ? 'node internals'
          : functionName || '(native)');
    packages.set(pkg, (packages.get(pkg) ?? 0) + micros);
    total += micros;
  }
  const top = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, seconds: us / 1e6, share: us / total }));
  return {
    totalSeconds: total / 1e6,
    functions: top(functions, Number(args.top)),
    packages: top(packages, 12),
  };
}

const pids = serverPids();
for (const pair of args.pairs.split(',')) {
  const { source, target } = PAIRS[pair];
  const dir = path.join(args.dir, pair);
  clean(dir);
  recreateDatabase(target.engine, target.database);
  const before = serverCpu(pids);
  const started = process.hrtime.bigint();
  execFileSync(
    'node',
    [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      'bin/ferry.js',
      'copy',
      url(source.engine, source.database),
      url(target.engine, target.database),
      '--no-verify',
      '--quiet',
    ],
    { stdio: 'inherit' },
  );
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const after = serverCpu(pids);
  const profile = JSON.parse(readFileSync(path.join(dir, readdirSync(dir)[0]), 'utf8'));
  const times = selfTimes(profile);
  const idle = times.functions.find((f) => f.name.startsWith('(idle)'))?.seconds ?? 0;
  console.log(`\n## ${pair}: wall ${wall.toFixed(1)} s`);
  console.log(
    `CPU s: Ferry busy ≈ ${(times.totalSeconds - idle).toFixed(1)} (main thread, from the profile; idle ${idle.toFixed(1)}), MariaDB ${(after.mariadb - before.mariadb).toFixed(1)}, PostgreSQL ${(after.postgres - before.postgres).toFixed(1)}`,
  );
  console.log('\ntop packages by self time:');
  for (const p of times.packages)
    console.log(
      `  ${(p.share * 100).toFixed(1).padStart(5)} %  ${p.seconds.toFixed(2).padStart(6)} s  ${p.name}`,
    );
  console.log('\ntop functions by self time:');
  for (const f of times.functions)
    console.log(
      `  ${(f.share * 100).toFixed(1).padStart(5)} %  ${f.seconds.toFixed(2).padStart(6)} s  ${f.name}`,
    );
}
