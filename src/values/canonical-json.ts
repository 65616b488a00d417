/**
 * One spelling of a JSON document, for comparing JSON read from different engines (PostgreSQL
 * jsonb reorders keys and respells numbers). A parser of its own, because JSON.parse would pass
 * every number through a JS double and lose digits.
 */
import { normalizeDecimal } from './canonical.js';

/** Exponent expansions beyond this many zeros are refused rather than allocated (1e999999999). */
const MAX_EXPANDED_ZEROS = 100_000;

/**
 * A JSON text in one spelling for comparing JSON across engines after reading: objects with keys
 * sorted by UTF-16 code units and duplicate keys resolved last-wins (as PostgreSQL jsonb keeps the
 * last), no whitespace, strings as JSON.stringify writes them, numbers as `normalizeDecimal` of
 * their exact decimal value with any exponent expanded (1e2 -> 100, 1.50 -> 1.5, -0 -> 0) — never
 * through a JS double. Throws on text that is not JSON.
 */
export function canonicalJson(text: string): string {
  const parser = new Parser(text);
  parser.skipSpace();
  const result = parser.value();
  parser.skipSpace();
  if (parser.at < text.length) parser.fail('unexpected text after the document');
  return result;
}

/** A recursive-descent reader of RFC 8259 JSON that writes the canonical spelling as it goes. */
class Parser {
  at = 0;

  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new SyntaxError(`canonicalJson: ${what} at offset ${this.at}`);
  }

  skipSpace(): void {
    for (;;) {
      const code = this.text.charCodeAt(this.at);
      // Only the four JSON whitespace characters (not every Unicode space).
      if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return;
      this.at++;
    }
  }

  value(): string {
    const char = this.text[this.at];
    if (char === '{') return this.object();
    if (char === '[') return this.array();
    if (char === '"') return JSON.stringify(this.string());
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return this.number();
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.at)) {
        this.at += literal.length;
        return literal;
      }
    }
    return this.fail(char === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(char)}`);
  }

  private object(): string {
    this.at++;
    // A Map keeps the last value of a duplicate key, as jsonb does.
    const members = new Map<string, string>();
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.at++;
      return '{}';
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') this.fail('expected a key');
      const key = this.string();
      this.skipSpace();
      if (this.text[this.at] !== ':') this.fail("expected ':'");
      this.at++;
      this.skipSpace();
      members.set(key, this.value());
      this.skipSpace();
      const next = this.text[this.at++];
      if (next === '}') break;
      if (next !== ',') this.fail("expected ',' or '}'");
    }
    // The default sort compares UTF-16 code units, the order the spec names.
    const keys = [...members.keys()].sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${members.get(key)}`).join(',')}}`;
  }

  private array(): string {
    this.at++;
    const items: string[] = [];
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.at++;
      return '[]';
    }
    for (;;) {
      this.skipSpace();
      items.push(this.value());
      this.skipSpace();
      const next = this.text[this.at++];
      if (next === ']') break;
      if (next !== ',') this.fail("expected ',' or ']'");
    }
    return `[${items.join(',')}]`;
  }

  /** The decoded value of the string literal at `at` (which is a '"'). */
  private string(): string {
    const start = this.at;
    const match = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
    match.lastIndex = start;
    if (!match.exec(this.text)) this.fail('invalid string');
    this.at = match.lastIndex;
    // The literal is valid JSON now, so JSON.parse decodes its escapes exactly (strings lose nothing).
    return JSON.parse(this.text.slice(start, this.at)) as string;
  }

  /** The number at `at`, as normalizeDecimal of its exact value with the exponent expanded. */
  private number(): string {
    const match = /(-?)(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?/y;
    match.lastIndex = this.at;
    const found = match.exec(this.text);
    if (!found) this.fail('invalid number');
    this.at = match.lastIndex;
    const [, sign = '', whole = '', fraction = '', exponentText = '0'] = found;
    let digits = `${whole}${fraction}`;
    // Position of the decimal point counted from the left of `digits`.
    let pointAt = whole.length + Number(exponentText);
    const leading = /^0*/.exec(digits)?.[0].length ?? 0;
    digits = digits.slice(leading).replace(/0+$/, '');
    pointAt -= leading;
    if (digits === '') return '0';
    const zeros = pointAt <= 0 ? -pointAt : Math.max(0, pointAt - digits.length);
    if (zeros > MAX_EXPANDED_ZEROS) this.fail('number exponent too large to expand');
    let body: string;
    if (pointAt <= 0) body = `0.${'0'.repeat(-pointAt)}${digits}`;
    else if (pointAt >= digits.length) body = `${digits}${'0'.repeat(pointAt - digits.length)}`;
    else body = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
    return normalizeDecimal(`${sign}${body}`);
  }
}
