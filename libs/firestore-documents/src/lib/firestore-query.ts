import { FieldPath, Query, WhereFilterOp } from 'firebase-admin/firestore';
import { FirestoreInputError } from './firestore-errors';
import { JsonValue } from './firestore-json';

/** Firestore's filter operators, as the Python client writes them. */
export const WHERE_OPERATORS: readonly WhereFilterOp[] = ['<', '<=', '==', '!=', '>=', '>', 'array-contains', 'array-contains-any', 'in', 'not-in'];
const ARRAY_OPERATORS = new Set<WhereFilterOp>(['array-contains-any', 'in', 'not-in']);
/** Firestore's limit on the values of an in / not-in / array-contains-any filter. */
const MAX_FILTER_VALUES = 30;

export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 1000;

export type WhereClause = [string, string, JsonValue];
export type OrderClause = [string, ('asc' | 'desc')?];

/** Applies `where` ([[field, op, value], …]), `order_by` ([[field, "asc"|"desc"], …]) and a capped limit. */
export function buildQuery(base: Query, where: unknown[] = [], orderBy: unknown[] = [], limit?: number): Query {
  let query = base;
  where.forEach((clause, index) => {
    const [field, op, value] = checkWhere(clause, index);
    query = query.where(fieldOf(field), op, value);
  });
  orderBy.forEach((clause, index) => {
    const [field, direction] = checkOrder(clause, index);
    query = query.orderBy(fieldOf(field), direction);
  });
  return query.limit(limit ?? DEFAULT_QUERY_LIMIT);
}

function fieldOf(field: string): string | FieldPath {
  return field === '__name__' ? FieldPath.documentId() : field;
}

function checkWhere(clause: unknown, index: number): [string, WhereFilterOp, JsonValue] {
  const where = `where[${index}]`;
  if (!Array.isArray(clause) || clause.length !== 3) throw new FirestoreInputError(`${where} must be [field, operator, value]`);
  const [field, op, value] = clause as [unknown, unknown, JsonValue];
  checkFieldPath(where, field);
  if (typeof op !== 'string' || !WHERE_OPERATORS.includes(op as WhereFilterOp)) {
    throw new FirestoreInputError(`${where} operator ${JSON.stringify(op)} is not supported; use one of ${WHERE_OPERATORS.join(', ')}`);
  }
  if (ARRAY_OPERATORS.has(op as WhereFilterOp)) {
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_FILTER_VALUES) {
      throw new FirestoreInputError(`${where} operator "${op}" needs a list of 1 to ${MAX_FILTER_VALUES} values`);
    }
  }
  return [field, op as WhereFilterOp, value];
}

function checkOrder(clause: unknown, index: number): [string, 'asc' | 'desc'] {
  const where = `order_by[${index}]`;
  const pair = typeof clause === 'string' ? [clause] : clause;
  if (!Array.isArray(pair) || pair.length < 1 || pair.length > 2) throw new FirestoreInputError(`${where} must be [field, "asc"|"desc"]`);
  const [field, direction = 'asc'] = pair as [unknown, unknown];
  checkFieldPath(where, field);
  if (direction !== 'asc' && direction !== 'desc') throw new FirestoreInputError(`${where} direction must be "asc" or "desc"`);
  return [field, direction];
}

function checkFieldPath(where: string, field: unknown): asserts field is string {
  if (typeof field !== 'string' || field.length === 0) throw new FirestoreInputError(`${where} field must be a non-empty string`);
  if (field !== '__name__' && field.split('.').some((part) => part.length === 0)) throw new FirestoreInputError(`${where} field "${field}" has an empty part`);
}
