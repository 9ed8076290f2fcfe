import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { getRpcMethods, getRpcNamespace, RpcCallContext, RpcMethodMetadata, RpcNamespaceMetadata } from '@suite/rpc-contract';
import { assertParamsValidated } from './validation/bind-params';
import { describeParameters, ParameterDescription } from './validation/describe-params';
import { cacheValidationMetadata } from './validation/validation-metadata-cache';

type Implementation = (params: object, context: RpcCallContext) => unknown;

export interface RegisteredMethod {
  /** `NAMESPACE.name` */
  fullName: string;
  namespace: RpcNamespaceMetadata;
  method: RpcMethodMetadata;
  /** Each declared parameter's type and whether it is required, from the DTO (SYSTEM.describe). */
  parameters: ParameterDescription[];
  invoke: Implementation;
}

/**
 * Every RPC method of the app, found at start-up among the Nest providers decorated with
 * `@RpcNamespace`. Only `@RpcMethod` members are registered: nothing else on a handler class is
 * reachable, whatever name a caller sends.
 */
@Injectable()
export class MethodRegistry implements OnModuleInit {
  private readonly methods = new Map<string, RegisteredMethod>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    cacheValidationMetadata();
    for (const wrapper of this.discovery.getProviders()) {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype) continue;
      const namespace = getRpcNamespace(metatype);
      if (!namespace) continue;
      for (const method of getRpcMethods(metatype)) this.register(namespace, method, instance as Record<string, unknown>);
    }
  }

  /** Looks a method up by its full name; only own, declared entries match. */
  find(fullName: string): RegisteredMethod | undefined {
    return this.methods.get(fullName);
  }

  list(): RegisteredMethod[] {
    return [...this.methods.values()].sort((a, b) => a.fullName.localeCompare(b.fullName));
  }

  private register(namespace: RpcNamespaceMetadata, method: RpcMethodMetadata, instance: Record<string, unknown>): void {
    const fullName = `${namespace.name}.${method.name}`;
    if (this.methods.has(fullName)) throw new Error(`RPC method ${fullName} is declared by two handlers`);
    const implementation = instance[method.propertyKey];
    if (typeof implementation !== 'function') throw new Error(`RPC method ${fullName} is not a function`);
    assertParamsValidated(fullName, method);
    this.methods.set(fullName, {
      fullName,
      namespace,
      method,
      parameters: describeParameters(method),
      invoke: (params, context) => (implementation as Implementation).call(instance, params, context),
    });
  }
}
