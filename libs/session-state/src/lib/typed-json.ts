/**
 * JSON that keeps dates and sets: a Date is written `{"$date": "<ISO 8601>"}`, a Set
 * `{"$set": [...]}`, and both come back as what they were. Anything else is plain JSON.
 */
export type TypedValue =
  | string
  | number
  | boolean
  | null
  | Date
  | Set<TypedValue>
  | TypedValue[]
  | { [key: string]: TypedValue };

type Encoded = string | number | boolean | null | Encoded[] | { [key: string]: Encoded };

function encode(value: unknown): Encoded {
  if (value instanceof Date) return { $date: value.toISOString() };
  if (value instanceof Set) return { $set: [...value].map(encode) };
  if (Array.isArray(value)) return value.map(encode);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Encoded> = {};
    for (const [key, inner] of Object.entries(value)) if (inner !== undefined) out[key] = encode(inner);
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (value === undefined) return null;
  return value as Encoded;
}

function decode(value: Encoded): TypedValue {
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$date' && typeof value['$date'] === 'string') return new Date(value['$date']);
    if (keys.length === 1 && keys[0] === '$set' && Array.isArray(value['$set'])) return new Set(value['$set'].map(decode));
    const out: Record<string, TypedValue> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = decode(inner);
    return out;
  }
  return value;
}

export const typedJson = {
  stringify(value: unknown): string {
    return JSON.stringify(encode(value));
  },
  parse<T = TypedValue>(text: string): T {
    return decode(JSON.parse(text) as Encoded) as T;
  },
};
