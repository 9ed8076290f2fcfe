import { RpcError, RpcMethodMetadata } from '@suite/rpc-contract';
import { plainToInstance, TransformationType } from 'class-transformer';
import { defaultMetadataStorage as transformerMetadata } from 'class-transformer/cjs/storage';
import { getMetadataStorage, validateSync } from 'class-validator';
import { passesConstraints } from './constraint-check';
import { invalidParamsMessage } from './python-messages';

/**
 * Maps the caller's positional `args` and named `kwargs` onto the method's declared, ordered
 * parameters, as Python binds a call: too many positional arguments, an unknown keyword, or a
 * parameter given twice is INVALID_ARGS.
 */
export function bindParams(fullName: string, method: RpcMethodMetadata, args: unknown[], kwargs: Record<string, unknown>): Record<string, unknown> {
  const { params } = method;
  if (args.length > params.length) {
    throw RpcError.invalidArgs(`${fullName} takes at most ${params.length} positional argument(s) (${args.length} given)`);
  }
  const bound: Record<string, unknown> = {};
  args.forEach((value, index) => {
    bound[params[index]] = value;
  });
  for (const [name, value] of Object.entries(kwargs)) {
    if (!params.includes(name)) throw RpcError.invalidArgs(`${fullName} got an unexpected keyword argument "${name}"`);
    if (name in bound) throw RpcError.invalidArgs(`${fullName} got multiple values for argument "${name}"`);
    bound[name] = value;
  }
  return bound;
}

type Dto = NonNullable<RpcMethodMetadata['dto']>;

/** Whether class-transformer has anything to do for this DTO (@Type, @Transform, @Expose, @Exclude). */
function needsTransformer(dto: Dto, params: readonly string[]): boolean {
  return (
    transformerMetadata.getStrategy(dto) !== 'none' ||
    transformerMetadata.getExposedMetadatas(dto).length > 0 ||
    transformerMetadata.getExcludedMetadatas(dto).length > 0 ||
    params.some(
      (name) =>
        transformerMetadata.findTypeMetadata(dto, name) !== undefined ||
        transformerMetadata.findTransformMetadatas(dto, name, TransformationType.PLAIN_TO_CLASS).length > 0,
    )
  );
}

type InstanceBuilder = (bound: Record<string, unknown>) => object;
const builders = new WeakMap<RpcMethodMetadata, InstanceBuilder>();

/**
 * The DTO instance for bound parameters. A DTO without class-transformer decorators gets its
 * fields assigned onto `new dto()` (what plainToInstance would do, with its default values kept),
 * at a fraction of the cost; the rest go through plainToInstance.
 */
function instanceBuilder(method: RpcMethodMetadata, dto: Dto): InstanceBuilder {
  let builder = builders.get(method);
  if (!builder) {
    builder = needsTransformer(dto, method.params)
      ? (bound) => plainToInstance(dto, bound, { enableImplicitConversion: false, exposeDefaultValues: true })
      : (bound) => Object.assign(new dto(), bound);
    builders.set(method, builder);
  }
  return builder;
}

/** Validates bound parameters against the method's DTO; returns the DTO instance (what the handler receives). */
export function validateParams(fullName: string, method: RpcMethodMetadata, bound: Record<string, unknown>): object {
  if (!method.dto) return bound;
  const instance = instanceBuilder(method, method.dto)(bound);
  if (passesConstraints(instance)) return instance;
  const errors = validateSync(instance, VALIDATION_OPTIONS);
  if (errors.length > 0) throw RpcError.invalidArgs(invalidParamsMessage(fullName, errors));
  return instance;
}

/** The options `passesConstraints` decides for: change them together. */
const VALIDATION_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

/** Start-up check: every declared parameter must be validated by the DTO, or the method would reject it. */
export function assertParamsValidated(fullName: string, method: RpcMethodMetadata): void {
  const names = new Set(method.params);
  if (names.size !== method.params.length) throw new Error(`${fullName} declares a parameter twice`);
  if (!method.dto) {
    if (method.params.length > 0) throw new Error(`${fullName} declares parameters but no dto to validate them`);
    return;
  }
  const validated = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(method.dto, '', true, false)
      .map((metadata) => metadata.propertyName),
  );
  const missing = method.params.filter((name) => !validated.has(name));
  if (missing.length > 0) throw new Error(`${fullName}: parameters ${missing.join(', ')} have no validation in ${method.dto.name}`);
  const undeclared = [...validated].filter((name) => !names.has(name));
  if (undeclared.length > 0) throw new Error(`${fullName}: ${method.dto.name} validates ${undeclared.join(', ')}, which are not declared params`);
}
