import { ValidationError } from 'class-validator';

/** Constraints that say what type a value must have: once one fails, the other clauses only confuse. */
const TYPE_CONSTRAINTS = new Set(['isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject']);

/** class-validator words types for JavaScript; the callers are Python. */
const PYTHON_WORDING: Record<string, (path: string) => string> = {
  isArray: (path) => `${path} must be a list`,
  isObject: (path) => `${path} must be a dict`,
};

/**
 * The INVALID_ARGS message for class-validator's errors, worded as Python would: a parameter the
 * caller left out is a missing required argument (not its length and type clauses), and a value of
 * the wrong type is told its type only (not, for a string given for a list, a size clause first).
 */
export function invalidParamsMessage(fullName: string, errors: ValidationError[]): string {
  const missing = errors.filter((error) => error.value === undefined).map((error) => `'${error.property}'`);
  const clauses = flatten(errors.filter((error) => error.value !== undefined));
  if (missing.length > 0) clauses.unshift(`missing required argument${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  return `${fullName}: ${clauses.join('; ')}`;
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    return [...ownClauses(error, path), ...flatten(error.children ?? [], path)];
  });
}

function ownClauses(error: ValidationError, path: string): string[] {
  const constraints = Object.entries(error.constraints ?? {});
  const typeFailures = constraints.filter(([name]) => TYPE_CONSTRAINTS.has(name));
  return (typeFailures.length > 0 ? typeFailures : constraints).map(([name, message]) => PYTHON_WORDING[name]?.(path) ?? message.replace(error.property, path));
}
