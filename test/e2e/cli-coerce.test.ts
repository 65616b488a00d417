/**
 * Lossless or fail, as a user meets it: a MariaDB zero date bound for PostgreSQL stops its table
 * with a message that names table, column and key and the `--coerce` way out; `--dry-run` shows
 * the mapping and its loss without writing; a policy lets the value through and is counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from '../helpers/cli.js';
import { freshMysql, freshPostgres, mysqlQuery, pgQuery, type TestDatabase } from '../helpers/servers.js';

const cleanup: TestDatabase[] = [];
let source: TestDatabase;
beforeAll(async () => {
  source = await freshMysql('coerce_src');
  cleanup.push(source);
  await mysqlQuery(
    source.name,
    `SET SESSION sql_mode = '';
     CREATE TABLE shipment (id INT PRIMARY KEY, sent DATE NULL, note VARCHAR(20));
     INSERT INTO shipment VALUES (1, '2024-05-01', 'ok'), (2, '0000-00-00', 'zero'), (3, '2020-00-15', 'part');`,
  );
});
afterAll(async () => {
  await Promise.all(cleanup.map((db) => db.drop()));
});

async function target(): Promise<TestDatabase> {
  const db = await freshPostgres('coerce_dst');
  cleanup.push(db);
  return db;
}

describe('ferry copy with values the target cannot hold', () => {
  it('stops the table by default, naming table, column, key and the policies (exit 1)', async () => {
    const db = await target();
    const run = await ferry(['copy', source.url, db.url]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/table shipment, column sent, key id=2/);
    expect(run.stderr).toContain('--coerce zero-date=null|substitute');
    expect(run.stdout).toMatch(/^shipment\s+FAILED/m);
    expect(await pgQuery(db.name, 'SELECT count(*)::int AS n FROM shipment')).toEqual([{ n: 0 }]);
  });

  it('--dry-run prints each mapping and its loss, and writes nothing', async () => {
    const db = await target();
    const run = await ferry(['copy', source.url, db.url, '--dry-run']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^\s+id\s+int(\(11\))? → integer\s+lossless$/m);
    expect(run.stdout).toMatch(
      /^\s+sent\s+date → date\s+zero-date: .+ → error \(stops the table; --coerce zero-date=null\|substitute\)$/m,
    );
    expect(
      await pgQuery(db.name, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'"),
    ).toEqual([{ n: 0 }]);
    const coerced = await ferry(['copy', source.url, db.url, '--dry-run', '--coerce', 'zero-date=null']);
    expect(coerced.stdout).toMatch(/zero-date: .+ → --coerce null$/m);
  });

  it('--coerce zero-date=null lets them through as NULL and counts them', async () => {
    const db = await target();
    const run = await ferry(['copy', source.url, db.url, '--coerce', 'zero-date=null']);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('coerced: shipment.sent: 2 values (zero-date → null)');
    const rows = await pgQuery(db.name, 'SELECT id, sent::text FROM shipment ORDER BY id');
    expect(rows).toEqual([
      { id: 1, sent: '2024-05-01' },
      { id: 2, sent: null },
      { id: 3, sent: null },
    ]);
  });

  it('a per-column substitute raises zero parts to their first valid value', async () => {
    const db = await target();
    const run = await ferry(['copy', source.url, db.url, '--coerce', 'shipment.sent:zero-date=substitute']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('coerced: shipment.sent: 2 values (zero-date → substitute)');
    const rows = await pgQuery(db.name, 'SELECT sent::text FROM shipment ORDER BY id');
    expect(rows.map((r) => r.sent)).toEqual(['2024-05-01', '0001-01-01', '2020-01-15']);
  });

  it('rejects a malformed or unknown policy with exit 2', async () => {
    const db = await target();
    const unknown = await ferry(['copy', source.url, db.url, '--coerce', 'zero-dates=null']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown loss "zero-dates"');
    const action = await ferry(['copy', source.url, db.url, '--coerce', 'zero-date=widen']);
    expect(action.status).toBe(2);
    expect(action.stderr).toContain('Allowed: error, null, substitute');
  });
});
