import { VectorError } from './vector-errors';

export type MetadataValue = string | number | boolean;
export type RecordMetadata = Record<string, MetadataValue>;

const NAME_CHARACTERS = /^[a-zA-Z0-9](?:[a-zA-Z0-9._-]*[a-zA-Z0-9])?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Chroma's collection name rules (server 1.0): 3-512 of [a-zA-Z0-9._-], alphanumeric ends, no "..", not an IPv4 address. */
export function collectionNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 512) return 'must have 3 to 512 characters';
  if (!NAME_CHARACTERS.test(name)) return 'may hold only letters, digits, ".", "_" and "-", and must start and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two consecutive periods';
  if (IPV4.test(name)) return 'must not be an IPv4 address';
  return undefined;
}

export function checkCollectionName(name: string): void {
  const problem = collectionNameProblem(name);
  if (problem) throw VectorError.invalid('collection_name', `"${name.slice(0, 80)}" is not a valid collection name: it ${problem}`);
}

export function checkDocuments(documents: unknown[], parameter = 'documents'): asserts documents is string[] {
  if (documents.length === 0) throw VectorError.invalid(parameter, 'must hold at least one document');
  const bad = documents.findIndex((document) => typeof document !== 'string');
  if (bad >= 0) throw VectorError.invalid(parameter, `item ${bad} is not a string`);
}

export function checkIds(ids: unknown[], expected: number, parameter = 'ids'): asserts ids is string[] {
  if (ids.length !== expected) throw VectorError.invalid(parameter, `has ${ids.length} items for ${expected} documents (one id per document)`);
  const seen = new Set<string>();
  ids.forEach((id, index) => {
    if (typeof id !== 'string' || id.length === 0) throw VectorError.invalid(parameter, `item ${index} must be a non-empty string`);
    if (seen.has(id)) throw VectorError.invalid(parameter, `"${id.slice(0, 80)}" appears more than once`);
    seen.add(id);
  });
}

/** Metadatas as Chroma stores them: flat objects of strings, finite numbers and booleans; `{}` and null mean none. */
export function checkMetadatas(metadatas: unknown[], expected: number, parameter = 'metadatas'): Array<RecordMetadata | null> {
  if (metadatas.length !== expected) throw VectorError.invalid(parameter, `has ${metadatas.length} items for ${expected} documents (one metadata per document)`);
  return metadatas.map((metadata, index) => {
    if (metadata === null || metadata === undefined) return null;
    if (typeof metadata !== 'object' || Array.isArray(metadata)) throw VectorError.invalid(parameter, `item ${index} must be an object or null`);
    const entries = Object.entries(metadata as Record<string, unknown>);
    for (const [key, value] of entries) {
      if (key.length === 0 || key.startsWith('#') || key.startsWith('$')) throw VectorError.invalid(parameter, `item ${index}: key "${key}" is reserved (empty, or starting with # or $)`);
      const scalar = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
      if (!scalar) throw VectorError.invalid(parameter, `item ${index}: "${key}" must be a string, a finite number or a boolean`);
    }
    return entries.length > 0 ? (metadata as RecordMetadata) : null;
  });
}

const COMPARISONS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte']);
const LIST_OPERATORS = new Set(['$in', '$nin']);
const LOGICAL = new Set(['$and', '$or']);

const isScalar = (value: unknown): boolean => typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Chroma's `where` grammar: {field: scalar}, {field: {$op: …}}, {$and|$or: [where, where, …]}. */
export function checkWhere(where: unknown, path = 'where'): void {
  if (!isPlainObject(where)) throw VectorError.invalid(path, 'must be an object');
  const entries = Object.entries(where);
  if (entries.length === 0) throw VectorError.invalid(path, 'must not be empty');
  for (const [key, value] of entries) {
    if (LOGICAL.has(key)) {
      if (entries.length !== 1) throw VectorError.invalid(path, `${key} must be the only key of its object`);
      if (!Array.isArray(value) || value.length < 2) throw VectorError.invalid(`${path}.${key}`, 'must be a list of at least two where expressions');
      value.forEach((item, index) => checkWhere(item, `${path}.${key}[${index}]`));
    } else if (key.startsWith('$')) {
      throw VectorError.invalid(path, `unknown operator ${key} (expected $and, $or or a metadata field)`);
    } else if (isPlainObject(value)) {
      const operators = Object.entries(value);
      if (operators.length !== 1) throw VectorError.invalid(`${path}.${key}`, 'must hold exactly one operator');
      const [[operator, operand]] = operators;
      if (COMPARISONS.has(operator)) {
        if (!isScalar(operand)) throw VectorError.invalid(`${path}.${key}.${operator}`, 'must be a string, a number or a boolean');
        if ((operator === '$gt' || operator === '$gte' || operator === '$lt' || operator === '$lte') && typeof operand !== 'number') {
          throw VectorError.invalid(`${path}.${key}.${operator}`, 'must be a number');
        }
      } else if (LIST_OPERATORS.has(operator)) {
        if (!Array.isArray(operand) || operand.length === 0 || !operand.every(isScalar)) throw VectorError.invalid(`${path}.${key}.${operator}`, 'must be a non-empty list of scalars');
      } else {
        throw VectorError.invalid(`${path}.${key}`, `unknown operator ${operator} (expected one of $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin)`);
      }
    } else if (!isScalar(value)) {
      throw VectorError.invalid(`${path}.${key}`, 'must be a string, a number, a boolean or an operator object');
    }
  }
}

const DOCUMENT_OPERATORS = new Set(['$contains', '$not_contains', '$regex', '$not_regex']);

/** Chroma's `where_document`: {$contains|$not_contains|$regex|$not_regex: text}, or $and/$or of those. */
export function checkWhereDocument(where: unknown, path = 'where_document'): void {
  if (!isPlainObject(where)) throw VectorError.invalid(path, 'must be an object');
  const entries = Object.entries(where);
  if (entries.length !== 1) throw VectorError.invalid(path, 'must hold exactly one operator');
  const [[operator, operand]] = entries;
  if (LOGICAL.has(operator)) {
    if (!Array.isArray(operand) || operand.length < 2) throw VectorError.invalid(`${path}.${operator}`, 'must be a list of at least two expressions');
    operand.forEach((item, index) => checkWhereDocument(item, `${path}.${operator}[${index}]`));
  } else if (DOCUMENT_OPERATORS.has(operator)) {
    if (typeof operand !== 'string' || operand.length === 0) throw VectorError.invalid(`${path}.${operator}`, 'must be a non-empty string');
  } else {
    throw VectorError.invalid(path, `unknown operator ${operator} (expected $contains, $not_contains, $regex, $not_regex, $and or $or)`);
  }
}

export const INCLUDABLE = ['documents', 'metadatas', 'distances', 'embeddings'] as const;
export type Includable = (typeof INCLUDABLE)[number];
