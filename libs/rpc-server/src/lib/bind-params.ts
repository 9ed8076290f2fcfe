import { RpcError, RpcMethodMetadata } from '@suite/rpc-contract';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, ValidationError } from 'class-validator';

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

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => message.replace(error.property, path));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/** Validates bound parameters against the method's DTO; returns the DTO instance (what the handler receives). */
export function validateParams(fullName: string, method: RpcMethodMetadata, bound: Record<string, unknown>): object {
  if (!method.dto) return bound;
  const instance = plainToInstance(method.dto, bound, { enableImplicitConversion: false, exposeDefaultValues: true });
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) throw RpcError.invalidArgs(`${fullName}: ${flatten(errors).join('; ')}`);
  return instance;
}

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
