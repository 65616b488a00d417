/**
 * Reading the SQL literals MariaDB/MySQL print in their catalogs: ENUM/SET labels inside
 * COLUMN_TYPE (`enum('a,b','it''s','x\\y')`) and quoted COLUMN_DEFAULT values.
 */

const ESCAPES: Record<string, string> = {
  '0': '\0',
  b: '\b',
  n: '\n',
  r: '\r',
  t: '\t',
  Z: '\x1a',
};

/**
 * Reads one single-quoted literal starting at `start` (the opening quote). Returns the unescaped
 * text and the index after the closing quote. Handles `''` and backslash escapes.
 */
export function readQuoted(text: string, start: number): { value: string; end: number } {
  if (text[start] !== "'") throw new Error(`expected a quote at ${start} in ${text}`);
  let value = '';
  let at = start + 1;
  while (at < text.length) {
    const char = text[at]!;
    if (char === '\\' && at + 1 < text.length) {
      const next = text[at + 1]!;
      value += ESCAPES[next] ?? next;
      at += 2;
    } else if (char === "'") {
      if (text[at + 1] === "'") {
        value += "'";
        at += 2;
      } else {
        return { value, end: at + 1 };
      }
    } else {
      value += char;
      at += 1;
    }
  }
  throw new Error(`unterminated quoted literal in ${text}`);
}

/** The labels of an `enum(...)` or `set(...)` COLUMN_TYPE, in declaration order. */
export function parseEnumLabels(columnType: string): string[] {
  const open = columnType.indexOf('(');
  if (open < 0) return [];
  const labels: string[] = [];
  let at = open + 1;
  while (at < columnType.length) {
    const char = columnType[at]!;
    if (char === "'") {
      const { value, end } = readQuoted(columnType, at);
      labels.push(value);
      at = end;
    } else if (char === ')') {
      break;
    } else {
      at += 1; // commas and spaces between labels
    }
  }
  return labels;
}

/** Whether a catalog default is a bare numeric literal (`5`, `-1.5`, `15000000000`, `1e10`). */
export function isNumericLiteral(text: string): boolean {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text);
}

/** A parsed COLUMN_DEFAULT: nothing, a literal value (unquoted), or an expression in MySQL syntax. */
export type ParsedDefault =
  | { kind: 'none' }
  | { kind: 'literal'; value: string }
  | { kind: 'expression'; sql: string };

/**
 * MariaDB (10.2.7+) prints COLUMN_DEFAULT as SQL: NULL (none), `NULL` (DEFAULT NULL), quoted
 * literals (`'a''b'`), bare numbers, `b'101'` for BIT, and expressions bare (`current_timestamp()`,
 * `(1 + 1)`).
 */
export function parseMariadbDefault(raw: string | null): ParsedDefault {
  if (raw === null || raw === 'NULL') return { kind: 'none' };
  if (raw.startsWith("'")) {
    const { value, end } = readQuoted(raw, 0);
    if (end === raw.length) return { kind: 'literal', value };
    return { kind: 'expression', sql: raw };
  }
  if (isNumericLiteral(raw)) return { kind: 'literal', value: raw };
  const bits = /^b'([01]*)'$/i.exec(raw);
  if (bits) return { kind: 'literal', value: bits[1]! };
  return { kind: 'expression', sql: raw };
}

/**
 * MySQL (5.7/8.0) prints COLUMN_DEFAULT unquoted; EXTRA says DEFAULT_GENERATED for expressions and
 * CURRENT_TIMESTAMP is an expression too.
 */
export function parseMysqlDefault(raw: string | null, extra: string): ParsedDefault {
  if (raw === null) return { kind: 'none' };
  if (/DEFAULT_GENERATED/i.test(extra) || /^current_timestamp(\(\d*\))?$/i.test(raw)) {
    return { kind: 'expression', sql: raw };
  }
  const bits = /^b'([01]*)'$/i.exec(raw);
  if (bits) return { kind: 'literal', value: bits[1]! };
  return { kind: 'literal', value: raw };
}
