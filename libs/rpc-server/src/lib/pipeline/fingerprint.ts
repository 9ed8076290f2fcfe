import { createHash } from 'node:crypto';

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, stable((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * Identifies a call for idempotency: the method and its bound parameters, key order aside, so the
 * same call made positionally or by keyword has one fingerprint.
 */
export function callFingerprint(method: string, params: Record<string, unknown>): string {
  return createHash('sha256').update(method).update('\n').update(JSON.stringify(stable(params))).digest('hex');
}
