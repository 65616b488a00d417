/** Renders a CopyResult for people (stdout) and as JSON for machines (`--json`). */
import type { SourceSnapshot } from '../connectors/connector.js';
import type { CopyResult } from '../engine/copy-result.js';
import { redact } from '../secrets.js';
import type { VerifyResult } from '../verify/verify-result.js';
import { formatVerifyJson, formatVerifySummary } from './verify-summary.js';

/** The one-line-per-table summary, then renames, notes, objects, the total and the verify step's report. */
export function formatSummary(result: CopyResult, verified?: VerifyResult): string {
  const lines: string[] = [];
  const width = Math.max(5, ...result.tables.map((t) => t.table.length));
  for (const table of result.tables) {
    const name = table.table.padEnd(width);
    const arrow = table.targetTable !== table.table ? ` → ${table.targetTable}` : '';
    if (table.status === 'failed') {
      lines.push(
        `${name}  FAILED after ${table.seconds.toFixed(2)} s: ${table.error?.message ?? 'unknown error'}${arrow}`,
      );
    } else if (table.status === 'schema-only') {
      lines.push(`${name}  schema only${arrow}`);
    } else {
      lines.push(
        `${name}  ${String(table.rows).padStart(10)} rows  ${table.seconds.toFixed(2).padStart(7)} s${arrow}`,
      );
    }
  }
  for (const rename of result.renames) {
    lines.push(
      `renamed ${rename.kind} ${rename.from} (table ${rename.table}) to ${rename.to}: ${rename.reason}`,
    );
  }
  for (const note of result.notes) lines.push(`note: ${note.table}: ${note.message}`);
  for (const count of result.coercions) {
    lines.push(
      `coerced: ${count.table}.${count.column}: ${count.values} value${count.values === 1 ? '' : 's'} (${count.loss} → ${count.action})`,
    );
  }
  if (result.objectsCopied.length > 0) {
    lines.push(`objects copied: ${result.objectsCopied.map((o) => `${o.kind} ${o.name}`).join(', ')}`);
  }
  if (result.objectsNotMigrated.length > 0) {
    lines.push(
      `not migrated (another engine): ${result.objectsNotMigrated.map((o) => `${o.kind} ${o.name}`).join(', ')}`,
    );
  }
  if (result.snapshot) lines.push(`consistent as of ${describeSnapshot(result.snapshot)}`);
  const chunks = result.tables.reduce((sum, t) => sum + t.chunks, 0);
  const redone = result.tables.reduce((sum, t) => sum + t.retries, 0);
  if (chunks > 0) {
    lines.push(
      `chunks: ${chunks}, ${result.parallel} at once${redone > 0 ? `, ${redone} redone after a passing failure` : ''} (run ${result.run})`,
    );
  }
  if (result.throttle.pauses > 0) {
    const reasons = Object.entries(result.throttle.byReason)
      .map(([reason, count]) => `${reason} ${count.pauses} (${count.seconds.toFixed(2)} s)`)
      .join(', ');
    lines.push(
      `throttled: ${result.throttle.pauses} pauses, ${result.throttle.seconds.toFixed(2)} s in all${reasons ? ` — ${reasons}` : ''}`,
    );
  }
  for (const error of result.errors) lines.push(`error: ${error.message}`);
  const rows = result.tables.reduce((sum, t) => sum + t.rows, 0);
  const failed = result.tables.filter((t) => t.status === 'failed').length;
  lines.push(
    `total: ${result.tables.length} tables, ${rows} rows, ${result.seconds.toFixed(2)} s` +
      (result.ok
        ? ''
        : ` — FAILED (${failed} table${failed === 1 ? '' : 's'}, ${result.errors.length} other error${result.errors.length === 1 ? '' : 's'})`),
  );
  const report = redact(`${lines.join('\n')}\n`);
  return verified ? `${report}${formatVerifySummary(verified)}` : report;
}

/** `file mariadb-bin.000002, position 1234` (empty for no position). */
export function describePosition(position: Record<string, string> | undefined): string {
  return Object.entries(position ?? {})
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
}

/** `2026-11-25T06:00:00.000Z (file mariadb-bin.000002, position 1234)`. */
export function describeSnapshot(snapshot: SourceSnapshot): string {
  const position = describePosition(snapshot.position);
  return `${snapshot.takenAt}${position ? ` (${position})` : ''}`;
}

/** One line per failed table and per other failure of a copy, for stderr. */
export function failureLines(result: CopyResult): string[] {
  const tables = result.tables.flatMap((t) =>
    t.error ? [`${t.table}: ${t.error.message} [${t.error.code}]`] : [],
  );
  return [...tables, ...result.errors.map((e) => `${e.message} [${e.code}]`)];
}

/** The result as a JSON document; errors become `{ code, message }`. */
export function formatJson(result: CopyResult, verified?: VerifyResult): string {
  const plain = {
    ...result,
    tables: result.tables.map(({ error, ...rest }) => ({
      ...rest,
      ...(error ? { error: { code: error.code, message: error.message } } : {}),
    })),
    errors: result.errors.map((error) => ({ code: error.code, message: error.message })),
    ...(verified ? { verify: JSON.parse(formatVerifyJson(verified)) } : {}),
  };
  return redact(`${JSON.stringify(plain, null, 2)}\n`);
}
