/**
 * Views, triggers, routines, events and sequences: read with SHOW CREATE, cleaned of the DEFINER
 * clause and of the source database's name so they replay in another database, and recreated in
 * an order that satisfies their dependencies.
 */
import { DatabaseError } from '../../errors.js';
import type { SchemaObject } from '../../schema/table.js';
import type { MysqlConnection, MysqlSession } from './session.js';
import { statementError } from './session.js';
import {
  type MysqlObjectRow,
  quoteIdentifier,
  SELECT_DATABASE,
  SELECT_EVENTS,
  SELECT_ROUTINES,
  SELECT_SEQUENCES,
  SELECT_TRIGGERS,
  SELECT_VIEWS,
  SHOW_CREATE,
} from './sql.js';

const QUOTED_NAME = '(?:`(?:[^`]|``)*`|\'(?:[^\'\\\\]|\\\\.|\'\')*\'|"(?:[^"]|"")*"|[\\w$.-]+)';
const HOST = '(?:`(?:[^`]|``)*`|\'(?:[^\'\\\\]|\\\\.|\'\')*\'|"(?:[^"]|"")*"|[\\w$.%:-]+)';
const DEFINER = new RegExp(
  `\\s+DEFINER\\s*=\\s*(?:CURRENT_USER(?:\\s*\\(\\s*\\))?|${QUOTED_NAME}(?:\\s*@\\s*${HOST})?)`,
  'i',
);

/** Removes the `DEFINER=user@host` clause (the target's creating user becomes the definer). */
export function stripDefiner(definition: string): string {
  return definition.replace(DEFINER, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Removes `db.` qualifiers naming the source database (backticked or bare). */
export function stripDatabase(definition: string, database: string): string {
  const quoted = new RegExp(`${escapeRegExp(quoteIdentifier(database))}\\.(?=[\`\\w$])`, 'g');
  const bare = /^[\w$]+$/.test(database)
    ? new RegExp(`(?<![\\w$\`.])${escapeRegExp(database)}\\.(?=[\`\\w$])`, 'g')
    : undefined;
  const once = definition.replace(quoted, '');
  return bare ? once.replace(bare, '') : once;
}

/** The replayable definition of an object read with SHOW CREATE. */
export function cleanDefinition(definition: string, database: string): string {
  return stripDatabase(stripDefiner(definition), database);
}

const KINDS: Record<string, SchemaObject['kind']> = {
  VIEW: 'view',
  TRIGGER: 'trigger',
  FUNCTION: 'routine',
  PROCEDURE: 'routine',
  EVENT: 'event',
  SEQUENCE: 'sequence',
};

/** Lists and reads every object of the current database; triggers only of `tables` when given. */
export async function introspectObjects(
  session: MysqlSession,
  connection: MysqlConnection,
  tables: Set<string> | undefined,
): Promise<SchemaObject[]> {
  const database = (
    await session.run<{ name: string }>(connection, 'Reading the database name', SELECT_DATABASE)
  )[0]?.name;
  const lists = [SELECT_SEQUENCES, SELECT_ROUTINES, SELECT_VIEWS, SELECT_TRIGGERS, SELECT_EVENTS];
  if (session.server.flavor === 'mysql') lists.shift();
  const objects: SchemaObject[] = [];
  for (const list of lists) {
    for (const row of await session.run<MysqlObjectRow>(
      connection,
      'Listing views, triggers and routines',
      list,
    )) {
      if (row.kind === 'TRIGGER' && tables && !tables.has(row.table_name ?? '')) continue;
      const show = SHOW_CREATE[row.kind]!;
      const [result] = await session.run<Record<string, string | null>>(
        connection,
        `Reading the definition of ${row.kind.toLowerCase()} "${row.name}"`,
        `${show.statement} ${quoteIdentifier(row.name)}`,
      );
      const definition = result?.[show.column];
      if (!definition) {
        throw new DatabaseError(
          'OBJECT_DEFINITION_HIDDEN',
          `The server did not show the definition of ${row.kind.toLowerCase()} "${row.name}" on ${session.display}. Grant the user SHOW VIEW / SELECT on mysql.proc (or run as the definer).`,
        );
      }
      objects.push({
        kind: KINDS[row.kind]!,
        name: row.name,
        ...(row.table_name ? { table: row.table_name } : {}),
        definition: cleanDefinition(definition, database ?? ''),
      });
    }
  }
  return objects;
}

const ORDER: Record<SchemaObject['kind'], number> = {
  sequence: 0,
  routine: 1,
  view: 2,
  trigger: 3,
  event: 4,
};

/**
 * Recreates objects of a MariaDB/MySQL source: sequences, routines, views (retried until the views
 * they select from exist), triggers, events.
 */
export async function createObjects(session: MysqlSession, objects: SchemaObject[]): Promise<void> {
  const sorted = [...objects].sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
  await session.use(async (connection) => {
    const views = sorted.filter((object) => object.kind === 'view');
    for (const object of sorted.filter((candidate) => ORDER[candidate.kind] < ORDER.view)) {
      await create(session, connection, object);
    }
    await createViews(session, connection, views);
    for (const object of sorted.filter((candidate) => ORDER[candidate.kind] > ORDER.view)) {
      await create(session, connection, object);
    }
  });
}

async function create(
  session: MysqlSession,
  connection: MysqlConnection,
  object: SchemaObject,
): Promise<void> {
  await session.run(connection, `Creating ${object.kind} "${object.name}"`, object.definition);
}

async function createViews(
  session: MysqlSession,
  connection: MysqlConnection,
  views: SchemaObject[],
): Promise<void> {
  let pending = views;
  while (pending.length > 0) {
    const failed: Array<{ view: SchemaObject; error: unknown }> = [];
    for (const view of pending) {
      try {
        await connection.query(view.definition);
      } catch (error) {
        failed.push({ view, error });
      }
    }
    if (failed.length === pending.length) {
      const first = failed[0]!;
      throw statementError(
        `Creating view${failed.length > 1 ? 's' : ''} ${failed.map((entry) => `"${entry.view.name}"`).join(', ')}`,
        first.error,
        session.display,
      );
    }
    pending = failed.map((entry) => entry.view);
  }
}
