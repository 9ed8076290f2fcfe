export { RpcClient, idempotencyKeyFor } from './lib/rpc-client';
export type { RpcClientOptions, CallOptions, RawAnswer } from './lib/rpc-client';
export { RpcCallError } from './lib/rpc-call-error';
