import { asError } from '@suite/logging';
import { isRedisUnavailableError } from '@suite/redis';
import { RpcError } from '@suite/rpc-contract';
import { CallTimeoutError } from '../timing/run-with-timeout';

/**
 * The TIMEOUT answer. The deadline is the caller's: a handler that cannot stop runs on, so the
 * call may still take effect. With an idempotency_key the outcome is kept for the key.
 */
export function timeoutError(timeoutMs: number, idempotent: boolean): RpcError {
  const message = `the call did not finish within ${timeoutMs} ms; it may still complete`;
  return new RpcError('TIMEOUT', idempotent ? `${message}: retry with the same idempotency_key to get its outcome` : message);
}

/** Turns whatever a call threw into the error the caller sees; never a stack trace or a secret. */
export function classifyError(error: unknown, traceId: string, idempotent = false): { rpcError: RpcError; unexpected: boolean } {
  if (error instanceof RpcError) return { rpcError: error, unexpected: false };
  if (error instanceof CallTimeoutError) return { rpcError: timeoutError(error.timeoutMs, idempotent), unexpected: false };
  if (isRedisUnavailableError(error)) {
    return { rpcError: new RpcError('UNAVAILABLE', 'a dependency (Redis) is unavailable; retry shortly', 1000), unexpected: false };
  }
  return { rpcError: new RpcError('INTERNAL', `internal error (trace_id ${traceId})`), unexpected: true };
}

/** An Error for a log line's `err`, whatever was thrown: even a value String() cannot convert. */
export function loggableError(thrown: unknown): Error {
  try {
    return asError(thrown);
  } catch {
    return new Error(`a ${typeof thrown} that cannot be shown was thrown`);
  }
}
