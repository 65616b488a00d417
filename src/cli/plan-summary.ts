/** Renders a CopyPlan (`ferry copy --dry-run`) as a per-column table for people. */
import type { CopyPlan } from '../engine/plan-copy.js';
import { redact } from '../secrets.js';
import { LOSS_KINDS } from '../values/loss-kinds.js';

/** One block per table: `column  source type → target type  lossless | loss: detail → action`. */
export function formatPlan(plan: CopyPlan): string {
  const lines = [`dry run: ${plan.source} → ${plan.target} (nothing written)`];
  for (const table of plan.tables) {
    lines.push('', `${table.table}${table.targetTable !== table.table ? ` → ${table.targetTable}` : ''}`);
    const nameWidth = Math.max(...table.columns.map((c) => c.column.length), 4);
    const typeWidth = Math.max(...table.columns.map((c) => `${c.sourceType} → ${c.targetType}`.length), 4);
    for (const column of table.columns) {
      const types = `${column.sourceType} → ${column.targetType}`.padEnd(typeWidth);
      const head = `  ${column.column.padEnd(nameWidth)}  ${types}  `;
      if (column.losses.length === 0) {
        lines.push(`${head}lossless`);
        continue;
      }
      column.losses.forEach((loss, index) => {
        const choices = Object.keys(LOSS_KINDS[loss.loss].actions).join('|');
        const policy =
          loss.action === 'error'
            ? `error (stops the table; --coerce ${loss.loss}=${choices})`
            : `--coerce ${loss.action}`;
        lines.push(`${index === 0 ? head : ' '.repeat(head.length)}${loss.loss}: ${loss.detail} → ${policy}`);
      });
    }
  }
  for (const rename of plan.renames) {
    lines.push(
      `renamed ${rename.kind} ${rename.from} (table ${rename.table}) to ${rename.to}: ${rename.reason}`,
    );
  }
  return redact(`${lines.join('\n')}\n`);
}
