import { Injectable } from '@nestjs/common';
import { RpcCallContext, RpcError, RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

export class EchoParams {
  @IsString()
  text!: string;

  @IsOptional() @IsInt() @Min(1) @Max(10)
  times?: number;
}

export class EffectParams {
  @IsString()
  name!: string;
}

export class SlowParams {
  @IsInt() @Min(0)
  ms!: number;
}

/** A namespace added by a test exactly as a feature would add one: no dispatcher change. */
@RpcNamespace('TEST')
@Injectable()
export class TestRpcHandler {
  readonly effects = new Map<string, number>();
  readonly aborted: string[] = [];

  @RpcMethod('echo', { params: ['text', 'times'], dto: EchoParams })
  echo(params: EchoParams, context: RpcCallContext) {
    return { text: params.text.repeat(params.times ?? 1), user_id: context.user_id ?? null, trace_id: context.trace_id };
  }

  @RpcMethod('side_effect', { params: ['name'], dto: EffectParams })
  async sideEffect(params: EffectParams) {
    const count = (this.effects.get(params.name) ?? 0) + 1;
    this.effects.set(params.name, count);
    await new Promise((resolve) => setTimeout(resolve, 150));
    return { name: params.name, count };
  }

  @RpcMethod('flaky', { params: ['name'], dto: EffectParams })
  flaky(params: EffectParams) {
    const count = (this.effects.get(params.name) ?? 0) + 1;
    this.effects.set(params.name, count);
    if (count === 1) throw new RpcError('UNAVAILABLE', 'dependency down', 200);
    return { name: params.name, count };
  }

  @RpcMethod('slow', { params: ['ms'], dto: SlowParams })
  async slow(params: SlowParams, context: RpcCallContext) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, params.ms);
      context.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        this.aborted.push(context.trace_id);
        resolve();
      });
    });
    return { slept: params.ms };
  }

  @RpcMethod('fail', { params: [] })
  fail(): never {
    throw new Error('db password=hunter2 at /srv/app/secret.ts:12');
  }

  /** A handler bug: a BigInt does not serialize to JSON. */
  @RpcMethod('unserializable', { params: [] })
  unserializable() {
    return { count: BigInt(1) };
  }

  @RpcMethod('unserializable_later', { params: [] })
  async unserializableLater() {
    await new Promise((resolve) => setImmediate(resolve));
    return { count: BigInt(1) };
  }

  @RpcMethod('missing', { params: [] })
  missing(): never {
    throw RpcError.notFound('thing 42');
  }

  /** Not declared for RPC: must never be reachable. */
  internal_secret() {
    this.effects.set('internal_secret', 1);
    return 'secret';
  }
}

@RpcNamespace('FLAGGED', { enabledBy: 'UNIFIED_REGISTRY_ENABLED' })
@Injectable()
export class FlaggedRpcHandler {
  @RpcMethod('hello', { params: [] })
  hello() {
    return 'hello';
  }
}
