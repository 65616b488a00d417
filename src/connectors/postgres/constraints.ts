/**
 * The 'indexes' and 'constraints' phases of createSchema, after the data: secondary and unique
 * indexes, then foreign keys, and identity/sequence positions past both the source's next value and the highest value.
 */
import type pg from 'pg';
import { DatabaseError, messageOf } from '../../errors.js';
import type { ForeignKey, Index, Table } from '../../schema/table.js';
import { concurrently } from '../concurrently.js';
import type { SchemaNote, SchemaRequest } from '../connector.js';
import { postgresPrimaryKeyStatement } from './ddl.js';
import { qualify, quoteIdent } from './identifiers.js';
import { INDEX_BUILD_MEMORY, PRIMARY_KEY_EXISTS, RESET_INDEX_BUILD_MEMORY, SET_SEQUENCE } from './sql.js';

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[^\s".]+)`;
const INDEX_DEFINITION = new RegExp(
  String.raw`^CREATE (UNIQUE )?INDEX ${IDENT} ON (ONLY )?(?:${IDENT}\.)?${IDENT} (USING .*)$`,
  's',
);
const CONSTRAINT_DEFINITION = new RegExp(`^CONSTRAINT ${IDENT} (.*)$`, 's');

/**
 * A PostgreSQL index or unique-constraint definition with its name and table replaced (the
 * engine may have renamed both), or undefined when it has neither known shape.
 */
export function retargetIndexDefinition(
  sql: string,
  schema: string,
  table: string,
  name: string,
): string | undefined {
  const index = INDEX_DEFINITION.exec(sql);
  if (index) {
    return `CREATE ${index[1] ?? ''}INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${index[2] ?? ''}${qualify(schema, table)} ${index[3]}`;
  }
  const constraint = CONSTRAINT_DEFINITION.exec(sql);
  if (constraint)
    return `ALTER TABLE ${qualify(schema, table)} ADD CONSTRAINT ${quoteIdent(name)} ${constraint[1]}`;
  return undefined;
}

/**
 * CREATE INDEX from the neutral columns, directions kept. A MySQL prefix index becomes an index on
 * the same prefix (`left(col, n)`), so a unique prefix stays exactly as strict as in the source.
 */
function indexFromColumns(schema: string, table: Table, index: Index): string {
  const columns = index.columns.map((column) => {
    const name = quoteIdent(column.name);
    const binary = table.columns.find((c) => c.name === column.name)?.type.kind === 'binary';
    const key =
      column.prefixLength === undefined
        ? name
        : binary
          ? `(substring(${name} from 1 for ${column.prefixLength}))`
          : `(left(${name}, ${column.prefixLength}))`;
    return `${key}${column.descending ? ' DESC' : ''}`;
  });
  const unique = index.unique ? 'UNIQUE ' : '';
  return `CREATE ${unique}INDEX IF NOT EXISTS ${quoteIdent(index.name)} ON ${qualify(schema, table.name)} (${columns.join(', ')})`;
}

function indexStatement(
  schema: string,
  table: Table,
  index: Index,
  sameDialect: boolean,
  notes: SchemaNote[],
) {
  if (sameDialect && index.definition?.dialect === 'postgres') {
    const sql = retargetIndexDefinition(index.definition.sql, schema, table.name, index.name);
    if (sql !== undefined) return sql;
  }
  if (index.columns.length === 0) {
    notes.push({
      table: table.name,
      object: index.name,
      message: `Index "${index.name}" was not carried: it is defined by an expression (${index.definition?.sql ?? 'unknown'}) that PostgreSQL cannot take as is. Create it by hand.`,
    });
    return undefined;
  }
  return indexFromColumns(schema, table, index);
}

function foreignKeyStatement(schema: string, table: Table, key: ForeignKey): string {
  const columns = key.columns.map(quoteIdent).join(', ');
  const referenced = key.referencedColumns.map(quoteIdent).join(', ');
  return (
    `ALTER TABLE ${qualify(schema, table.name)} ADD CONSTRAINT ${quoteIdent(key.name)} FOREIGN KEY (${columns}) ` +
    `REFERENCES ${qualify(schema, key.referencedTable)} (${referenced}) ON DELETE ${key.onDelete} ON UPDATE ${key.onUpdate}`
  );
}

const CONSTRAINT_EXISTS = `
SELECT 1 FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND con.conname = $3`;

async function run(client: pg.PoolClient, sql: string, what: string): Promise<void> {
  try {
    await client.query(sql);
  } catch (error) {
    throw new DatabaseError(
      'PG_CREATE_CONSTRAINT',
      `Creating ${what} on PostgreSQL failed: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Runs the 'constraints' phase; statements that already ran (a resumed copy, the 'indexes' phase)
 * are skipped: keys and indexes (as createPostgresIndexes), then foreign keys and sequences.
 */
export async function createPostgresConstraints(
  acquire: () => Promise<pg.PoolClient>,
  schema: string,
  request: SchemaRequest,
): Promise<SchemaNote[]> {
  const notes = await createPostgresIndexes(acquire, schema, request);
  const client = await acquire();
  try {
    await foreignKeysAndSequences(client, schema, request, notes);
  } finally {
    client.release();
  }
  return notes;
}

/**
 * Primary keys built after the data, unique and secondary indexes: `request.parallel` tables at
 * once, each table on a connection of its own; what exists already is skipped. A copy runs it for
 * a table as soon as its rows are in, while other tables still load.
 */
export async function createPostgresIndexes(
  acquire: () => Promise<pg.PoolClient>,
  schema: string,
  request: SchemaRequest,
): Promise<SchemaNote[]> {
  const sameDialect = request.sourceDialect === 'postgres';
  const notes: SchemaNote[] = [];
  const statements = request.tables.map((table) => {
    const primaryKey = postgresPrimaryKeyStatement(schema, table, sameDialect);
    return {
      table,
      primaryKey,
      indexes: table.indexes.flatMap((index) => {
        const sql = indexStatement(schema, table, index, sameDialect, notes);
        return sql === undefined ? [] : [{ index, sql }];
      }),
    };
  });
  await concurrently(
    statements.filter((entry) => entry.primaryKey !== undefined || entry.indexes.length > 0),
    request.parallel ?? 1,
    async ({ table, primaryKey, indexes }) => {
      const client = await acquire();
      let broken = false;
      try {
        await client.query(INDEX_BUILD_MEMORY);
        if (primaryKey !== undefined && !(await hasPrimaryKey(client, schema, table.name))) {
          await run(client, primaryKey, `the primary key of table "${table.name}"`);
        }
        for (const { index, sql } of indexes) {
          if (
            sql.startsWith('ALTER TABLE') &&
            (await constraintExists(client, schema, table.name, index.name))
          ) {
            continue;
          }
          await run(client, sql, `index "${index.name}" of table "${table.name}"`);
        }
        await client.query(RESET_INDEX_BUILD_MEMORY);
      } catch (error) {
        broken = true;
        throw error;
      } finally {
        client.release(broken);
      }
    },
  );
  return notes;
}

async function hasPrimaryKey(client: pg.PoolClient, schema: string, table: string): Promise<boolean> {
  return Boolean((await client.query(PRIMARY_KEY_EXISTS, [schema, table])).rowCount);
}

async function constraintExists(client: pg.PoolClient, schema: string, table: string, name: string) {
  return Boolean((await client.query(CONSTRAINT_EXISTS, [schema, table, name])).rowCount);
}

/** Foreign keys (after every index: they need the referenced keys), then sequence positions. */
async function foreignKeysAndSequences(
  client: pg.PoolClient,
  schema: string,
  request: SchemaRequest,
  notes: SchemaNote[],
): Promise<void> {
  const exists = (table: string, name: string) => constraintExists(client, schema, table, name);
  for (const table of request.tables) {
    for (const key of table.foreignKeys) {
      if (await exists(table.name, key.name)) continue;
      await run(
        client,
        foreignKeyStatement(schema, table, key),
        `foreign key "${key.name}" of table "${table.name}"`,
      );
    }
  }
  await setPostgresSequences(client, schema, request, notes);
}

/** Identity/sequence positions past both the source's next value and the highest value present. */
export async function setPostgresSequences(
  client: pg.PoolClient,
  schema: string,
  request: SchemaRequest,
  notes: SchemaNote[],
): Promise<void> {
  for (const table of request.tables) {
    for (const column of table.columns) {
      if (!column.autoIncrement || column.generated) continue;
      const sql = SET_SEQUENCE.replace('%s', quoteIdent(column.name)).replace(
        '%s',
        qualify(schema, table.name),
      );
      try {
        await client.query(sql, [
          qualify(schema, table.name),
          column.name,
          column.autoIncrement.nextValue ?? null,
        ]);
      } catch (error) {
        notes.push({
          table: table.name,
          object: column.name,
          message: `The auto-increment position was not set (${messageOf(error)}): set the sequence by hand before inserting rows.`,
        });
      }
    }
  }
}
