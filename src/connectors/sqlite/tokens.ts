/**
 * A small SQLite tokenizer: enough to read the parts of a stored CREATE statement that no pragma
 * reports (AUTOINCREMENT, generated expressions, constraint names, COLLATE, CHECK … IN lists).
 */

/** One token; `value` is the unquoted name or string for quoted tokens, the text otherwise. */
export interface SqliteToken {
  kind: 'word' | 'quoted' | 'string' | 'number' | 'blob' | 'punct';
  value: string;
  start: number;
  end: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Splits SQL text into tokens, skipping whitespace and comments. */
export function tokenizeSqlite(sql: string): SqliteToken[] {
  const tokens: SqliteToken[] = [];
  let at = 0;
  while (at < sql.length) {
    const ch = sql[at]!;
    if (/\s/.test(ch)) {
      at++;
    } else if (sql.startsWith('--', at)) {
      const end = sql.indexOf('\n', at);
      at = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', at)) {
      const end = sql.indexOf('*/', at + 2);
      at = end < 0 ? sql.length : end + 2;
    } else if ((ch === 'x' || ch === 'X') && sql[at + 1] === "'") {
      const end = closing(sql, at + 1, "'");
      tokens.push({ kind: 'blob', value: sql.slice(at, end), start: at, end });
      at = end;
    } else if (ch === "'" || ch === '"' || ch === '`' || ch === '[') {
      const close = ch === '[' ? ']' : ch;
      const end = closing(sql, at, close);
      const inner = sql.slice(at + 1, end - 1);
      const value = ch === '[' ? inner : inner.replaceAll(close + close, close);
      tokens.push({ kind: ch === "'" ? 'string' : 'quoted', value, start: at, end });
      at = end;
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(sql[at + 1] ?? ''))) {
      const match = /^(0x[0-9a-f]+|(\d+\.?\d*|\.\d+)(e[+-]?\d+)?)/i.exec(sql.slice(at))!;
      tokens.push({ kind: 'number', value: match[0], start: at, end: at + match[0].length });
      at += match[0].length;
    } else if (WORD_START.test(ch)) {
      let end = at + 1;
      while (end < sql.length && WORD_PART.test(sql[end]!)) end++;
      tokens.push({ kind: 'word', value: sql.slice(at, end), start: at, end });
      at = end;
    } else {
      tokens.push({ kind: 'punct', value: ch, start: at, end: at + 1 });
      at++;
    }
  }
  return tokens;
}

/** The offset just past the quote that closes the one at `open` (doubled quotes stay inside). */
function closing(sql: string, open: number, quote: string): number {
  let at = open + 1;
  while (at < sql.length) {
    if (sql[at] === quote) {
      if (quote !== ']' && sql[at + 1] === quote) at += 2;
      else return at + 1;
    } else {
      at++;
    }
  }
  return sql.length;
}

/** Whether a token is the unquoted keyword `word` (case-insensitive). */
export function isKeyword(token: SqliteToken | undefined, word: string): boolean {
  return token?.kind === 'word' && token.value.toUpperCase() === word;
}

/** Whether a token is the punctuation character `char`. */
export function isPunct(token: SqliteToken | undefined, char: string): boolean {
  return token?.kind === 'punct' && token.value === char;
}

/** Whether a token can be a name: a bare word or a quoted identifier (SQLite also accepts a string). */
export function isName(token: SqliteToken | undefined): token is SqliteToken {
  return token !== undefined && (token.kind === 'word' || token.kind === 'quoted' || token.kind === 'string');
}

/** The index of the `)` that closes the `(` at `open`, or the last index when unbalanced. */
export function matchParen(tokens: SqliteToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const value = tokens[i]!.kind === 'punct' ? tokens[i]!.value : '';
    if (value === '(') depth++;
    else if (value === ')' && --depth === 0) return i;
  }
  return tokens.length - 1;
}

/** Splits tokens `[from, to)` at top-level commas into ranges of token indexes. */
export function splitTopLevel(tokens: SqliteToken[], from: number, to: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const token = tokens[i]!;
    if (token.kind !== 'punct') continue;
    if (token.value === '(') depth++;
    else if (token.value === ')') depth--;
    else if (token.value === ',' && depth === 0) {
      parts.push([start, i]);
      start = i + 1;
    }
  }
  if (start < to) parts.push([start, to]);
  return parts;
}
