import type { RpcErrorCode } from '@suite/rpc-contract';

/** An outcome of a vector-store call the caller must hear about, with the RPC code it maps to. */
export class VectorError extends Error {
  constructor(
    readonly code: Extract<RpcErrorCode, 'INVALID_ARGS' | 'UNAVAILABLE' | 'QUOTA_EXCEEDED' | 'NOT_FOUND'>,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'VectorError';
  }

  static invalid(parameter: string, problem: string): VectorError {
    return new VectorError('INVALID_ARGS', `${parameter}: ${problem}`);
  }
}
