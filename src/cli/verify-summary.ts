/** Renders a VerifyResult for people (stdout) and as JSON for machines (`--json`). */
import { redact } from '../secrets.js';
import type { VerifyReporter } from '../verify/verify-events.js';
import type { RowDifference, TableVerifyResult, VerifyResult } from '../verify/verify-result.js';

const KIND_LABEL = {
  missing: 'missing in target',
  extra: 'extra in target',
  different: 'different',
} as const;

function describeKey(key: Record<string, string>): string {
  return Object.entries(key)
    .map(([column, value]) => `${column}=${value}`)
    .join(', ');
}

function describeDifference(difference: RowDifference): string {
  const columns = difference.columns ? ` (${difference.columns.join(', ')})` : '';
  const values = difference.values
    ? ` source ${JSON.stringify(difference.values.source)} target ${JSON.stringify(difference.values.target)}`
    : '';
  return `  ${KIND_LABEL[difference.kind]}: ${describeKey(difference.key)}${columns}${values}`;
}

function tableLine(table: TableVerifyResult, width: number): string {
  const name = table.table.padEnd(width);
  const arrow = table.targetTable !== table.table ? ` → ${table.targetTable}` : '';
  const where = `${String(table.sourceRows).padStart(10)} rows  ${String(table.chunks).padStart(4)} chunks  ${table.seconds.toFixed(2).padStart(7)} s`;
  if (table.status === 'failed') return `${name}  FAILED: ${table.error?.message ?? 'unknown error'}${arrow}`;
  const { missing, extra, different } = table.counts;
  const found =
    table.status === 'equal'
      ? 'equal'
      : `${table.status === 'repaired' ? 'repaired' : 'DIFFERENT'}: ${missing} missing, ${extra} extra, ${different} different${
          table.unresolved > 0 ? `, ${table.unresolved} ranges differ with equal rows` : ''
        }`;
  return `${name}  ${where}  ${found}${arrow}`;
}

/** One line per table, its differences under it, then the total. */
export function formatVerifySummary(result: VerifyResult): string {
  const lines: string[] = [];
  const width = Math.max(5, ...result.tables.map((t) => t.table.length));
  for (const table of result.tables) {
    lines.push(tableLine(table, width));
    for (const difference of table.differences) lines.push(describeDifference(difference));
    const listed = table.differences.length;
    const total = table.counts.missing + table.counts.extra + table.counts.different;
    if (total > listed) lines.push(`  … and ${total - listed} more`);
    if (table.repair) {
      const verb = table.repair.dryRun ? 'would delete' : 'deleted';
      const verb2 = table.repair.dryRun ? 'insert' : 'inserted';
      lines.push(`  repair: ${verb} ${table.repair.deleted} and ${verb2} ${table.repair.inserted} rows`);
    }
    if (table.hashedInFerry.length > 0 && table.status !== 'failed') {
      lines.push(
        `  hashed after reading (no exact SQL form on both sides): ${table.hashedInFerry.join(', ')}`,
      );
    }
  }
  const count = (status: TableVerifyResult['status']) =>
    result.tables.filter((t) => t.status === status).length;
  const parts = [`${count('equal')} equal`];
  if (count('repaired') > 0) parts.push(`${count('repaired')} repaired`);
  if (count('different') > 0) parts.push(`${count('different')} different`);
  if (count('failed') > 0) parts.push(`${count('failed')} failed`);
  lines.push(
    `verified ${result.tables.length} tables in ${result.seconds.toFixed(2)} s: ${parts.join(', ')}`,
  );
  return redact(`${lines.join('\n')}\n`);
}

/** The result as JSON, errors as their code and message. */
export function formatVerifyJson(result: VerifyResult): string {
  const tables = result.tables.map(({ error, ...table }) => ({
    ...table,
    ...(error ? { error: { code: error.code, message: error.message } } : {}),
  }));
  return redact(`${JSON.stringify({ ...result, tables }, null, 2)}\n`);
}

/** Progress lines on stderr while a verify runs. */
export function verifyLog(stream: NodeJS.WritableStream = process.stderr): VerifyReporter {
  const write = (line: string) => stream.write(`${redact(line)}\n`);
  return {
    onVerifyTableStart: (e) => write(`ferry: verify ${e.table}: ${e.chunks} chunks (${e.mode} checksums)`),
    onVerifyTableDone: (r) => {
      if (r.status !== 'failed') write(`ferry: verify ${r.table}: ${r.status} in ${r.seconds.toFixed(2)} s`);
    },
  };
}
