import { DocumentReference, GeoPoint, Timestamp } from 'firebase-admin/firestore';
import { FirestoreInputError } from './firestore-errors';

/** A JSON value, as the Python caller sends and reads it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Firestore's maximum document size. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
const MAX_NESTING = 20;

/**
 * A Firestore value as JSON a Python caller reads: timestamps as ISO 8601 UTC strings, references
 * as their paths, bytes as base64, geo points as `{latitude, longitude}`.
 * Non-finite doubles (NaN, ±Infinity), which JSON cannot hold, become null.
 */
export function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Timestamp) return value.toDate().toISOString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof DocumentReference) return value.path;
  if (value instanceof GeoPoint) return { latitude: value.latitude, longitude: value.longitude };
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) out[key] = toJson(field);
    return out;
  }
  return null;
}

/** Document data as JSON (an object). */
export function documentToJson(data: Record<string, unknown> | undefined): JsonObject | null {
  return data === undefined ? null : (toJson(data) as JsonObject);
}

/**
 * Checks that `data` (parameter `parameter`) is a JSON object Firestore can store as a document, and
 * returns its size as Firestore counts it (https://firebase.google.com/docs/firestore/storage-size).
 * Integers stay integers (a safe integer is stored as an integer, anything else as a double).
 * `fieldPaths`: keys are dotted field paths (update), so each dotted part must be a valid name.
 */
export function checkDocumentData(parameter: string, data: unknown, documentPath: string, fieldPaths = false): number {
  if (!isPlainObject(data)) throw new FirestoreInputError(`${parameter} must be a JSON object`);
  const size = documentNameSize(documentPath) + mapSize(parameter, data, 1, fieldPaths) + 32;
  if (size > MAX_DOCUMENT_BYTES) {
    throw new FirestoreInputError(`${parameter} is ${size} bytes as Firestore counts them, over the ${MAX_DOCUMENT_BYTES}-byte (1 MiB) document limit`);
  }
  return size;
}

function documentNameSize(path: string): number {
  return path.split('/').reduce((sum, segment) => sum + Buffer.byteLength(segment) + 1, 16);
}

function mapSize(where: string, map: Record<string, unknown>, depth: number, fieldPaths: boolean): number {
  if (depth > MAX_NESTING) throw new FirestoreInputError(`${where} nests maps deeper than ${MAX_NESTING} levels`);
  let size = 0;
  for (const [key, value] of Object.entries(map)) {
    checkFieldName(where, key, fieldPaths);
    size += Buffer.byteLength(key) + 1 + valueSize(`${where}.${key}`, value, depth, false);
  }
  return size;
}

function valueSize(where: string, value: unknown, depth: number, inArray: boolean): number {
  if (value === null) return 1;
  switch (typeof value) {
    case 'string':
      return Buffer.byteLength(value) + 1;
    case 'boolean':
      return 1;
    case 'number':
      if (!Number.isFinite(value)) throw new FirestoreInputError(`${where} is not a finite number`);
      return 8;
    case 'object':
      if (Array.isArray(value)) {
        if (inArray) throw new FirestoreInputError(`${where} is an array directly inside an array, which Firestore cannot store`);
        return value.reduce((sum: number, item, index) => sum + valueSize(`${where}[${index}]`, item, depth, true), 0);
      }
      if (isPlainObject(value)) return mapSize(where, value, depth + 1, false);
      throw new FirestoreInputError(`${where} is not a JSON value`);
    default:
      throw new FirestoreInputError(`${where} is not a JSON value (${typeof value})`);
  }
}

function checkFieldName(where: string, key: string, fieldPath: boolean): void {
  const parts = fieldPath ? key.split('.') : [key];
  for (const part of parts) {
    if (part.length === 0) throw new FirestoreInputError(`${where} has an empty field name${fieldPath ? ` in "${key}"` : ''}`);
    if (/^__.*__$/.test(part)) throw new FirestoreInputError(`${where} field "${key}" is reserved (__…__)`);
    if (Buffer.byteLength(part) > 1500) throw new FirestoreInputError(`${where} has a field name longer than 1500 bytes`);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
