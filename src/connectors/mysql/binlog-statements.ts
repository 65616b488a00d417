/**
 * What a statement of a binlog QUERY event does to tables, as far as a change stream cares:
 * transaction control, TRUNCATE, or DDL that changes a table's definition. Names come back with the
 * database they are in (the event's default database when unqualified).
 */

/** A table a statement names. */
export interface StatementTable {
  database: string;
  table: string;
}

/** The stream's reading of one QUERY event's statement. */
export type StatementMeaning =
  | { kind: 'begin' }
  | { kind: 'commit' }
  | { kind: 'truncate'; tables: StatementTable[] }
  | { kind: 'ddl'; tables: StatementTable[] }
  | { kind: 'other' };

/** Leading comments and whitespace (`/* … *\/`, `-- …`, `# …`). */
function stripLead(text: string): string {
  let rest = text;
  for (;;) {
    const trimmed = rest.replace(/^\s+/, '');
    if (trimmed.startsWith('/*') && !trimmed.startsWith('/*!')) {
      const end = trimmed.indexOf('*/');
      rest = end < 0 ? '' : trimmed.slice(end + 2);
    } else if (trimmed.startsWith('--') || trimmed.startsWith('#')) {
      const end = trimmed.indexOf('\n');
      rest = end < 0 ? '' : trimmed.slice(end + 1);
    } else return trimmed;
  }
}

/** One identifier at the start of `text`: backquoted (`` ` `` doubled inside) or bare. */
function identifier(text: string): { name: string; rest: string } | undefined {
  if (text.startsWith('`')) {
    let name = '';
    let index = 1;
    while (index < text.length) {
      const char = text[index]!;
      if (char === '`') {
        if (text[index + 1] === '`') {
          name += '`';
          index += 2;
          continue;
        }
        return { name, rest: text.slice(index + 1) };
      }
      name += char;
      index++;
    }
    return undefined;
  }
  const match = /^[\p{L}\p{N}_$]+/u.exec(text);
  return match ? { name: match[0], rest: text.slice(match[0].length) } : undefined;
}

/** `[db.]table` at the start of `text`. */
function tableName(text: string, database: string): { table: StatementTable; rest: string } | undefined {
  const first = identifier(text.replace(/^\s+/, ''));
  if (!first) return undefined;
  const dot = /^\s*\.\s*/.exec(first.rest);
  if (dot) {
    const second = identifier(first.rest.slice(dot[0].length));
    if (second) return { table: { database: first.name, table: second.name }, rest: second.rest };
  }
  return { table: { database, table: first.name }, rest: first.rest };
}

/** Comma-separated `[db.]table` names, optionally `a TO b` pairs (RENAME). */
function tableList(text: string, database: string, pairs: boolean): StatementTable[] {
  const tables: StatementTable[] = [];
  let rest = text;
  for (;;) {
    const name = tableName(rest, database);
    if (!name) return tables;
    tables.push(name.table);
    rest = name.rest;
    if (pairs) {
      const to = /^\s+TO\s+/i.exec(rest);
      if (to) {
        const target = tableName(rest.slice(to[0].length), database);
        if (!target) return tables;
        tables.push(target.table);
        rest = target.rest;
      }
    }
    const comma = /^\s*,\s*/.exec(rest);
    if (!comma) return tables;
    rest = rest.slice(comma[0].length);
  }
}

/** Reads a QUERY event's statement; `database` is the event's default database. */
export function statementMeaning(statement: string, database: string): StatementMeaning {
  const text = stripLead(statement);
  if (/^(BEGIN|START\s+TRANSACTION)\b/i.test(text)) return { kind: 'begin' };
  if (/^(COMMIT|ROLLBACK)\s*$/i.test(text)) return { kind: 'commit' };
  let match = /^TRUNCATE\s+(TABLE\s+)?/i.exec(text);
  if (match) return { kind: 'truncate', tables: tableList(text.slice(match[0].length), database, false) };
  match = /^ALTER\s+(ONLINE\s+|IGNORE\s+)*TABLE\s+(IF\s+EXISTS\s+)?/i.exec(text);
  if (match) return { kind: 'ddl', tables: tableList(text.slice(match[0].length), database, false) };
  match = /^(CREATE|DROP)\s+(OR\s+REPLACE\s+)?(TEMPORARY\s+)?TABLE\s+(IF\s+(NOT\s+)?EXISTS\s+)?/i.exec(text);
  if (match) {
    // A temporary table shadows nothing the stream reads (its rows are not logged as the table's).
    if (match[3]) return { kind: 'other' };
    return { kind: 'ddl', tables: tableList(text.slice(match[0].length), database, false) };
  }
  match = /^RENAME\s+TABLES?\s+(IF\s+EXISTS\s+)?/i.exec(text);
  if (match) return { kind: 'ddl', tables: tableList(text.slice(match[0].length), database, true) };
  match =
    /^(CREATE|DROP)\s+(OR\s+REPLACE\s+)?(ONLINE\s+|OFFLINE\s+)?(UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\s+(IF\s+(NOT\s+)?EXISTS\s+)?/i.exec(
      text,
    );
  if (match) {
    const index = identifier(text.slice(match[0].length));
    const on = index && /^\s+ON\s+/i.exec(index.rest);
    if (index && on)
      return { kind: 'ddl', tables: tableList(index.rest.slice(on[0].length), database, false) };
  }
  return { kind: 'other' };
}
