/** Renders a RunReport as Markdown for people and JSON for machines, and writes it (`--report`). */
import { writeFile } from 'node:fs/promises';
import { FerryError, messageOf } from '../errors.js';
import { redact } from '../secrets.js';
import type { ReportTable, RunReport } from './report.js';
import { formatBytes, formatCount } from './units.js';

const percent = (rate: number) => `${(rate * 100).toFixed(1)} %`;
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The report as a Markdown page: the run's figures, one table row per table, then the errors. */
export function renderMarkdown(report: RunReport): string {
  const { totals } = report;
  const lines = [
    '# Ferry run report',
    '',
    `- Run: \`${report.run}\`: ${report.ok ? 'OK' : 'FAILED'}`,
    `- Time: ${report.seconds.toFixed(2)} s, ${report.parallel} chunks at once`,
    `- Tables: ${totals.succeeded} of ${totals.tables} arrived (success rate ${percent(totals.successRate)}), ${totals.failed} failed`,
    `- Rows: ${formatCount(totals.rows)} (${formatBytes(totals.bytes)}), ${formatCount(totals.rowsPerSecond)} rows/s, ${totals.megabytesPerSecond.toFixed(2)} MB/s`,
    `- Chunks: ${totals.chunks}, ${totals.retries} retried; error rate ${percent(totals.errorRate)}, ${totals.errors} error${totals.errors === 1 ? '' : 's'}`,
  ];
  if (report.consistency) lines.push(`- Consistency: ${report.consistency}`);
  if (report.throttle.pauses > 0) {
    const reasons = Object.entries(report.throttle.byReason)
      .map(([reason, count]) => `${reason} ${count.pauses} (${count.seconds.toFixed(2)} s)`)
      .join(', ');
    lines.push(
      `- Throttled: ${report.throttle.pauses} pauses, ${report.throttle.seconds.toFixed(2)} s (${reasons})`,
    );
  }
  if (report.verification) {
    const { counts, ok, seconds } = report.verification;
    lines.push(
      `- Verification: ${ok ? 'OK' : 'FAILED'} in ${seconds.toFixed(2)} s: ${counts.equal} equal, ${counts.repaired} repaired, ${counts.different} different, ${counts.failed} failed`,
    );
  }
  lines.push(
    '',
    '| Table | Status | Rows | Seconds | Rows/s | MB/s | Chunks | Retries | Errors | Consistency | Verification |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...report.tables.map(tableRow),
  );
  const errors = [
    ...report.tables.flatMap((table) =>
      table.errors.map((error) => `- \`${table.table}\`: ${error.message} [${error.code}]`),
    ),
    ...report.errors.map((error) => `- ${error.message} [${error.code}]`),
  ];
  if (errors.length > 0) lines.push('', '## Errors', '', ...errors);
  return redact(`${lines.join('\n')}\n`);
}

function tableRow(table: ReportTable): string {
  const name = table.targetTable === table.table ? table.table : `${table.table} → ${table.targetTable}`;
  const verification = table.verification
    ? table.verification.status === 'equal'
      ? 'equal'
      : `${table.verification.status}: ${table.verification.missing} missing, ${table.verification.extra} extra, ${table.verification.different} different`
    : '';
  return `| ${[
    name,
    table.status,
    formatCount(table.rows),
    table.seconds.toFixed(2),
    formatCount(table.rowsPerSecond),
    table.megabytesPerSecond.toFixed(2),
    String(table.chunks),
    String(table.retries),
    String(table.errors.length),
    table.consistency ?? '',
    verification,
  ]
    .map(cell)
    .join(' | ')} |`;
}

/** The report as a JSON document. */
export function renderJson(report: RunReport): string {
  return redact(`${JSON.stringify(report, null, 2)}\n`);
}

/** Writes the report to `file`: JSON when its name ends in `.json`, Markdown otherwise. */
export async function writeReport(file: string, report: RunReport): Promise<void> {
  const text = file.toLowerCase().endsWith('.json') ? renderJson(report) : renderMarkdown(report);
  try {
    await writeFile(file, text);
  } catch (error) {
    throw new FerryError(
      'REPORT_WRITE_FAILED',
      `--report ${file}: cannot write the report (${messageOf(error)}).`,
      {
        cause: error,
      },
    );
  }
}
