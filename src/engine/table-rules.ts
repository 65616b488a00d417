/**
 * A plan's `tables` list applied to the source's schema: which tables a run works on, which of
 * their columns and rows, and the names they land under. Copy and verify both go through here, so
 * they pick the same tables, columns, rows and target names.
 */
import type { SchemaNote } from '../connectors/connector.js';
import { UsageError } from '../errors.js';
import type { Table } from '../schema/table.js';

/** One entry of a plan's `tables` list, in order: includes pick tables, excludes remove them. */
export interface TableRule {
  /** Table name or pattern with * and ? (exactly one of include / exclude). */
  include?: string;
  exclude?: string;
  /** Target table name; only with an include that names one table. */
  rename?: string;
  /** SQL condition in the source's dialect: only matching rows are copied and verified. */
  where?: string;
  columns?: { include?: string[]; exclude?: string[]; rename?: Record<string, string> };
}

/** The names a plan asks for on the target: the table's, and its columns' (source name → target name). */
export interface RequestedNames {
  table?: string;
  columns: ReadonlyMap<string, string>;
}

/** Whether a table name of a rule is a pattern (holds `*` or `?`) rather than one name. */
export function isPattern(name: string): boolean {
  return /[*?]/.test(name);
}

/**
 * Whether `name` matches `pattern`: `*` stands for any run of characters, `?` for one, anything
 * else for itself, case kept (names are compared as the engine stores them, like `--tables`).
 */
export function matchesPattern(pattern: string, name: string): boolean {
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'su').test(name);
}

/** How a rule is named in messages: its position in the list (from 1) and what it picks. */
function label(rule: TableRule, at: number): string {
  const what = rule.include !== undefined ? `include "${rule.include}"` : `exclude "${rule.exclude}"`;
  return `tables entry ${at + 1} (${what})`;
}

/**
 * Throws a UsageError for the first malformed rule: not exactly one of include / exclude, an
 * exclude with more than a name, a rename of a pattern, an empty name or condition, a column both
 * renamed and left out.
 */
export function checkTableRules(rules: readonly TableRule[]): void {
  rules.forEach((rule, at) => {
    const bad = (problem: string) => new UsageError('PLAN_TABLE_RULE', `${label(rule, at)}: ${problem}`);
    if ((rule.include === undefined) === (rule.exclude === undefined)) {
      throw new UsageError(
        'PLAN_TABLE_RULE',
        `tables entry ${at + 1}: give exactly one of include or exclude (a table name or a pattern with * and ?).`,
      );
    }
    const name = rule.include ?? rule.exclude ?? '';
    if (name.trim() === '') throw bad('the table name is empty.');
    if (rule.exclude !== undefined) {
      if (rule.rename !== undefined || rule.where !== undefined || rule.columns !== undefined) {
        throw bad('rename, where and columns go with an include; an exclude only removes tables.');
      }
      return;
    }
    if (rule.rename !== undefined) {
      if (isPattern(name)) {
        throw bad(
          'rename needs an include that names one table, not a pattern; give the table its own entry.',
        );
      }
      if (rule.rename.trim() === '') throw bad('rename is empty: give the target table name.');
    }
    if (rule.where !== undefined && rule.where.trim() === '') {
      throw bad("where is empty: give an SQL condition in the source database's dialect, or leave it out.");
    }
    const excluded = new Set(rule.columns?.exclude ?? []);
    for (const [from, to] of Object.entries(rule.columns?.rename ?? {})) {
      if (to.trim() === '') throw bad(`columns.rename gives column ${from} an empty name.`);
      if (excluded.has(from))
        throw bad(`columns.rename renames column ${from}, which columns.exclude leaves out.`);
    }
  });
}

/** Throws a UsageError for an exact name of a rule the source lacks, or a pattern that matches no table. */
function checkRulesMatch(tables: readonly Table[], rules: readonly TableRule[]): void {
  const names = tables.map((table) => table.name);
  rules.forEach((rule, at) => {
    const name = rule.include ?? rule.exclude ?? '';
    if (isPattern(name)) {
      if (names.some((candidate) => matchesPattern(name, candidate))) return;
      throw new UsageError(
        'TABLE_PATTERN_UNMATCHED',
        `${label(rule, at)}: the pattern "${name}" matches no table of the source.${knownTables(names)}`,
      );
    }
    if (names.includes(name)) return;
    throw new UsageError(
      'TABLE_NOT_FOUND',
      `${label(rule, at)}: the source has no table "${name}" (names are compared with their case).${knownTables(names)}`,
    );
  });
}

function knownTables(names: readonly string[]): string {
  if (names.length === 0) return ' The source has no tables.';
  return ` Tables in the source: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}.`;
}

const picks = (rule: TableRule, name: string) => {
  const pattern = rule.include ?? rule.exclude ?? '';
  return isPattern(pattern) ? matchesPattern(pattern, name) : pattern === name;
};

/**
 * The tables the rules select, in the source's order: with any include, only tables some include
 * picks (else every table); minus every table an exclude picks. Throws a UsageError for a name the
 * source lacks or a pattern that matches nothing.
 */
export function selectByRules(tables: readonly Table[], rules: readonly TableRule[]): Table[] {
  checkRulesMatch(tables, rules);
  const includes = rules.filter((rule) => rule.include !== undefined);
  const excludes = rules.filter((rule) => rule.exclude !== undefined);
  return tables.filter(
    (table) =>
      (includes.length === 0 || includes.some((rule) => picks(rule, table.name))) &&
      !excludes.some((rule) => picks(rule, table.name)),
  );
}

/** Whether the rules pick a table of this name (one that appears later, as during sync): no check that patterns match. */
export function rulesPick(rules: readonly TableRule[], name: string): boolean {
  const includes = rules.filter((rule) => rule.include !== undefined);
  const excludes = rules.filter((rule) => rule.exclude !== undefined);
  return (
    (includes.length === 0 || includes.some((rule) => picks(rule, name))) &&
    !excludes.some((rule) => picks(rule, name))
  );
}

/** Whether the rules copy this column of this table (its rule's columns include or exclude). */
export function rulesKeepColumn(rules: readonly TableRule[], table: string, column: string): boolean {
  const columns = ruleFor(rules, table)?.columns;
  if (!columns) return true;
  if (columns.include) return columns.include.includes(column);
  return !(columns.exclude ?? []).includes(column);
}

/**
 * The include rule that shapes a table (rename, where, columns): the first that names it exactly,
 * else the first pattern that matches it; undefined when none does.
 */
export function ruleFor(rules: readonly TableRule[], name: string): TableRule | undefined {
  const includes = rules.filter((rule) => rule.include !== undefined);
  return (
    includes.find((rule) => rule.include === name) ??
    includes.find((rule) => isPattern(rule.include!) && matchesPattern(rule.include!, name))
  );
}

/**
 * The table as `rule` shapes it: the columns it keeps (in the table's order), indexes and foreign
 * keys on kept columns, and `rowFilter` from its where. Leaving out a primary-key column or one a
 * unique index needs is a UsageError (the target would lose its key); a plain index or foreign key
 * on a left-out column is dropped with a note.
 */
export function shapeTable(
  table: Table,
  rule: TableRule | undefined,
  at = 0,
): { table: Table; notes: SchemaNote[] } {
  if (!rule) return { table, notes: [] };
  const where = `${label(rule, at)}, table ${table.name}`;
  const names = table.columns.map((column) => column.name);
  const mention = (list: readonly string[] | undefined, field: string) => {
    for (const name of list ?? []) {
      if (names.includes(name)) continue;
      throw new UsageError(
        'COLUMN_NOT_FOUND',
        `${where}: ${field} names column ${name}, which the table does not have. Its columns: ${names.join(', ')}.`,
      );
    }
  };
  const { include, exclude, rename = {} } = rule.columns ?? {};
  mention(include, 'columns.include');
  mention(exclude, 'columns.exclude');
  mention(Object.keys(rename), 'columns.rename');

  const kept = new Set(
    names.filter((name) => (include === undefined || include.includes(name)) && !exclude?.includes(name)),
  );
  if (kept.size === 0) {
    throw new UsageError(
      'NO_COLUMNS',
      `${where}: the column rules leave no column to copy; keep at least one.`,
    );
  }
  for (const name of Object.keys(rename)) {
    if (!kept.has(name)) {
      throw new UsageError(
        'PLAN_TABLE_RULE',
        `${where}: columns.rename renames column ${name}, which is left out.`,
      );
    }
  }
  const needed = (column: string, by: string) =>
    new UsageError(
      'COLUMN_NEEDED',
      `${where}: column ${column} is left out, but ${by} needs it. Keep the column (or copy the table without column rules).`,
    );
  for (const column of table.primaryKey) {
    if (!kept.has(column)) throw needed(column, `the primary key of ${table.name}`);
  }
  const notes: SchemaNote[] = [];
  const indexes = table.indexes.filter((index) => {
    const missing = index.columns.find((column) => !kept.has(column.name));
    if (!missing) return true;
    if (index.unique) throw needed(missing.name, `unique index ${index.name}`);
    notes.push({
      table: table.name,
      object: index.name,
      message: `index ${index.name} not created: its column ${missing.name} is left out by the plan`,
    });
    return false;
  });
  const foreignKeys = table.foreignKeys.filter((fk) => {
    const missing = fk.columns.find((column) => !kept.has(column));
    if (!missing) return true;
    notes.push({
      table: table.name,
      object: fk.name,
      message: `foreign key ${fk.name} not created: its column ${missing} is left out by the plan`,
    });
    return false;
  });
  const renamed = new Set(Object.keys(rename));
  return {
    table: {
      ...table,
      columns: table.columns.filter((column) => kept.has(column.name)),
      // A native definition names the source's columns: one that a rename touches is rebuilt
      // from its (renamed) columns instead.
      indexes: indexes.map((index) => {
        if (!index.definition || index.columns.length === 0) return index;
        if (!index.columns.some((column) => renamed.has(column.name))) return index;
        const { definition: _source, ...rebuilt } = index;
        return rebuilt;
      }),
      foreignKeys,
      ...(rule.where !== undefined ? { rowFilter: rule.where } : {}),
    },
    notes,
  };
}

/** What the rules make of a selection of tables: the shaped tables, notes, and the names asked for. */
export interface ShapedTables {
  tables: Table[];
  notes: SchemaNote[];
  /** By source table name. */
  names: Map<string, RequestedNames>;
}

/**
 * Shapes every selected table by its rule (`ruleFor`, `shapeTable`), drops foreign keys that
 * reference a column left out of another table (with a note), and checks that no two tables and no
 * two columns of a table land on one target name (case ignored, as target-names.ts compares).
 */
export function applyTableRules(tables: readonly Table[], rules: readonly TableRule[]): ShapedTables {
  checkTableRules(rules);
  const notes: SchemaNote[] = [];
  const names = new Map<string, RequestedNames>();
  const shaped = tables.map((table) => {
    const rule = ruleFor(rules, table.name);
    const result = shapeTable(table, rule, rule ? rules.indexOf(rule) : 0);
    notes.push(...result.notes);
    const columns = new Map(Object.entries(rule?.columns?.rename ?? {}));
    names.set(table.name, { ...(rule?.rename !== undefined ? { table: rule.rename } : {}), columns });
    return result.table;
  });
  const columnsOf = new Map(shaped.map((table) => [table.name, new Set(table.columns.map((c) => c.name))]));
  const linked = shaped.map((table) => ({
    ...table,
    foreignKeys: table.foreignKeys.filter((fk) => {
      const referenced = columnsOf.get(fk.referencedTable);
      const missing = referenced && fk.referencedColumns.find((column) => !referenced.has(column));
      if (!missing) return true;
      notes.push({
        table: table.name,
        object: fk.name,
        message: `foreign key ${fk.name} not created: column ${missing} of ${fk.referencedTable}, which it references, is left out by the plan`,
      });
      return false;
    }),
  }));
  checkTargetNames(linked, names);
  return { tables: linked, notes, names };
}

/** Throws a UsageError when two tables, or two columns of one table, would get the same target name. */
function checkTargetNames(tables: readonly Table[], names: ReadonlyMap<string, RequestedNames>): void {
  const tableBy = new Map<string, string>();
  for (const table of tables) {
    const requested = names.get(table.name);
    const to = requested?.table ?? table.name;
    const other = tableBy.get(to.toLowerCase());
    if (other !== undefined) {
      throw new UsageError(
        'TABLE_RENAME_COLLISION',
        `Tables ${other} and ${table.name} would both land in target table ${to} (names are compared without case): rename one of them in the plan.`,
      );
    }
    tableBy.set(to.toLowerCase(), table.name);
    const columnBy = new Map<string, string>();
    for (const column of table.columns) {
      const target = requested?.columns.get(column.name) ?? column.name;
      const clash = columnBy.get(target.toLowerCase());
      if (clash !== undefined) {
        throw new UsageError(
          'COLUMN_RENAME_COLLISION',
          `Table ${table.name}: columns ${clash} and ${column.name} would both land in target column ${target} (names are compared without case): rename one of them in the plan.`,
        );
      }
      columnBy.set(target.toLowerCase(), column.name);
    }
  }
}
