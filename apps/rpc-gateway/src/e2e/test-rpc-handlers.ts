import { Injectable } from '@nestjs/common';
import { RpcCallContext, RpcError, RpcMethod, RpcNamespace } from '@suite/rpc-contract';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

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

export class StubbornParams {
  @IsString()
  name!: string;

  @IsInt() @Min(0)
  ms!: number;
}

export class ThrowParams {
  @IsIn(['string', 'undefined', 'number', 'null_prototype'])
  kind!: string;
}

/** Shaped like the gateway's own DTOs: an id and a list with a size bound. */
export class TaggedSessionParams {
  @IsString() @Length(1, 256)
  session_id!: string;

  @IsArray() @ArrayMaxSize(5) @IsString({ each: true })
  tags!: string[];

  @IsOptional() @IsInt() @Min(1)
  limit?: number = 10;
}

/** What TEST.throw_value throws: values that are not Error instances. */
const THROWN: Record<string, () => unknown> = {
  string: () => 'a plain string',
  undefined: () => undefined,
  number: () => 42,
  // String() cannot convert it: a log line's `err` must still be written, and the call answered.
  null_prototype: () => Object.create(null),
};

/** A namespace added by a test exactly as a feature would add one: no dispatcher change. */
@RpcNamespace('TEST')
@Injectable()
export class TestRpcHandler {
  readonly effects = new Map<string, number>();
  readonly aborted: string[] = [];

  @RpcMethod('echo', { params: ['text', 'times'], dto: EchoParams, returns: '{"text": str, "user_id": str | None, "trace_id": str}' })
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

  /** Ignores its signal, as a handler that cannot stop does: it outlives any shorter timeout, then takes effect. */
  @RpcMethod('stubborn', { params: ['name', 'ms'], dto: StubbornParams })
  async stubborn(params: StubbornParams) {
    await new Promise((resolve) => setTimeout(resolve, params.ms));
    const count = (this.effects.get(params.name) ?? 0) + 1;
    this.effects.set(params.name, count);
    return { name: params.name, count };
  }

  /** Runs until its signal fires, then stops with the signal's reason, as a handler should. */
  @RpcMethod('until_aborted', { params: [] })
  untilAborted(_params: object, context: RpcCallContext): Promise<never> {
    return new Promise((_resolve, reject) => {
      context.signal.addEventListener('abort', () => {
        this.aborted.push(context.trace_id);
        reject(context.signal.reason);
      });
    });
  }

  @RpcMethod('throw_value', { params: ['kind'], dto: ThrowParams })
  async throwValue(params: ThrowParams) {
    await new Promise((resolve) => setImmediate(resolve));
    throw THROWN[params.kind]();
  }

  @RpcMethod('throw_value_now', { params: ['kind'], dto: ThrowParams })
  throwValueNow(params: ThrowParams) {
    throw THROWN[params.kind]();
  }

  @RpcMethod('tagged_session', { params: ['session_id', 'tags', 'limit'], dto: TaggedSessionParams })
  taggedSession(params: TaggedSessionParams) {
    return params;
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
