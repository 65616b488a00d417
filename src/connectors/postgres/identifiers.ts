/** Quoting of PostgreSQL identifiers and literals: every name Ferry sends is quoted. */

/** A quoted identifier: `a"b` → `"a""b"`. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A schema-qualified, quoted relation name. */
export function qualify(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** A string literal; backslashes are plain characters because standard_conforming_strings is on. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

const MAX_IDENTIFIER_BYTES = 63;

/** An identifier cut to PostgreSQL's 63 bytes at a character boundary, as the server itself does. */
export function truncateIdentifier(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length <= MAX_IDENTIFIER_BYTES) return name;
  let end = MAX_IDENTIFIER_BYTES;
  // Back off over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** The name Ferry gives the CHECK constraint that holds an enum column to its labels. */
export function enumCheckName(table: string, column: string): string {
  return truncateIdentifier(`${table}_${column}_check`);
}
