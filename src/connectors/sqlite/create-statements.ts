/**
 * Reads stored CREATE TABLE / CREATE INDEX statements for what SQLite's pragmas leave out:
 * AUTOINCREMENT, generated column expressions, constraint names, column collations, and
 * `CHECK (col IN ('a', …))` lists (Ferry's way of writing an enum in SQLite).
 */
import {
  isKeyword,
  isName,
  isPunct,
  matchParen,
  type SqliteToken,
  splitTopLevel,
  tokenizeSqlite,
} from './tokens.js';

/** What the CREATE TABLE text says about one column beyond `pragma_table_xinfo`. */
export interface SqliteColumnClauses {
  autoIncrement: boolean;
  collation?: string;
  generated?: { expression: string; stored: boolean };
  /** Labels of a `CHECK (col IN ('a', 'b'))`: the column holds an enum. */
  checkValues?: string[];
  /** Name of a column-level `CONSTRAINT x PRIMARY KEY`. */
  primaryKeyName?: string;
}

/** A named or unnamed constraint over columns, in declaration order. */
export interface SqliteNamedConstraint {
  name?: string;
  columns: string[];
}

/** The parts of a CREATE TABLE statement that no pragma reports. */
export interface SqliteCreateTable {
  /** Keyed by lower-case column name (SQLite column names are case-insensitive). */
  columns: Map<string, SqliteColumnClauses>;
  primaryKeyName?: string;
  /** Foreign keys in declaration order (column-level and table-level interleaved as written). */
  foreignKeys: SqliteNamedConstraint[];
  uniques: SqliteNamedConstraint[];
  withoutRowid: boolean;
}

const TABLE_CONSTRAINT_WORDS = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN']);

/** Parses a stored CREATE TABLE statement; unknown syntax is skipped, never fatal. */
export function parseSqliteCreateTable(sql: string): SqliteCreateTable {
  const result: SqliteCreateTable = { columns: new Map(), foreignKeys: [], uniques: [], withoutRowid: false };
  const tokens = tokenizeSqlite(sql);
  const open = tokens.findIndex((token) => token.kind === 'punct' && token.value === '(');
  const asAt = tokens.findIndex((token) => isKeyword(token, 'AS'));
  if (open < 0 || (asAt >= 0 && asAt < open)) return result;
  const close = matchParen(tokens, open);
  for (const [start, end] of splitTopLevel(tokens, open + 1, close)) {
    const first = tokens[start]!;
    if (first.kind === 'word' && TABLE_CONSTRAINT_WORDS.has(first.value.toUpperCase())) {
      readTableConstraint(tokens, start, end, result);
    } else if (isName(first)) {
      readColumn(sql, tokens, start, end, result);
    }
  }
  result.withoutRowid = tokens.slice(close + 1).some((token) => isKeyword(token, 'ROWID'));
  return result;
}

function clausesOf(result: SqliteCreateTable, column: string): SqliteColumnClauses {
  const key = column.toLowerCase();
  let clauses = result.columns.get(key);
  if (!clauses) {
    clauses = { autoIncrement: false };
    result.columns.set(key, clauses);
  }
  return clauses;
}

function readColumn(
  sql: string,
  tokens: SqliteToken[],
  start: number,
  end: number,
  result: SqliteCreateTable,
) {
  const column = tokens[start]!.value;
  const clauses = clausesOf(result, column);
  let pendingName: string | undefined;
  let i = start + 1;
  while (i < end) {
    const token = tokens[i]!;
    const word = token.kind === 'word' ? token.value.toUpperCase() : '';
    if (word === 'CONSTRAINT') {
      pendingName = tokens[i + 1]?.value;
      i += 2;
      continue;
    }
    if (isPunct(token, '(')) {
      i = matchParen(tokens, i) + 1;
      continue;
    }
    switch (word) {
      case 'PRIMARY':
        if (pendingName !== undefined) clauses.primaryKeyName = pendingName;
        break;
      case 'AUTOINCREMENT':
        clauses.autoIncrement = true;
        break;
      case 'UNIQUE':
        result.uniques.push({ name: pendingName, columns: [column] });
        break;
      case 'REFERENCES':
        result.foreignKeys.push({ name: pendingName, columns: [column] });
        break;
      case 'COLLATE':
        clauses.collation = tokens[i + 1]?.value;
        i++;
        break;
      case 'DEFAULT':
        i = skipDefault(tokens, i + 1) - 1;
        break;
      case 'CHECK': {
        const checkOpen = i + 1;
        const checkClose = matchParen(tokens, checkOpen);
        const list = checkInList(tokens, checkOpen, checkClose);
        if (list && list.column.toLowerCase() === column.toLowerCase()) clauses.checkValues = list.values;
        i = checkClose;
        break;
      }
      case 'AS': {
        const exprOpen = i + 1;
        const exprClose = matchParen(tokens, exprOpen);
        const expression = sql.slice(tokens[exprOpen]!.end, tokens[exprClose]!.start).trim();
        clauses.generated = { expression, stored: isKeyword(tokens[exprClose + 1], 'STORED') };
        i = exprClose;
        break;
      }
    }
    if (word !== '' && word !== 'KEY' && word !== 'ALWAYS') pendingName = undefined;
    i++;
  }
}

/** The index just past a DEFAULT value: a literal, a signed number, a keyword or `( expr )`. */
function skipDefault(tokens: SqliteToken[], at: number): number {
  const token = tokens[at];
  if (isPunct(token, '(')) return matchParen(tokens, at) + 1;
  if (token?.kind === 'punct' && (token.value === '-' || token.value === '+')) return at + 2;
  return at + 1;
}

function readTableConstraint(tokens: SqliteToken[], start: number, end: number, result: SqliteCreateTable) {
  let i = start;
  let name: string | undefined;
  if (isKeyword(tokens[i], 'CONSTRAINT')) {
    name = tokens[i + 1]?.value;
    i += 2;
  }
  const word = tokens[i]?.kind === 'word' ? tokens[i]!.value.toUpperCase() : '';
  const open = tokens.findIndex((token, index) => index > i && index < end && isPunct(token, '('));
  if (open < 0) return;
  const close = matchParen(tokens, open);
  if (word === 'PRIMARY') {
    result.primaryKeyName = name;
  } else if (word === 'UNIQUE') {
    result.uniques.push({ name, columns: columnList(tokens, open, close) });
  } else if (word === 'FOREIGN') {
    result.foreignKeys.push({ name, columns: columnList(tokens, open, close) });
  } else if (word === 'CHECK') {
    const list = checkInList(tokens, open, close);
    if (list) clausesOf(result, list.column).checkValues = list.values;
  }
}

/** The leading names of an indexed-column list `( a COLLATE x DESC, b )`. */
function columnList(tokens: SqliteToken[], open: number, close: number): string[] {
  return splitTopLevel(tokens, open + 1, close).map(([from]) => tokens[from]!.value);
}

/** Recognises `( name IN ( 'a', 'b', … ) )` exactly; anything else is not an enum. */
function checkInList(tokens: SqliteToken[], open: number, close: number) {
  const name = tokens[open + 1];
  if (!isName(name) || name.kind === 'string' || !isKeyword(tokens[open + 2], 'IN')) return undefined;
  const listOpen = open + 3;
  if (!isPunct(tokens[listOpen], '(') || matchParen(tokens, listOpen) !== close - 1) return undefined;
  const values: string[] = [];
  for (const [from, to] of splitTopLevel(tokens, listOpen + 1, close - 1)) {
    const item = tokens[from]!;
    if (to !== from + 1 || item.kind !== 'string') return undefined;
    values.push(item.value);
  }
  return values.length > 0 ? { column: name.value, values } : undefined;
}

/** The head of a stored CREATE INDEX: its name, table, and where the column list starts. */
export interface SqliteCreateIndex {
  unique: boolean;
  name: string;
  table: string;
  /** Offset in the SQL text of the `(` that opens the indexed columns. */
  columnsAt: number;
}

/** Parses the head of a CREATE INDEX statement, or undefined when it does not look like one. */
export function parseSqliteCreateIndex(sql: string): SqliteCreateIndex | undefined {
  const tokens = tokenizeSqlite(sql);
  let i = 1;
  const unique = isKeyword(tokens[i], 'UNIQUE');
  if (unique) i++;
  if (!isKeyword(tokens[0], 'CREATE') || !isKeyword(tokens[i], 'INDEX')) return undefined;
  i++;
  if (isKeyword(tokens[i], 'IF')) i += 3;
  let name = tokens[i]?.value;
  if (isPunct(tokens[i + 1], '.')) {
    i += 2;
    name = tokens[i]?.value;
  }
  const table = tokens[i + 2]?.value;
  const open = tokens[i + 3];
  if (name === undefined || table === undefined || !isKeyword(tokens[i + 1], 'ON')) return undefined;
  if (open === undefined || !isPunct(open, '(')) return undefined;
  return { unique, name, table, columnsAt: open.start };
}
