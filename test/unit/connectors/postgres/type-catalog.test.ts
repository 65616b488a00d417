/**
 * The type catalog against the real server: introspecting the type-torture fixture gives, for
 * every column, exactly the logical type the catalog lists for its native type, and the catalog
 * lists nothing the fixture lacks (so docs generated from it cannot lie).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresConnector } from '../../../../src/connectors/postgres/index.js';
import { POSTGRES_TYPE_SYSTEM } from '../../../../src/connectors/postgres/types.js';
import { parseConnectionUrl } from '../../../../src/connectors/url.js';
import type { Table } from '../../../../src/schema/table.js';
import { freshPostgres, pgQuery, type TestDatabase } from '../../../helpers/servers.js';

let database: TestDatabase;
let tables: Table[];

beforeAll(async () => {
  database = await freshPostgres('pgcat');
  await pgQuery(
    database.name,
    readFileSync(new URL('../../../fixtures/postgres/torture.sql', import.meta.url), 'utf8'),
  );
  const connector = createPostgresConnector(parseConnectionUrl(database.url));
  await connector.connect();
  try {
    tables = (await connector.introspect()).tables;
  } finally {
    await connector.close();
  }
});

afterAll(async () => {
  await database?.drop();
});

describe('PostgreSQL type catalog', () => {
  it('gives every fixture column exactly the logical type the catalog lists for its native type', () => {
    const catalog = POSTGRES_TYPE_SYSTEM.catalog;
    const columns = tables.flatMap((table) => table.columns.map((column) => ({ table: table.name, column })));
    expect(columns.length).toBeGreaterThan(40);
    for (const { table, column } of columns) {
      const entry = catalog.find((candidate) => candidate.native === column.nativeType);
      expect(entry, `${table}.${column.name}: ${column.nativeType} is not in the catalog`).toBeDefined();
      expect(column.type, `${table}.${column.name}`).toEqual(entry!.logical);
    }
    const used = new Set(columns.map(({ column }) => column.nativeType));
    expect(catalog.filter((entry) => !used.has(entry.native)).map((entry) => entry.native)).toEqual([]);
    expect(new Set(catalog.map((entry) => entry.native)).size).toBe(catalog.length);
  });

  it('has one table per family, each keyed by an integer id', () => {
    expect(tables.map((table) => table.name)).toEqual([
      't_binary',
      't_bits',
      't_booleans',
      't_char',
      't_dates',
      't_decimals',
      't_enum',
      't_floats',
      't_infinity',
      't_integers',
      't_json',
      't_numeric_special',
      't_pg_types',
      't_special_floats',
      't_text',
      't_timestamptz_wide',
      't_uuid',
      't_varbit',
    ]);
    for (const table of tables) expect(table.primaryKey).toEqual(['id']);
  });
});
