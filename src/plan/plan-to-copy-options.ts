/** A validated plan as the engine's `CopyOptions`: a mapping, no decisions of its own. */
import type { CopyOptions } from '../engine/copy-options.js';
import type { TableRule } from '../engine/table-rules.js';
import type { Plan } from './plan-schema.js';

/**
 * The copy options of a plan, with the connection URLs (passwords in) that load-plan built.
 * Options the plan leaves out stay absent, so the engine's defaults apply.
 */
export function planToCopyOptions(plan: Plan, urls: { source: string; target: string }): CopyOptions {
  // Typed so that a plan rule that stops fitting the engine's TableRule fails to compile here.
  const tableRules: TableRule[] | undefined = plan.tables;
  const copy: CopyOptions = {
    source: urls.source,
    target: urls.target,
    tableRules,
    ifExists: plan.options.ifExists,
    coerce: plan.options.coerce,
    maxRowsPerSecond: plan.options.maxRowsPerSecond,
    maxBytesPerSecond: plan.options.maxBytesPerSecond,
    maxLoad: plan.options.maxLoad,
    loadProbeTable: plan.options.loadProbeTable,
    parallel: plan.options.parallel,
    chunkRows: plan.options.chunkRows,
    chunkBytes: plan.options.chunkBytes,
    memory: plan.options.memory,
    retries: plan.options.retries,
  };
  return Object.fromEntries(Object.entries(copy).filter(([, value]) => value !== undefined)) as CopyOptions;
}
