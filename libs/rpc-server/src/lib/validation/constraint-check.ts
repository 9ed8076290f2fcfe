import { getMetadataStorage, ValidationArguments, ValidationTypes, ValidatorConstraintInterface } from 'class-validator';
import { validationMetadataGeneration } from './validation-metadata-cache';

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
type Validated = Record<string, unknown>;

interface ConstraintCheck {
  metadata: ValidationMetadata;
  validators: ValidatorConstraintInterface[];
}

interface PropertyChecks {
  property: string;
  conditions: ValidationMetadata[];
  defined: ConstraintCheck[];
  custom: ConstraintCheck[];
}

interface CheckPlan {
  /** The metadata the plan was built from; a new array means the class's metadata changed. */
  source: ValidationMetadata[];
  /** The storage's metadata generation the plan is known current for (see validation-metadata-cache). */
  generation: number | undefined;
  /** Null when the class uses a feature the plan does not cover (nested, `each`, promises, none at all). */
  properties: PropertyChecks[] | null;
  allowed: Set<string>;
}

const plans = new WeakMap<object, CheckPlan>();

/**
 * Whether class-validator's `validateSync(instance, { whitelist, forbidNonWhitelisted,
 * forbidUnknownValues })` would return no error, decided without building any error: the same
 * constraint validators run over the same metadata, in class-validator's order and with its
 * arguments, and the first failure stops. `false` means "not known to be valid": the caller then
 * runs class-validator itself, which words the errors. Validation on the RPC hot path costs a
 * fraction of what class-validator's full run does, and its outcome for a valid call is the same.
 *
 * Classes with nested validation, promise validation or groups are not planned (false).
 * Constraint instances are taken once from class-validator's container (the gateway does not
 * replace the container with `useContainer`).
 */
export function passesConstraints(instance: object, storage: MetadataStorage = getMetadataStorage()): boolean {
  const plan = currentPlan(instance.constructor, storage);
  if (!plan.properties) return false;
  const object = instance as Validated;
  for (const key of Object.keys(object)) if (!plan.allowed.has(key)) return false;
  for (const checks of plan.properties) {
    const value = object[checks.property];
    if (!conditionsHold(checks.conditions, object, value)) continue;
    if (!constraintsHold(checks.defined, object, value) || !constraintsHold(checks.custom, object, value)) return false;
  }
  return true;
}

function currentPlan(target: object, storage: MetadataStorage): CheckPlan {
  const generation = validationMetadataGeneration(storage);
  let plan = plans.get(target);
  if (plan && generation !== undefined && plan.generation === generation) return plan;
  const metadatas = storage.getTargetValidationMetadatas(target as new () => object, undefined as unknown as string, false, false, undefined);
  if (plan?.source !== metadatas) plan = buildPlan(metadatas, storage);
  plan.generation = generation;
  plans.set(target, plan);
  return plan;
}

function buildPlan(metadatas: ValidationMetadata[], storage: MetadataStorage): CheckPlan {
  const allowed = new Set(metadatas.map((metadata) => metadata.propertyName));
  const unsupported = { source: metadatas, generation: undefined, properties: null, allowed };
  if (metadatas.length === 0) return unsupported; // forbidUnknownValues: class-validator refuses it
  const grouped = storage.groupByPropertyName(metadatas);
  const properties: PropertyChecks[] = [];
  for (const [property, own] of Object.entries(grouped)) {
    const checks: PropertyChecks = { property, conditions: [], defined: [], custom: [] };
    for (const metadata of own) {
      if (metadata.groups && metadata.groups.length > 0) return unsupported;
      switch (metadata.type) {
        case ValidationTypes.WHITELIST:
          break;
        case ValidationTypes.CONDITIONAL_VALIDATION:
          checks.conditions.push(metadata);
          break;
        case ValidationTypes.IS_DEFINED:
          checks.defined.push(constraintCheck(metadata, storage));
          break;
        case ValidationTypes.CUSTOM_VALIDATION:
          checks.custom.push(constraintCheck(metadata, storage));
          break;
        default:
          return unsupported;
      }
    }
    properties.push(checks);
  }
  return { source: metadatas, generation: undefined, properties, allowed };
}

function constraintCheck(metadata: ValidationMetadata, storage: MetadataStorage): ConstraintCheck {
  return {
    metadata,
    // validateSync skips asynchronous constraints.
    validators: storage
      .getTargetValidatorConstraints(metadata.constraintCls)
      .filter((constraint) => !constraint.async)
      .map((constraint) => constraint.instance),
  };
}

/** class-validator evaluates every condition, then combines them. */
function conditionsHold(conditions: ValidationMetadata[], object: Validated, value: unknown): boolean {
  let holds = true;
  for (const condition of conditions) holds = (condition.constraints[0] as (object: object, value: unknown) => boolean)(object, value) && holds;
  return holds;
}

function constraintsHold(checks: ConstraintCheck[], object: Validated, value: unknown): boolean {
  for (const { metadata, validators } of checks) {
    if (metadata.validateIf && !metadata.validateIf(object, value)) continue;
    for (const validator of validators) {
      const args: ValidationArguments = {
        targetName: object.constructor ? object.constructor.name : (undefined as unknown as string),
        property: metadata.propertyName,
        object,
        value,
        constraints: metadata.constraints,
      };
      const items = metadata.each ? eachItems(value) : undefined;
      if (items) {
        for (const item of items) if (!isValid(validator.validate(item, args))) return false;
      } else if (!isValid(validator.validate(value, args))) return false;
    }
  }
  return true;
}

/** A promise from a synchronous constraint is not a decision here: class-validator makes it. */
function isValid(outcome: boolean | Promise<boolean>): boolean {
  return Boolean(outcome) && !(outcome instanceof Promise);
}

/** With `each`, class-validator validates the items of arrays, sets and maps (and other values whole). */
function eachItems(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  if (value instanceof Map) return [...value.values()];
  return undefined;
}
