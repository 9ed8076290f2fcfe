import 'reflect-metadata';
import type { AppConfig } from '@suite/config';

export const RPC_NAMESPACE_METADATA = 'suite:rpc:namespace';
export const RPC_METHODS_METADATA = 'suite:rpc:methods';

type BooleanSetting = {
  [K in keyof AppConfig]: AppConfig[K] extends boolean ? K : never;
}[keyof AppConfig];

export interface RpcNamespaceOptions {
  /** The namespace answers FEATURE_DISABLED while this configuration flag is false. */
  enabledBy?: BooleanSetting;
  description?: string;
}

export interface RpcNamespaceMetadata extends RpcNamespaceOptions {
  name: string;
}

/** A class whose instances take no parameters: the DTO a method validates its parameters with. */
export type ParamsClass = new () => object;

export interface RpcMethodOptions {
  /** The parameter names, in the order the caller passes them positionally in `args`. */
  params: readonly string[];
  /** Class-validator DTO the named parameters are validated with; every name in `params` must be a property of it. */
  dto?: ParamsClass;
  description?: string;
  /** One line on what the method returns (SYSTEM.describe shows it), e.g. `{"pong": true, "version": str}`. */
  returns?: string;
  /**
   * SYSTEM.describe's type of a parameter its DTO cannot say (one the handler's service checks
   * itself, e.g. `str | dict`); the others are read from the DTO's validators.
   */
  paramTypes?: Readonly<Record<string, string>>;
}

export interface RpcMethodMetadata extends RpcMethodOptions {
  /** The name the caller uses after the namespace, e.g. `register_user`. */
  name: string;
  /** The class member that implements it. */
  propertyKey: string;
}

/** Declares a class as the handler of one RPC namespace, e.g. `REGISTRY`. */
export function RpcNamespace(name: string, options: RpcNamespaceOptions = {}): ClassDecorator {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`RPC namespace "${name}" must be UPPER_SNAKE_CASE`);
  return (target) => {
    Reflect.defineMetadata(RPC_NAMESPACE_METADATA, { name, ...options } satisfies RpcNamespaceMetadata, target);
  };
}

/**
 * Declares a method callable over RPC as `<NAMESPACE>.<name>`. Only methods declared so are
 * callable; the implementation receives the validated parameters object and the call context.
 */
export function RpcMethod(name: string, options: RpcMethodOptions): MethodDecorator {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`RPC method "${name}" must be snake_case`);
  return (target, propertyKey) => {
    const constructor = target.constructor;
    const existing: RpcMethodMetadata[] = Reflect.getOwnMetadata(RPC_METHODS_METADATA, constructor) ?? [];
    if (existing.some((method) => method.name === name)) throw new Error(`RPC method "${name}" is declared twice on ${constructor.name}`);
    Reflect.defineMetadata(RPC_METHODS_METADATA, [...existing, { name, propertyKey: String(propertyKey), ...options }], constructor);
  };
}

export function getRpcNamespace(target: object): RpcNamespaceMetadata | undefined {
  return Reflect.getMetadata(RPC_NAMESPACE_METADATA, target);
}

export function getRpcMethods(target: object): RpcMethodMetadata[] {
  return Reflect.getMetadata(RPC_METHODS_METADATA, target) ?? [];
}
