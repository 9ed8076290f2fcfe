import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { MethodRegistry, ParameterDescription } from '@suite/rpc-server';

export interface MethodDescription {
  method: string;
  /** The parameter names, in positional order (as before `parameters` existed). */
  params: readonly string[];
  parameters: ParameterDescription[];
  description?: string;
  returns?: string;
  enabled: boolean;
}

/** The gateway's own methods: a liveness probe through the whole RPC path, and self-description. */
@RpcNamespace('SYSTEM', { description: 'The gateway itself' })
@Injectable()
export class SystemRpcHandler {
  constructor(
    private readonly registry: MethodRegistry,
    private readonly config: AppConfig,
  ) {}

  @RpcMethod('ping', { params: [], description: 'Answers pong; proves auth and dispatch work', returns: '{"pong": true, "version": str}' })
  ping(): { pong: true; version: string } {
    return { pong: true, version: this.config.APP_VERSION };
  }

  @RpcMethod('describe', {
    params: [],
    description: 'Lists every callable method with its ordered parameters, their types and what it returns',
    returns: '{"methods": [{"method": str, "params": [str], "parameters": [{"name", "type", "required", "choices"?, "default"?}], "description"?, "returns"?, "enabled": bool}]}',
  })
  describe(): { methods: MethodDescription[] } {
    return {
      methods: this.registry.list().map(({ fullName, method, namespace, parameters }) => ({
        method: fullName,
        params: method.params,
        parameters,
        ...(method.description ? { description: method.description } : {}),
        ...(method.returns ? { returns: method.returns } : {}),
        enabled: namespace.enabledBy ? this.config[namespace.enabledBy] : true,
      })),
    };
  }
}
