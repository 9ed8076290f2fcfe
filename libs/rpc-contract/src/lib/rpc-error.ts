import { RPC_ERROR_STATUS, RpcErrorCode } from './rpc-error-codes';
import type { RpcErrorBody } from './rpc-envelope';

/**
 * An error that a handler (or the dispatcher) answers the caller with. Its message is shown to
 * the caller as is: it must say what is wrong without leaking internals.
 */
export class RpcError extends Error {
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RpcError';
  }

  get httpStatus(): number {
    return RPC_ERROR_STATUS[this.code];
  }

  toBody(): RpcErrorBody {
    return { code: this.code, message: this.message, ...(this.retryAfterMs !== undefined ? { retry_after_ms: this.retryAfterMs } : {}) };
  }

  static notFound(what: string): RpcError {
    return new RpcError('NOT_FOUND', `${what} was not found`);
  }

  static invalidArgs(message: string): RpcError {
    return new RpcError('INVALID_ARGS', message);
  }
}
