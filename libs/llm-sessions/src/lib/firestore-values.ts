import { DocumentReference, GeoPoint, Timestamp } from 'firebase-admin/firestore';
import type { TypedValue } from '@suite/session-state';

/** A Firestore document's data as plain typed values: timestamps become dates, references their path. */
export function plainFirestoreValue(value: unknown): TypedValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Timestamp) return value.toDate();
  if (value instanceof Date) return value;
  if (value instanceof DocumentReference) return value.path;
  if (value instanceof GeoPoint) return { latitude: value.latitude, longitude: value.longitude };
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(plainFirestoreValue);
  if (typeof value === 'object') {
    const out: Record<string, TypedValue> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = plainFirestoreValue(inner);
    return out;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

export function plainFirestoreDocument(data: Record<string, unknown> | undefined): Record<string, TypedValue> {
  return (plainFirestoreValue(data ?? {}) as Record<string, TypedValue>) ?? {};
}
