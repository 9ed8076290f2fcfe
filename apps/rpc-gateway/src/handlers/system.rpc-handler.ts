import { Injectable } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { MethodRegistry } from '@suite/rpc-server';

/** The gateway's own methods: a liveness probe through the whole RPC path, and self-description. */
@RpcNamespace('SYSTEM', { description: 'The gateway itself' })
@Injectable()
export class SystemRpcHandler {
  constructor(
    private readonly registry: MethodRegistry,
    private readonly config: AppConfig,
  ) {}

  @RpcMethod('ping', { params: [], description: 'Answers pong; proves auth and dispatch work' })
  ping(): { pong: true; version: string } {
    return { pong: true, version: this.config.APP_VERSION };
  }

  @RpcMethod('describe', { params: [], description: 'Lists every callable method with its ordered parameters' })
  describe(): { methods: Array<{ method: string; params: readonly string[]; description?: string; enabled: boolean }> } {
    return {
      methods: this.registry.list().map(({ fullName, method, namespace }) => ({
        method: fullName,
        params: method.params,
        ...(method.description ? { description: method.description } : {}),
        enabled: namespace.enabledBy ? this.config[namespace.enabledBy] : true,
      })),
    };
  }
}
