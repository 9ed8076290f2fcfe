import type { RpcErrorCode } from '@suite/rpc-contract';

/** An `{ok: false}` answer from the gateway, typed. */
export class RpcCallError extends Error {
  constructor(
    readonly code: RpcErrorCode | 'TRANSPORT',
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
    readonly traceId?: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'RpcCallError';
  }

  /** Errors worth retrying after `retryAfterMs` with the same idempotency key. */
  get retryable(): boolean {
    return ['RATE_LIMITED', 'IDEMPOTENCY_IN_PROGRESS', 'UNAVAILABLE', 'TRANSPORT'].includes(this.code);
  }
}
