/** Inserts a row without its id through the engine's own driver and returns the id it got. */
import Database from 'better-sqlite3';
import { mysqlQuery, pgQuery } from './servers.js';

/** The new id, or throws what the server said. `database` is the test database name or SQLite path. */
export async function insertWithoutId(
  engine: 'sqlite' | 'postgres' | 'mysql',
  database: string,
  table: string,
  idColumn: string,
  values: Record<string, string>,
): Promise<bigint> {
  const names = Object.keys(values);
  const params = Object.values(values);
  if (engine === 'postgres') {
    const cols = names.map((n) => `"${n}"`).join(', ');
    const marks = names.map((_, i) => `$${i + 1}`).join(', ');
    const rows = await pgQuery<{ id: string }>(
      database,
      `INSERT INTO "${table}" (${cols}) VALUES (${marks}) RETURNING "${idColumn}"::text AS id`,
      params,
    );
    return BigInt(rows[0]!.id);
  }
  if (engine === 'mysql') {
    const cols = names.map((n) => `\`${n}\``).join(', ');
    const result = (await mysqlQuery(
      database,
      `INSERT INTO \`${table}\` (${cols}) VALUES (${names.map(() => '?').join(', ')})`,
      params,
    )) as {
      insertId: number;
    };
    return BigInt(result.insertId);
  }
  const db = new Database(database);
  try {
    const cols = names.map((n) => `"${n}"`).join(', ');
    const info = db
      .prepare(`INSERT INTO "${table}" (${cols}) VALUES (${names.map(() => '?').join(', ')})`)
      .run(...params);
    return BigInt(info.lastInsertRowid);
  } finally {
    db.close();
  }
}
