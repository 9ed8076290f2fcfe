import type { RpcErrorBody, RpcRequest, RpcResponse } from '@suite/rpc-contract';
import { createHash, randomUUID } from 'node:crypto';
import { RpcCallError } from './rpc-call-error';

export interface RpcClientOptions {
  /** Gateway base URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  token: string;
  /** Retries of retryable errors (honouring retry_after_ms). Default 3. */
  maxRetries?: number;
}

export type CallOptions = Omit<RpcRequest, 'method' | 'args' | 'kwargs'> & {
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** Derive the idempotency key from method and arguments, as the Python client does. */
  autoIdempotencyKey?: boolean;
};

export interface RawAnswer<Data> {
  status: number;
  traceId: string | null;
  replayed: boolean;
  body: RpcResponse<Data>;
}

/**
 * The seed's idempotency key: SHA-256 of the method, arguments and named arguments, plus `callId`
 * (the call's trace id) when given, so one logical call's retries share a key while a later
 * identical call is not answered with the first one's stored response.
 */
export function idempotencyKeyFor(method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, callId?: string): string {
  const sortedKwargs = Object.fromEntries(Object.keys(kwargs).sort().map((key) => [key, kwargs[key]]));
  const hashed: unknown[] = [method, args, sortedKwargs];
  if (callId !== undefined) hashed.push(callId);
  return createHash('sha256').update(JSON.stringify(hashed)).digest('hex');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client of the gateway's `POST /rpc` for TypeScript callers (services, tests, benchmarks). */
export class RpcClient {
  constructor(private readonly options: RpcClientOptions) {}

  /** Calls a method and returns its data, or throws RpcCallError; retries retryable errors. */
  async call<Data = unknown>(method: string, options: CallOptions = {}): Promise<Data> {
    const request = this.buildRequest(method, options);
    const maxRetries = this.options.maxRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await this.send<Data>(request);
        if (answer.body.ok) return answer.body.data;
        throw this.toError(answer.body.error, answer.status, answer.traceId);
      } catch (error) {
        const callError = error instanceof RpcCallError ? error : new RpcCallError('TRANSPORT', error instanceof Error ? error.message : String(error), 0, 500);
        if (!callError.retryable || attempt >= maxRetries) throw callError;
        await sleep(callError.retryAfterMs ?? 500);
      }
    }
  }

  /** One HTTP exchange, no retry, no throwing on `{ok: false}`. */
  async send<Data = unknown>(request: RpcRequest): Promise<RawAnswer<Data>> {
    const response = await fetch(`${this.options.baseUrl}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.token}` },
      body: JSON.stringify(request),
    });
    const body = (await response.json()) as RpcResponse<Data>;
    return { status: response.status, traceId: response.headers.get('x-trace-id'), replayed: response.headers.get('idempotent-replay') === 'true', body };
  }

  private buildRequest(method: string, options: CallOptions): RpcRequest {
    const { autoIdempotencyKey, ...rest } = options;
    const traceId = rest.trace_id ?? randomUUID();
    return {
      method,
      ...rest,
      trace_id: traceId,
      ...(autoIdempotencyKey && !rest.idempotency_key ? { idempotency_key: idempotencyKeyFor(method, rest.args, rest.kwargs, traceId) } : {}),
    };
  }

  private toError(error: RpcErrorBody, status: number, traceId: string | null): RpcCallError {
    return new RpcCallError(error.code, error.message, status, error.retry_after_ms, traceId ?? undefined);
  }
}
