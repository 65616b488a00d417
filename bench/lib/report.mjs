/**
 * Turns a results file into the Markdown tables of BENCHMARKS.md: per pair and tool, the median
 * wall time and its spread, rows/s, peak RSS, CPU split, ratios to the fastest peer and to the
 * raw limit, and what verification found.
 *
 * @example node bench/lib/report.mjs bench/results/2025-01-01T00-00-00.json [more results files]
 */
import { readFileSync } from 'node:fs';

const PAIR_TITLES = {
  'mariadb-mariadb': 'MariaDB → MariaDB',
  'mariadb-postgres': 'MariaDB → PostgreSQL',
  'postgres-postgres': 'PostgreSQL → PostgreSQL',
};

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** Median statistics per pair and tool. */
export function summarise(results) {
  const groups = new Map();
  for (const run of results.runs) {
    const key = `${run.pair}\u0000${run.tool}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(run);
  }
  const out = [];
  for (const runs of groups.values()) {
    const usable = runs.filter((r) => r.status !== 'failed');
    const walls = usable.map((r) => r.wallSeconds);
    const changed = runs.map((r) => r.verify?.valuesChanged ?? 0);
    const changedColumns = new Set();
    for (const r of runs) {
      for (const [table, t] of Object.entries(r.verify?.tables ?? {})) {
        for (const column of Object.keys(t.changed ?? {})) changedColumns.add(`${table}.${column}`);
      }
    }
    out.push({
      pair: runs[0].pair,
      tool: runs[0].tool,
      label: runs[0].label,
      runs: runs.length,
      failed: runs.length - usable.length,
      status: usable.length === 0 ? 'failed' : usable.every((r) => r.status === 'ok') ? 'ok' : 'changed',
      median: walls.length ? median(walls) : Number.NaN,
      min: Math.min(...walls),
      max: Math.max(...walls),
      rowsPerSecond: walls.length
        ? Object.values(results.rows).reduce((a, b) => a + b, 0) / median(walls)
        : Number.NaN,
      peakRssMb: usable.length ? median(usable.map((r) => r.peakRssMb)) : Number.NaN,
      clientCpu: usable.length ? median(usable.map((r) => r.clientCpuSeconds)) : Number.NaN,
      mariadbCpu: usable.length ? median(usable.map((r) => r.serverCpuSeconds.mariadb)) : Number.NaN,
      postgresCpu: usable.length ? median(usable.map((r) => r.serverCpuSeconds.postgres)) : Number.NaN,
      valuesChanged: Math.max(...changed),
      changedColumns: [...changedColumns],
      errors: runs
        .filter((r) => r.status === 'failed')
        .map((r) => (r.exitCode === 0 ? JSON.stringify(r.verify).slice(0, 300) : r.stderrTail)),
    });
  }
  return out;
}

/** The Markdown tables, one per pair. */
export function markdownReport(results) {
  const stats = summarise(results);
  const lines = [];
  for (const pair of Object.keys(PAIR_TITLES)) {
    const rows = stats.filter((s) => s.pair === pair);
    if (rows.length === 0) continue;
    const peers = rows.filter(
      (s) => !s.tool.startsWith('ferry') && s.tool !== 'raw' && s.status !== 'failed',
    );
    const fastestPeer = peers.length ? Math.min(...peers.map((s) => s.median)) : Number.NaN;
    const raw = rows.find((s) => s.tool === 'raw' && s.status !== 'failed')?.median ?? Number.NaN;
    lines.push(`### ${PAIR_TITLES[pair]}`, '');
    lines.push(
      '| tool | median wall s | min–max s | rows/s | peak RSS MB | CPU s client / MariaDB / PostgreSQL | × fastest peer | × raw limit | result |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    for (const s of rows.sort((a, b) => (a.median || 1e9) - (b.median || 1e9))) {
      const result =
        s.status === 'failed'
          ? `**failed** (${s.failed}/${s.runs} runs)`
          : s.valuesChanged > 0
            ? `**changed ${s.valuesChanged.toLocaleString('en')} values** (${s.changedColumns.join(', ')})`
            : `identical (${s.runs} runs)`;
      lines.push(
        `| ${s.label.replaceAll('|', '\\|')} | ${fmt(s.median)} | ${fmt(s.min)}–${fmt(s.max)} | ${Number.isFinite(s.rowsPerSecond) ? Math.round(s.rowsPerSecond).toLocaleString('en') : '–'} | ${fmt(s.peakRssMb, 0)} | ${fmt(s.clientCpu)} / ${fmt(s.mariadbCpu)} / ${fmt(s.postgresCpu)} | ${fmt(s.median / fastestPeer, 2)} | ${fmt(s.median / raw, 2)} | ${result}${s.failed && s.status !== 'failed' ? `, ${s.failed} failed runs` : ''} |`,
      );
    }
    const errors = rows.filter((s) => s.errors.length > 0);
    for (const s of errors)
      lines.push('', `${s.tool} errors: \`${s.errors[0].replaceAll('\n', ' ').slice(0, 400)}\``);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] === import.meta.filename) {
  // Several files (for example an extra run of some tools) are merged into one report.
  const [first, ...more] = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')));
  for (const extra of more) first.runs.push(...extra.runs);
  process.stdout.write(markdownReport(first));
}
