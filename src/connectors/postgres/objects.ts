/**
 * Views, triggers and routines: read as the statements that recreate them (qualified with the
 * source schema, as PostgreSQL prints them) and recreated in the target schema.
 */
import type pg from 'pg';
import { DatabaseError, messageOf } from '../../errors.js';
import type { SchemaObject } from '../../schema/table.js';
import type { TableFilter } from '../connector.js';
import { qualify, quoteIdent, quoteLiteral } from './identifiers.js';
import {
  ROUTINES,
  type RoutineRow,
  SEQUENCE_STATE,
  SEQUENCES,
  type SequenceRow,
  type StandaloneSequenceRow,
  TRIGGERS,
  type TriggerRow,
  VIEWS,
  type ViewRow,
} from './sql.js';

function viewObject(schema: string, row: ViewRow): SchemaObject {
  const body = row.definition.trim().replace(/;$/, '');
  const name = qualify(schema, row.name);
  const definition =
    row.kind === 'm'
      ? `CREATE MATERIALIZED VIEW ${name} AS\n${body}\nWITH DATA`
      : `CREATE VIEW ${name}${row.options ? ` WITH (${row.options})` : ''} AS\n${body}`;
  return { kind: 'view', name: row.name, definition };
}

/**
 * A sequence no column owns, with its position. ALTER after CREATE IF NOT EXISTS: the 'tables'
 * phase may already have created it for a column default that calls nextval.
 */
async function sequenceObject(
  client: pg.PoolClient,
  schema: string,
  row: StandaloneSequenceRow,
): Promise<SchemaObject> {
  const name = qualify(schema, row.name);
  const state = (await client.query<SequenceRow>(SEQUENCE_STATE.replace('%s', name), [name])).rows[0];
  const definition = [
    `CREATE SEQUENCE IF NOT EXISTS ${name}`,
    `ALTER SEQUENCE ${name} AS ${row.data_type} INCREMENT BY ${row.increment} MINVALUE ${row.min} MAXVALUE ${row.max} ` +
      `START WITH ${row.start} CACHE ${row.cache} ${row.cycle ? 'CYCLE' : 'NO CYCLE'}`,
    `SELECT setval(${quoteLiteral(name)}, ${state?.last_value ?? row.start}, ${state?.is_called ?? false})`,
  ].join(';\n');
  return { kind: 'sequence', name: row.name, definition };
}

/**
 * Sequences no column owns, views, routines (functions and procedures, not extension members) and
 * triggers of the schema.
 * A trigger's definition carries its function first, so that it stands on its own.
 */
export async function postgresObjects(
  client: pg.PoolClient,
  schema: string,
  filter?: TableFilter,
): Promise<SchemaObject[]> {
  const sequences: SchemaObject[] = [];
  for (const row of (await client.query<StandaloneSequenceRow>(SEQUENCES, [schema])).rows) {
    sequences.push(await sequenceObject(client, schema, row));
  }
  const views = (await client.query<ViewRow>(VIEWS, [schema])).rows;
  const routines = (await client.query<RoutineRow>(ROUTINES, [schema])).rows;
  const triggers = (await client.query<TriggerRow>(TRIGGERS, [schema, filter?.tables ?? null])).rows;
  return [
    ...sequences,
    ...views.map((row) => viewObject(schema, row)),
    ...routines.map(
      (row): SchemaObject => ({
        kind: 'routine',
        name: Number(row.overloads) > 1 ? `${row.name}(${row.args})` : row.name,
        definition: row.definition.trim(),
      }),
    ),
    ...triggers.map(
      (row): SchemaObject => ({
        kind: 'trigger',
        name: row.name,
        table: row.table,
        definition: `${row.function_def.trim()};\n${row.definition}`,
      }),
    ),
  ];
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const HEADERS: Record<SchemaObject['kind'], RegExp> = {
  view: new RegExp(String.raw`^CREATE (?:MATERIALIZED )?VIEW (${IDENT})\.`),
  routine: new RegExp(String.raw`^CREATE OR REPLACE (?:FUNCTION|PROCEDURE) (${IDENT})\.`),
  trigger: new RegExp(String.raw`CREATE (?:CONSTRAINT )?TRIGGER ${IDENT} .*? ON (${IDENT})\.`, 's'),
  event: /^$/,
  sequence: new RegExp(String.raw`^CREATE SEQUENCE IF NOT EXISTS (${IDENT})\.`),
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The source schema an object's definition is qualified with, as PostgreSQL printed it. */
export function sourceSchemaOf(object: SchemaObject): string | undefined {
  const qualifier = HEADERS[object.kind].exec(object.definition)?.[1];
  if (qualifier === undefined) return undefined;
  return qualifier.startsWith('"') ? qualifier.slice(1, -1).replaceAll('""', '"') : qualifier.toLowerCase();
}

/** Points every `source.` qualifier in a definition at `target`, quoted or not as it was written. */
export function retargetSchema(sql: string, source: string, target: string): string {
  if (source === target) return sql;
  const replacement = `${quoteIdent(target)}.`;
  const quoted = new RegExp(`(?<![\\w$."])${escapeRegExp(quoteIdent(source))}\\.`, 'g');
  let out = sql.replace(quoted, replacement);
  // An unquoted name folds to lower case, so only a lower-case schema can be written without quotes.
  if (/^[a-z_][a-z0-9_$]*$/.test(source)) {
    const bare = new RegExp(`(?<![\\w$."])${escapeRegExp(source)}\\.`, 'gi');
    out = out.replace(bare, replacement);
  }
  return out;
}

/**
 * Recreates sequences, views and routines (retrying failures until a pass makes no progress, since
 * a view can depend on another view or on a function), then triggers, all in the target schema.
 */
export async function createPostgresObjects(
  client: pg.PoolClient,
  schema: string,
  objects: SchemaObject[],
): Promise<void> {
  const statementOf = (object: SchemaObject) => {
    const source = sourceSchemaOf(object);
    return source === undefined ? object.definition : retargetSchema(object.definition, source, schema);
  };
  // As pg_dump does: a function body may name objects created later in this loop.
  await client.query('SET check_function_bodies = off');
  try {
    let pending = objects.filter((object) => object.kind !== 'trigger');
    const failures = new Map<SchemaObject, unknown>();
    while (pending.length > 0) {
      failures.clear();
      for (const object of pending) {
        try {
          await client.query(statementOf(object));
        } catch (error) {
          failures.set(object, error);
        }
      }
      if (failures.size === pending.length) break;
      pending = [...failures.keys()];
    }
    if (failures.size > 0) {
      const list = [...failures].map(
        ([object, error]) => `${object.kind} "${object.name}": ${messageOf(error)}`,
      );
      throw new DatabaseError('PG_CREATE_OBJECTS', `Could not create on PostgreSQL: ${list.join('; ')}.`, {
        cause: [...failures.values()][0],
      });
    }
    for (const object of objects.filter((candidate) => candidate.kind === 'trigger')) {
      try {
        await client.query(statementOf(object));
      } catch (error) {
        throw new DatabaseError(
          'PG_CREATE_OBJECTS',
          `Could not create trigger "${object.name}" on table "${object.table ?? '?'}": ${messageOf(error)}.`,
          { cause: error },
        );
      }
    }
  } finally {
    await client.query('RESET check_function_bodies');
  }
}
