/**
 * Turns a CDC results file into the Markdown tables of BENCHMARKS.md: drain rate of a backlog per
 * pair and tool (median over the rounds, ratio to pgcopydb, goal ≥ 3×), and lag under a steady
 * load (median of each round's p50/p95/max, goal p95 < 2 s), with peak RSS and verification.
 *
 * @example node bench/lib/sync-report.mjs bench/results/sync-2026-12-02T18-00-00.json
 */
import { readFileSync } from 'node:fs';

const TITLES = { 'postgres-postgres': 'PostgreSQL → PostgreSQL', 'mariadb-postgres': 'MariaDB → PostgreSQL' };

function median(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '–');
const result = (runs) => {
  const failed = runs.filter((r) => r.status === 'failed').length;
  const differs = runs.filter((r) => r.status === 'differs');
  const parts = [];
  if (differs.length)
    parts.push(
      `**target differs in ${differs.length}/${runs.length} runs** (${differs.map((r) => `${r.verify?.rowsDiffering ?? '?'} rows`).join(', ')})`,
    );
  if (failed) parts.push(`**${failed}/${runs.length} failed**`);
  return parts.length ? parts.join('; ') : `identical (${runs.length} runs)`;
};

/** The two Markdown tables. */
export function markdownSyncReport(results) {
  const lines = [];
  const drains = results.runs.filter((r) => r.test === 'drain');
  if (drains.length) {
    lines.push(
      `### Drain rate of a backlog (${int(results.settings.changes)} row changes)`,
      '',
      '| pair | tool | median drain s | min–max s | changes/s | × pgcopydb | peak RSS MB | CPU s tool / PostgreSQL / MariaDB | result |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    for (const pair of Object.keys(TITLES)) {
      // A peer that reached its end position gives a rate even when its target came out different.
      const peer = drains.filter((r) => r.pair === pair && r.tool === 'pgcopydb' && r.status !== 'failed');
      const peerRate = median(peer.map((r) => r.changesPerSecond));
      for (const tool of ['ferry', 'pgcopydb']) {
        const runs = drains.filter((r) => r.pair === pair && r.tool === tool);
        if (runs.length === 0) continue;
        const ok = runs.filter((r) => r.status !== 'failed');
        const secs = ok.map((r) => r.drainSeconds);
        const rate = median(ok.map((r) => r.changesPerSecond));
        lines.push(
          `| ${TITLES[pair]} | ${tool === 'ferry' ? `Ferry (syncSessions ${results.settings.sessions})` : 'pgcopydb 0.10 (wal2json, apply only)'} | ${fmt(median(secs))} | ${fmt(Math.min(...secs))}–${fmt(Math.max(...secs))} | ${int(rate)} | ${tool === 'ferry' && Number.isFinite(peerRate) ? fmt(rate / peerRate, 2) : '–'} | ${fmt(median(ok.map((r) => r.peakRssMb)), 0)} | ${fmt(median(ok.map((r) => r.ferryCpuSeconds)))} / ${fmt(median(ok.map((r) => r.serverCpuSeconds?.postgres)))} / ${fmt(median(ok.map((r) => r.serverCpuSeconds?.mariadb)))} | ${result(runs)} |`,
        );
      }
      if (pair === 'mariadb-postgres' && drains.some((r) => r.pair === pair))
        lines.push(
          `| ${TITLES[pair]} | (no peer: nothing on apt streams MariaDB changes into PostgreSQL) | | | | | | | |`,
        );
    }
    lines.push('');
  }
  const steady = results.runs.filter((r) => r.test === 'steady');
  if (steady.length) {
    lines.push(
      `### Lag under a steady load (${int(results.settings.rate)} row changes/s asked, ${results.settings.seconds} s, ${results.settings.writers} writers)`,
      '',
      "| pair | achieved changes/s | lag p50 s | lag p95 s | lag max s | Ferry's own lagSeconds p95 | p95 < 2 s | peak RSS MB | CPU s Ferry / PostgreSQL / MariaDB | result |",
      '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |',
    );
    for (const pair of Object.keys(TITLES)) {
      const runs = steady.filter((r) => r.pair === pair);
      if (runs.length === 0) continue;
      const ok = runs.filter((r) => r.status === 'ok');
      const p95 = median(ok.map((r) => r.lag.p95));
      lines.push(
        `| ${TITLES[pair]} | ${int(median(ok.map((r) => r.changesPerSecond)))} | ${fmt(median(ok.map((r) => r.lag.p50)), 2)} | ${fmt(p95, 2)} | ${fmt(median(ok.map((r) => r.lag.max)), 2)} | ${fmt(median(ok.map((r) => r.ferryLag?.p95)), 2)} | ${Number.isFinite(p95) ? (p95 < 2 ? 'yes' : '**no**') : '–'} | ${fmt(median(ok.map((r) => r.peakRssMb)), 0)} | ${fmt(median(ok.map((r) => r.ferryCpuSeconds)))} / ${fmt(median(ok.map((r) => r.serverCpuSeconds?.postgres)))} / ${fmt(median(ok.map((r) => r.serverCpuSeconds?.mariadb)))} | ${result(runs)} |`,
      );
    }
    lines.push('');
  }
  const failures = results.runs.filter((r) => r.status === 'failed');
  for (const f of failures)
    lines.push(
      `${f.pair} ${f.test} ${f.tool} round ${f.round} failed: \`${String(
        f.error ?? f.cutoverError ?? JSON.stringify(f.verify?.counts ?? {}),
      )
        .replaceAll('\n', ' ')
        .slice(0, 300)}\``,
    );
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] === import.meta.filename) {
  const [first, ...more] = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')));
  for (const extra of more) first.runs.push(...extra.runs);
  process.stdout.write(markdownSyncReport(first));
}
