/**
 * The preflight's checks that need no server: keys, type losses and existing target tables,
 * each problem one line with its fix. `preflight` (preflight.ts) feeds them what it read.
 */
import type { AccessProblem, ExistingTable } from '../connectors/connector.js';
import { chunkKeyOf, type Table } from '../schema/table.js';
import { LOSS_KINDS, type LossKind } from '../values/loss-kinds.js';
import type { CopyOptions } from './copy-options.js';
import type { CopyPlan } from './plan-copy.js';
import type { PreflightProblem } from './preflight.js';

/** Tables without a key to split on: copied whole, as copy-data.ts warns at run time. */
export function keylessProblems(tables: Table[]): PreflightProblem[] {
  return tables
    .filter((table) => chunkKeyOf(table) === undefined)
    .map((table) => ({
      level: 'warning',
      subject: table.name,
      message: `table "${table.name}" has no primary key and no unique key of NOT NULL columns: copied in one chunk, which cannot be split, run in parallel or verified row by row`,
      fix: `Add a primary key (or a unique key of NOT NULL columns) to "${table.name}" on the source, or accept one chunk.`,
    }));
}

/**
 * Losses that hit every non-NULL value of the column, so the copy is sure to stop; the others
 * depend on what is stored (a NUL in a text, a zero date) and stop it only if such a value exists.
 */
const EVERY_VALUE_LOSSES: ReadonlySet<LossKind> = new Set<LossKind>(['no-target-type']);

/**
 * Every value loss the run's coercion policy leaves at `error`, with a `--coerce` fix: an error
 * where every value is refused, a warning where the copy stops only at a stored value of that kind
 * (the preflight reads no rows, and an error for every text column would make no plan pass).
 */
export function lossProblems(plan: CopyPlan): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  for (const table of plan.tables) {
    for (const column of table.columns) {
      for (const loss of column.losses.filter((candidate) => candidate.action === 'error')) {
        const where = `${table.table}.${column.column}`;
        const certain = EVERY_VALUE_LOSSES.has(loss.loss);
        const [first, ...others] = Object.keys(LOSS_KINDS[loss.loss].actions);
        problems.push({
          level: certain ? 'error' : 'warning',
          subject: where,
          message: `${where}: ${loss.loss} (${column.sourceType} → ${column.targetType}), ${loss.detail}: ${certain ? 'the copy refuses every value' : 'the copy stops at the first such value'}`,
          fix: `--coerce ${where}:${loss.loss}=${first ?? 'null'}${others.length > 0 ? ` (or ${others.join(', ')})` : ''}`,
        });
      }
    }
  }
  return problems;
}

/**
 * Target tables that stop the copy before it writes (as copy.ts decides): tables holding rows under
 * if-exists `fail`, tables present for a schema-only copy, tables missing for a data-only copy.
 */
export function existingTableProblems(
  existing: ExistingTable[],
  targetNames: string[],
  options: Pick<CopyOptions, 'ifExists' | 'schemaOnly' | 'dataOnly'>,
): PreflightProblem[] {
  const ifExists = options.ifExists ?? 'fail';
  const present = new Set(existing.map((table) => table.name));
  const problems: PreflightProblem[] = [];
  if (options.dataOnly) {
    for (const name of targetNames.filter((candidate) => !present.has(candidate))) {
      problems.push({
        level: 'error',
        subject: name,
        message: `target table "${name}" does not exist, and a data-only copy creates none`,
        fix: 'Create it first, or copy without data-only so that Ferry creates it.',
      });
    }
  }
  if (ifExists !== 'fail') return problems;
  for (const table of existing) {
    if (options.schemaOnly) {
      problems.push({
        level: 'error',
        subject: table.name,
        message: `target table "${table.name}" exists already: the schema-only copy would refuse (ifExists: fail)`,
        fix: 'Set ifExists: drop (--if-exists drop) to recreate it, or drop it yourself.',
      });
    } else if (table.hasRows) {
      problems.push({
        level: 'error',
        subject: table.name,
        message: `target table "${table.name}" already holds rows: the copy would refuse (ifExists: fail)`,
        fix: 'Set ifExists: drop (recreate), truncate (empty it first) or append (add rows); --if-exists on the command line.',
      });
    }
  }
  return problems;
}

/** A connector's access problem as a preflight line naming the side. */
export function fromAccess(side: 'source' | 'target', problem: AccessProblem): PreflightProblem {
  return {
    level: problem.level,
    subject: problem.subject,
    message: `${side}: ${problem.message}`,
    fix: problem.fix,
  };
}
