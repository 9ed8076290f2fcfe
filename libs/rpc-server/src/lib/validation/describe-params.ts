import { RpcMethodMetadata } from '@suite/rpc-contract';
import { getMetadataStorage, ValidationTypes } from 'class-validator';

/** One parameter as SYSTEM.describe gives it, in Python's terms. */
export interface ParameterDescription {
  name: string;
  /** `str`, `int`, `float`, `bool`, `list`, `list[str]`, `dict`, … (the method's `paramTypes`, else `any` when the DTO says nothing of it). */
  type: string;
  required: boolean;
  /** The only values accepted (`@IsIn`). */
  choices?: unknown[];
  /** The value an optional parameter has when it is left out (the DTO's initializer). */
  default?: unknown;
}

/** class-validator's type constraints, as Python calls the types. */
const PYTHON_TYPES: Record<string, string> = {
  isString: 'str',
  isInt: 'int',
  isNumber: 'float',
  isBoolean: 'bool',
  isArray: 'list',
  isObject: 'dict',
  isDateString: 'str',
  isISO8601: 'str',
};

/** What each of the method's parameters must be, read from the validation metadata of its DTO. */
export function describeParameters(method: RpcMethodMetadata): ParameterDescription[] {
  const { dto } = method;
  if (!dto) return [];
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const defaults = new dto() as Record<string, unknown>;
  return method.params.map((name) => {
    const own = metadatas.filter((metadata) => metadata.propertyName === name);
    const optional = own.some((metadata) => metadata.type === ValidationTypes.CONDITIONAL_VALIDATION);
    const choices: unknown = own.find((metadata) => metadata.name === 'isIn')?.constraints?.[0];
    const type = method.paramTypes?.[name] ?? typeOf(own, Array.isArray(choices) ? choices : undefined);
    const described: ParameterDescription = { name, type, required: !optional };
    if (Array.isArray(choices)) described.choices = [...choices];
    if (optional && defaults[name] !== undefined) described.default = defaults[name];
    return described;
  });
}

type Metadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

function typeOf(own: Metadata[], choices: unknown[] | undefined): string {
  const whole = own.find((metadata) => !metadata.each && metadata.name && PYTHON_TYPES[metadata.name]);
  const item = own.find((metadata) => metadata.each && metadata.name && PYTHON_TYPES[metadata.name]);
  if (whole?.name === 'isArray' && item?.name) return `list[${PYTHON_TYPES[item.name]}]`;
  if (whole?.name) return PYTHON_TYPES[whole.name];
  if (own.some((metadata) => metadata.type === ValidationTypes.NESTED_VALIDATION)) return 'dict';
  if (choices?.length && choices.every((choice) => typeof choice === 'string')) return 'str';
  if (choices?.length && choices.every((choice) => Number.isInteger(choice))) return 'int';
  return 'any';
}
