export { RPC_ERROR_STATUS, RPC_ERROR_CODES } from './lib/rpc-error-codes';
export type { RpcErrorCode } from './lib/rpc-error-codes';
export type { RpcRequest, RpcResponse, RpcErrorBody, RpcAccepted } from './lib/rpc-envelope';
export { RpcError } from './lib/rpc-error';
export type { RpcCallContext } from './lib/rpc-call-context';
export { RpcNamespace, RpcMethod, getRpcNamespace, getRpcMethods } from './lib/rpc-decorators';
export type { RpcNamespaceOptions, RpcNamespaceMetadata, RpcMethodOptions, RpcMethodMetadata, ParamsClass } from './lib/rpc-decorators';
