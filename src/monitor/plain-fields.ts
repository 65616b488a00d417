/** Turns event fields into plain, redacted JSON values for a log line. */
import { redact } from '../secrets.js';

/**
 * A copy of `value` that JSON can hold and that shows no secret: strings redacted, errors as
 * their code and message (never their cause or stack: a driver's cause may quote a URL), bigints
 * as decimal strings, buffers as their length.
 */
export function plainFields(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return { bytes: value.length };
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { ...(typeof code === 'string' ? { code } : {}), message: redact(value.message) };
  }
  if (Array.isArray(value)) return value.map(plainFields);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) out[key] = plainFields(field);
  }
  return out;
}
