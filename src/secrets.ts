/**
 * Secrets registry: every password Ferry parses is registered here, and everything Ferry prints
 * passes through `redact`, so a password that leaks into a driver message is still never shown.
 */
const secrets = new Set<string>();

/** Remembers a secret so that `redact` hides it from every later output. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length > 0) {
    secrets.add(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) secrets.add(encoded);
  }
}

/** Replaces every registered secret, and any `user:password@` in a URL, with `***`. */
export function redact(text: string): string {
  let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}
