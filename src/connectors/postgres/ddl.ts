/**
 * The 'tables' phase of createSchema: enum types (same dialect), CREATE TABLE with columns,
 * identities, defaults, the primary key, enum CHECKs and comments. Same-dialect requests reuse
 * native types and expressions verbatim; others go through the type table.
 */
import type pg from 'pg';
import { DatabaseError, messageOf } from '../../errors.js';
import type { Column, Table } from '../../schema/table.js';
import type { SchemaNote, SchemaRequest } from '../connector.js';
import { translateDefaultExpression } from './defaults.js';
import { enumCheckName, qualify, quoteIdent, quoteLiteral, truncateIdentifier } from './identifiers.js';
import { TYPE_EXISTS } from './sql.js';
import { postgresMapFrom } from './types.js';

const NEXTVAL = /nextval\('((?:[^']|'')+)'::regclass\)/g;
const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint', 'int2', 'int4', 'int8', 'int']);

/** The statements one table needs, in order, and what could not be carried. */
export interface PostgresTablePlan {
  statements: string[];
  notes: SchemaNote[];
}

interface PlanState extends PostgresTablePlan {
  /** Statements that must follow CREATE TABLE (sequence ownership). */
  after: string[];
  /** Columns whose literal default the server refused (cross-dialect). */
  refusedDefaults: ReadonlySet<string>;
}

/** The sequence Ferry creates for an auto-increment column whose type cannot be an identity. */
export function ownedSequenceName(table: string, column: string): string {
  return truncateIdentifier(`${table}_${column}_seq`);
}

function defaultClause(table: Table, column: Column, sameDialect: boolean, plan: PlanState) {
  const value = column.default;
  if (value === undefined) return '';
  if (value.kind === 'literal') {
    return plan.refusedDefaults.has(column.name) ? '' : ` DEFAULT ${quoteLiteral(value.value)}`;
  }
  if (sameDialect) {
    // A sequence no column owns (shared, or made by hand) must exist before the table; its
    // options and position come with the schema's objects (createObjects).
    for (const match of value.sql.matchAll(NEXTVAL)) {
      plan.statements.push(`CREATE SEQUENCE IF NOT EXISTS ${match[1]!.replaceAll("''", "'")}`);
    }
  }
  const sql = sameDialect ? value.sql : translateDefaultExpression(value.sql, value.dialect, column.type);
  if (sql !== undefined) return ` DEFAULT ${sql}`;
  plan.notes.push({
    table: table.name,
    object: column.name,
    message: `The default ${value.sql} (${value.dialect}) was not carried: PostgreSQL has no equivalent Ferry knows. Add it by hand if you need it.`,
  });
  return '';
}

/** Where the tables come from: the source's dialect and the run's (widening) policies. */
export type PostgresDdlSource = Pick<SchemaRequest, 'sourceDialect' | 'coercions'>;

/** The column's type in the target: the native type between same dialects, else the mapping table's. */
function columnType(table: Table, column: Column, source: PostgresDdlSource): string {
  if (source.sourceDialect !== 'postgres') {
    const context = { sourceDialect: source.sourceDialect, table: table.name, column: column.name };
    return postgresMapFrom(column.type, { ...context, coercions: source.coercions }).native;
  }
  // Enum types are created in the target schema (see enumTypesOf), wherever the source kept them.
  return column.type.kind === 'enum' ? unqualifiedType(column.nativeType) : column.nativeType;
}

/** `"s"."Mood"` or `s.mood` → `"Mood"` / `mood`, as format_type printed the name. */
function unqualifiedType(nativeType: string): string {
  return nativeType.replace(/^(?:"(?:[^"]|"")+"|[^".]+)\./, '');
}

function columnClause(
  schema: string,
  table: Table,
  column: Column,
  source: PostgresDdlSource,
  plan: PlanState,
) {
  const sameDialect = source.sourceDialect === 'postgres';
  const type = columnType(table, column, source);
  let clause = `${quoteIdent(column.name)} ${type}`;
  if (sameDialect && column.collation) clause += ` COLLATE ${quoteIdent(column.collation)}`;
  if (column.generated) {
    if (sameDialect && column.generated.dialect === 'postgres') {
      clause += ` GENERATED ALWAYS AS (${column.generated.expression}) STORED`;
    } else {
      plan.notes.push({
        table: table.name,
        object: column.name,
        message: `The generated expression ${column.generated.expression} (${column.generated.dialect}) was not carried; the column is a plain column.`,
      });
    }
  } else if (column.autoIncrement) {
    if (INTEGER_TYPES.has(type.toLowerCase())) {
      // COPY loads explicit values even into GENERATED ALWAYS identities, so ALWAYS is safe from the start.
      const always = sameDialect && column.autoIncrement.always;
      clause += ` GENERATED ${always ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`;
    } else {
      // numeric(20,0) (64-bit unsigned) cannot be an identity: a sequence of its own feeds it.
      const sequence = qualify(schema, ownedSequenceName(table.name, column.name));
      plan.statements.push(`CREATE SEQUENCE ${sequence}`);
      plan.after.push(
        `ALTER SEQUENCE ${sequence} OWNED BY ${qualify(schema, table.name)}.${quoteIdent(column.name)}`,
      );
      clause += ` DEFAULT nextval(${quoteLiteral(sequence)}::regclass)`;
    }
  } else {
    clause += defaultClause(table, column, sameDialect, plan);
  }
  if (!column.nullable) clause += ' NOT NULL';
  return clause;
}

/** `ALTER TABLE … ADD [CONSTRAINT name] PRIMARY KEY (…)` for after the data; undefined without a key. */
export function postgresPrimaryKeyStatement(
  schema: string,
  table: Table,
  sameDialect: boolean,
): string | undefined {
  if (table.primaryKey.length === 0) return undefined;
  const constraint =
    sameDialect && table.primaryKeyName ? `CONSTRAINT ${quoteIdent(table.primaryKeyName)} ` : '';
  return `ALTER TABLE ${qualify(schema, table.name)} ADD ${constraint}PRIMARY KEY (${table.primaryKey.map(quoteIdent).join(', ')})`;
}

/**
 * The statements that create one table (sequences, CREATE TABLE, ownership, comments).
 * `refusedDefaults`: columns whose literal default the server cannot hold, left without one.
 */
export function postgresTablePlan(
  schema: string,
  table: Table,
  source: PostgresDdlSource,
  refusedDefaults: ReadonlySet<string> = new Set(),
): PostgresTablePlan {
  const sameDialect = source.sourceDialect === 'postgres';
  const plan: PlanState = { statements: [], notes: [], after: [], refusedDefaults };
  const name = qualify(schema, table.name);
  const parts = table.columns.map((column) => columnClause(schema, table, column, source, plan));
  for (const column of table.columns) {
    // A PostgreSQL enum type already holds its labels; elsewhere a CHECK does.
    if (column.type.kind !== 'enum' || sameDialect || column.type.values.length === 0) continue;
    const labels = column.type.values.map(quoteLiteral).join(', ');
    parts.push(
      `CONSTRAINT ${quoteIdent(enumCheckName(table.name, column.name))} CHECK (${quoteIdent(column.name)} IN (${labels}))`,
    );
  }
  // The primary key comes with the other indexes after the data (constraints.ts): one sorted
  // build instead of an index insert per row. No row is loaded twice without it: each chunk
  // commits once, with its record (DESIGN.md principle 3).
  plan.statements.push(`CREATE TABLE ${name} (\n  ${parts.join(',\n  ')}\n)`);
  plan.statements.push(...plan.after);
  if (table.comment !== undefined)
    plan.statements.push(`COMMENT ON TABLE ${name} IS ${quoteLiteral(table.comment)}`);
  for (const column of table.columns) {
    if (column.comment === undefined) continue;
    plan.statements.push(
      `COMMENT ON COLUMN ${name}.${quoteIdent(column.name)} IS ${quoteLiteral(column.comment)}`,
    );
  }
  return { statements: plan.statements, notes: plan.notes };
}

/**
 * `ALTER TABLE … ADD COLUMN IF NOT EXISTS` for columns added to `table` during a sync (with their
 * enum CHECKs and comments), the columns rendered as CREATE TABLE renders them.
 */
export function postgresAddColumnsPlan(
  schema: string,
  table: Table,
  columns: Column[],
  source: PostgresDdlSource,
  refusedDefaults: ReadonlySet<string> = new Set(),
): PostgresTablePlan {
  const sameDialect = source.sourceDialect === 'postgres';
  const plan: PlanState = { statements: [], notes: [], after: [], refusedDefaults };
  const name = qualify(schema, table.name);
  const parts = columns.map(
    (column) => `ADD COLUMN IF NOT EXISTS ${columnClause(schema, table, column, source, plan)}`,
  );
  for (const column of columns) {
    if (column.type.kind !== 'enum' || sameDialect || column.type.values.length === 0) continue;
    const labels = column.type.values.map(quoteLiteral).join(', ');
    parts.push(
      `ADD CONSTRAINT ${quoteIdent(enumCheckName(table.name, column.name))} CHECK (${quoteIdent(column.name)} IN (${labels}))`,
    );
  }
  plan.statements.push(`ALTER TABLE ${name} ${parts.join(', ')}`, ...plan.after);
  for (const column of columns) {
    if (column.comment === undefined) continue;
    plan.statements.push(
      `COMMENT ON COLUMN ${name}.${quoteIdent(column.name)} IS ${quoteLiteral(column.comment)}`,
    );
  }
  return { statements: plan.statements, notes: plan.notes };
}

/**
 * Cross-dialect literal defaults the server refuses as the column's type (MySQL's zero dates…),
 * each with a note; those columns are created without a default rather than failing the table.
 */
export async function refusedDefaultsOf(
  client: pg.PoolClient,
  table: Table,
  source: PostgresDdlSource,
  notes: SchemaNote[],
): Promise<Set<string>> {
  const refused = new Set<string>();
  for (const column of table.columns) {
    if (column.default?.kind !== 'literal' || column.generated || column.autoIncrement) continue;
    const type = columnType(table, column, source);
    try {
      await client.query(`SELECT CAST(${quoteLiteral(column.default.value)} AS ${type})`);
    } catch (error) {
      refused.add(column.name);
      notes.push({
        table: table.name,
        object: column.name,
        message: `The default '${column.default.value}' was not carried: PostgreSQL cannot hold it as ${type} (${messageOf(error)}).`,
      });
    }
  }
  return refused;
}

/** The enum types a same-dialect request needs: unqualified type name → labels. */
function enumTypesOf(tables: Table[]): Map<string, string[]> {
  const types = new Map<string, string[]>();
  for (const column of tables.flatMap((table) => table.columns)) {
    if (column.type.kind !== 'enum') continue;
    // format_type prints `schema.name` for a type outside the search_path; create it here instead.
    types.set(unqualifiedType(column.nativeType), column.type.values);
  }
  return types;
}

const unquote = (name: string) => (name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name);

/** Runs the 'tables' phase in one transaction; returns what could not be carried. */
export async function createPostgresTables(
  client: pg.PoolClient,
  schema: string,
  request: SchemaRequest,
): Promise<SchemaNote[]> {
  const sameDialect = request.sourceDialect === 'postgres';
  const notes: SchemaNote[] = [];
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  const plans: Array<{ table: Table; plan: PostgresTablePlan }> = [];
  for (const table of request.tables) {
    const refused = sameDialect ? new Set<string>() : await refusedDefaultsOf(client, table, request, notes);
    const plan = postgresTablePlan(schema, table, request, refused);
    notes.push(...plan.notes);
    plans.push({ table, plan });
  }
  await client.query('BEGIN');
  try {
    if (sameDialect) {
      for (const [name, labels] of enumTypesOf(request.tables)) {
        const exists = await client.query(TYPE_EXISTS, [schema, unquote(name)]);
        if (exists.rowCount) continue;
        await client.query(
          `CREATE TYPE ${quoteIdent(schema)}.${name} AS ENUM (${labels.map(quoteLiteral).join(', ')})`,
        );
      }
    }
    for (const { table, plan } of plans) {
      for (const statement of plan.statements) {
        try {
          await client.query(statement);
        } catch (error) {
          throw new DatabaseError(
            'PG_CREATE_TABLE',
            `Creating table "${table.name}" on PostgreSQL failed: ${messageOf(error)}`,
            { cause: error },
          );
        }
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return notes;
}

/** Runs `postgresAddColumnsPlan` in one transaction; returns what could not be carried. */
export async function addPostgresColumns(
  client: pg.PoolClient,
  schema: string,
  table: Table,
  columns: Column[],
  source: PostgresDdlSource,
): Promise<SchemaNote[]> {
  const notes: SchemaNote[] = [];
  const subject = { ...table, columns };
  const refused =
    source.sourceDialect === 'postgres'
      ? new Set<string>()
      : await refusedDefaultsOf(client, subject, source, notes);
  const plan = postgresAddColumnsPlan(schema, table, columns, source, refused);
  notes.push(...plan.notes);
  await client.query('BEGIN');
  try {
    for (const statement of plan.statements) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new DatabaseError(
      'PG_ADD_COLUMNS',
      `Adding column(s) ${columns.map((column) => column.name).join(', ')} to table "${table.name}" on PostgreSQL failed: ${messageOf(error)}`,
      { cause: error },
    );
  }
  return notes;
}
