/**
 * The type-torture fixtures through every ordered engine pair (issue: lossless or fail).
 * - Every table either arrives value for value, or fails with a `LOSSY_*` error — and which
 *   tables fail with which loss, per pair, is pinned below, so neither a silent change nor a
 *   false alarm can pass.
 * - The failing tables copied again under `null` policies arrive with exactly the counted cells
 *   set to NULL and every other cell equal.
 * - Every table that crossed without loss comes back exactly when copied back (A → B → A).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { copyDatabase } from '../../src/engine/copy.js';
import { copiedColumns } from '../../src/schema/table.js';
import type { CoercionRule } from '../../src/values/coercions.js';
import type { LossKind } from '../../src/values/loss-kinds.js';
import { verifyDatabases } from '../../src/verify/verify.js';
import { comparable, expectSameData, readDatabase, type TableData } from '../helpers/compare.js';
import { fixtureDatabase } from '../helpers/datasets.js';
import { ENGINES, freshDatabase, type TestDatabase } from '../helpers/servers.js';
import { EXPECTED_LOSSES } from './torture-losses.js';

type Engine = (typeof ENGINES)[number];
const cleanup: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

async function fresh(engine: Engine, prefix: string): Promise<TestDatabase> {
  const db = await freshDatabase(engine, prefix);
  cleanup.push(db);
  return db;
}

function lossOf(code: string | undefined): LossKind | undefined {
  const match = /^LOSSY_(.+)$/.exec(code ?? '');
  return match ? (match[1]!.toLowerCase().replace(/_/g, '-') as LossKind) : undefined;
}

function only(data: Map<string, TableData>, names: string[]): Map<string, TableData> {
  return new Map([...data].filter(([name]) => names.includes(name)));
}

describe.each(ENGINES)('torture fixture from %s', (sourceEngine: Engine) => {
  it.each(ENGINES)(
    'to %s: lossless or a named loss, policies counted, round trip exact',
    async (targetEngine: Engine) => {
      const source = await fixtureDatabase(sourceEngine, 'torture');
      cleanup.push(source);
      // Read as stored: a SQLite source's storage-class mixes are part of what must (not) arrive.
      const before = await readDatabase(source.url, undefined, { targetDialect: sourceEngine });

      // 1. Default policy: every table arrives exactly, or stops with a LOSSY_* error.
      const target = await fresh(targetEngine, 'torture_to');
      const result = await copyDatabase({ source: source.url, target: target.url });
      expect(result.errors.map((e) => e.message)).toEqual([]);
      const failed = new Map<string, LossKind | string>();
      for (const table of result.tables) {
        if (table.status === 'failed')
          failed.set(
            table.table,
            lossOf(table.error?.code) ?? `${table.error?.code}: ${table.error?.message}`,
          );
      }
      const expected = EXPECTED_LOSSES[sourceEngine][targetEngine];
      expect(Object.fromEntries(failed)).toEqual(expected);
      const copied = result.tables.filter((t) => t.status === 'copied').map((t) => t.table);
      const after = await readDatabase(target.url, copied, { targetDialect: targetEngine });
      expectSameData(only(before, copied), after);
      // Verify sees no difference in what arrived exactly (no false alarm from any renderer).
      const verified = await verifyDatabases({ source: source.url, target: target.url, tables: copied });
      expect(
        verified.tables
          .filter((t) => t.status !== 'equal')
          .map((t) => [t.table, t.status, t.error?.message, t.unresolved, t.differences.slice(0, 3)]),
      ).toEqual([]);

      // 2. The failed tables again, under `null` for their losses (adding each loss that surfaces next).
      if (failed.size > 0) {
        const tables = [...failed.keys()];
        const rules: CoercionRule[] = [...new Set(failed.values())].map((loss) => ({
          loss: loss as LossKind,
          action: 'null',
        }));
        let nullTarget = await fresh(targetEngine, 'torture_null');
        let coerced = await copyDatabase({
          source: source.url,
          target: nullTarget.url,
          tables,
          coerce: rules,
        });
        for (let attempt = 0; !coerced.ok && attempt < 4; attempt++) {
          const next = coerced.tables
            .map((t) => lossOf(t.error?.code))
            .filter((l): l is LossKind => l !== undefined);
          expect(next.length, coerced.tables.map((t) => t.error?.message).join('\n')).toBeGreaterThan(0);
          rules.push(...next.map((loss) => ({ loss, action: 'null' as const })));
          nullTarget = await fresh(targetEngine, 'torture_null');
          coerced = await copyDatabase({ source: source.url, target: nullTarget.url, tables, coerce: rules });
        }
        expect(coerced.tables.map((t) => t.error?.message ?? t.status)).toEqual(tables.map(() => 'copied'));
        const nulled = await readDatabase(nullTarget.url, tables, { targetDialect: targetEngine });
        for (const name of tables) {
          const { table, rows } = before.get(name)!;
          const copy = nulled.get(name)!;
          for (const [c, column] of copiedColumns(table).entries()) {
            const changed = rows.filter((row, r) => {
              const a = comparable(row[c]!, column.type);
              const b = comparable(copy.rows[r]![c]!, copiedColumns(copy.table)[c]!.type);
              if (a === b || JSON.stringify(a) === JSON.stringify(b)) return false;
              expect(
                b,
                `${name}.${column.name} row ${r + 1} changed to something other than NULL`,
              ).toBeNull();
              return true;
            }).length;
            const counted = coerced.coercions
              .filter((count) => count.table === name && count.column === column.name)
              .reduce((sum, count) => sum + count.values, 0);
            expect(counted, `${name}.${column.name}: values set to NULL vs values counted`).toBe(changed);
          }
        }
      }

      // 3. Round trip: what crossed without loss comes back exactly.
      if (sourceEngine !== targetEngine && copied.length > 0) {
        const back = await fresh(sourceEngine, 'torture_back');
        const returned = await copyDatabase({ source: target.url, target: back.url });
        expect(
          returned.tables.filter((t) => t.status !== 'copied').map((t) => `${t.table}: ${t.error?.message}`),
        ).toEqual([]);
        const again = await readDatabase(back.url, copied, { targetDialect: sourceEngine });
        expectSameData(only(before, copied), again);
      }
    },
  );
});
