import { isRedisUnavailableError } from '@suite/redis';
import { RpcError } from '@suite/rpc-contract';
import { CallTimeoutError } from './run-with-timeout';

/** Turns whatever a call threw into the error the caller sees; never a stack trace or a secret. */
export function classifyError(error: unknown, traceId: string): { rpcError: RpcError; unexpected: boolean } {
  if (error instanceof RpcError) return { rpcError: error, unexpected: false };
  if (error instanceof CallTimeoutError) return { rpcError: new RpcError('TIMEOUT', error.message), unexpected: false };
  if (isRedisUnavailableError(error)) {
    return { rpcError: new RpcError('UNAVAILABLE', 'a dependency (Redis) is unavailable; retry shortly', 1000), unexpected: false };
  }
  return { rpcError: new RpcError('INTERNAL', `internal error (trace_id ${traceId})`), unexpected: true };
}
