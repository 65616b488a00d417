/**
 * Runs the two DDL phases on a target database: 'tables' before the data, 'constraints' after it
 * (indexes, foreign keys, AUTO_INCREMENT positions). Statements come from ddl.ts.
 */
import type { Column, Table } from '../../schema/table.js';
import { concurrently } from '../concurrently.js';
import type { ColumnsRequest, SchemaNote, SchemaRequest } from '../connector.js';
import {
  alterTable,
  autoIncrementIndex,
  createTableStatement,
  foreignKeyAdditions,
  indexAdditions,
  nextAutoIncrement,
  selectMax,
} from './ddl.js';
import { type ColumnSpec, columnSpec, columnSql, type MysqlDdlContext } from './ddl-columns.js';
import type { MysqlConnection, MysqlServerInfo, MysqlSession } from './session.js';
import { quoteIdentifier, SELECT_CONSTRAINT_NAMES } from './sql.js';

/** What DDL needs to know about the target server and the request's source. */
export function ddlContext(server: MysqlServerInfo, request: SchemaRequest): MysqlDdlContext {
  const [major, minor] = server.version;
  return {
    flavor: server.flavor,
    hasUuidType: server.flavor === 'mariadb' && (major > 10 || (major === 10 && minor >= 7)),
    sameDialect: request.sourceDialect === 'mysql',
    sourceDialect: request.sourceDialect,
    ...(request.coercions ? { coercions: request.coercions } : {}),
  };
}

/** CREATE TABLE for every table of the request. */
export async function createTables(session: MysqlSession, request: SchemaRequest): Promise<SchemaNote[]> {
  const context = ddlContext(session.server, request);
  const notes: SchemaNote[] = [];
  await session.use(async (connection) => {
    for (const table of request.tables) {
      const statement = createTableStatement(table, request, context, notes);
      await session.run(connection, `Creating table "${table.name}"`, statement);
    }
  });
  return notes;
}

/**
 * Columns added to a table during a sync: one ALTER TABLE, each column rendered as CREATE TABLE
 * renders it (MariaDB skips a column that exists already; MySQL has no IF NOT EXISTS for columns).
 */
export async function addColumns(
  session: MysqlSession,
  table: string,
  columns: Column[],
  request: ColumnsRequest,
): Promise<SchemaNote[]> {
  const shape: Table = { name: table, columns, primaryKey: [], indexes: [], foreignKeys: [] };
  const context = ddlContext(session.server, { ...request, tables: [shape] });
  const notes: SchemaNote[] = [];
  const specs = columns.flatMap((column): ColumnSpec[] => {
    const spec = columnSpec(column, shape, context, false, notes);
    return spec ? [spec] : [];
  });
  if (specs.length === 0) return notes;
  const guard = session.server.flavor === 'mariadb' ? 'IF NOT EXISTS ' : '';
  const clauses = specs.map((spec) => `ADD COLUMN ${guard}${columnSql(spec)}`);
  await session.use((connection) =>
    session.run(connection, `Adding columns to table "${table}"`, alterTable(table, clauses)),
  );
  return notes;
}

/**
 * Secondary and unique indexes of the request's tables that the target does not have yet: one
 * ALTER TABLE per table, `request.parallel` tables at once, each on its own connection. A copy
 * builds a table's indexes as soon as its rows are in, while other tables still load.
 */
export async function createIndexes(session: MysqlSession, request: SchemaRequest): Promise<SchemaNote[]> {
  const notes: SchemaNote[] = [];
  await buildIndexes(session, request, await pendingTables(session, request), notes);
  return notes;
}

/**
 * Indexes (as createIndexes), then foreign keys, then AUTO_INCREMENT positions. Foreign keys go
 * on with checks off, like a dump restore: no table rebuild, and the source enforced them.
 */
export async function createConstraints(
  session: MysqlSession,
  request: SchemaRequest,
): Promise<SchemaNote[]> {
  const context = ddlContext(session.server, request);
  const notes: SchemaNote[] = [];
  const pending = await pendingTables(session, request);
  await buildIndexes(session, request, pending, notes);
  await session.useWithoutForeignKeyChecks(async (connection) => {
    for (const table of pending) {
      const clauses = foreignKeyAdditions(table, context, notes);
      if (clauses.length === 0) continue;
      await session.run(
        connection,
        `Creating the foreign keys of table "${table.name}"`,
        alterTable(table.name, clauses),
      );
    }
    for (const table of request.tables) await positionAutoIncrement(session, connection, table);
  });
  return notes;
}

/** The request's tables without what the target has built already (a resumed run, an earlier phase). */
function pendingTables(session: MysqlSession, request: SchemaRequest): Promise<Table[]> {
  return session.use((connection) =>
    Promise.all(request.tables.map((table) => withoutBuilt(session, connection, table))),
  );
}

async function buildIndexes(
  session: MysqlSession,
  request: SchemaRequest,
  pending: Table[],
  notes: SchemaNote[],
): Promise<void> {
  const context = ddlContext(session.server, request);
  const indexed = pending.map((table) => ({ table, clauses: indexAdditions(table, context, notes) }));
  await concurrently(
    indexed.filter((entry) => entry.clauses.length > 0),
    request.parallel ?? 1,
    ({ table, clauses }) =>
      session.useWithoutForeignKeyChecks(async (connection) => {
        await session.run(
          connection,
          `Creating the indexes of table "${table.name}"`,
          alterTable(table.name, clauses),
        );
      }),
  );
}

/** AUTO_INCREMENT positions only (a sync's cutover: the source has moved on since the constraints phase). */
export async function positionAutoIncrements(
  session: MysqlSession,
  request: SchemaRequest,
): Promise<SchemaNote[]> {
  await session.use(async (connection) => {
    for (const table of request.tables) await positionAutoIncrement(session, connection, table);
  });
  return [];
}

/** The table without the indexes and foreign keys the target table has already (names fold case, as MySQL's do). */
async function withoutBuilt(
  session: MysqlSession,
  connection: MysqlConnection,
  table: Table,
): Promise<Table> {
  const rows = await session.run<{ name: string }>(
    connection,
    `Reading the indexes of table "${table.name}"`,
    SELECT_CONSTRAINT_NAMES,
    [table.name, table.name],
  );
  if (rows.length === 0) return table;
  const built = new Set(rows.map((row) => row.name.toLowerCase()));
  // The AUTO_INCREMENT column's index came with CREATE TABLE; kept, so indexAdditions still knows it.
  const early = autoIncrementIndex(table)?.index;
  return {
    ...table,
    indexes: table.indexes.filter((index) => index === early || !built.has(index.name.toLowerCase())),
    foreignKeys: table.foreignKeys.filter((key) => !built.has(key.name.toLowerCase())),
  };
}

/** Sets AUTO_INCREMENT past both the source's next value and the highest value loaded. */
async function positionAutoIncrement(
  session: MysqlSession,
  connection: MysqlConnection,
  table: Table,
): Promise<void> {
  const column = table.columns.find((candidate) => candidate.autoIncrement && !candidate.generated);
  if (!column) return;
  const [row] = await session.run<{ max: string | number | null }>(
    connection,
    `Reading the highest "${column.name}" of table "${table.name}"`,
    selectMax(table.name, column.name),
  );
  const next = nextAutoIncrement(column.autoIncrement?.nextValue, row?.max ?? null);
  if (next === undefined) return;
  await session.run(
    connection,
    `Setting the AUTO_INCREMENT position of table "${table.name}"`,
    `ALTER TABLE ${quoteIdentifier(table.name)} AUTO_INCREMENT = ${next}`,
  );
}
