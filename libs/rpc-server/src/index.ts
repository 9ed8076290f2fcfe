// What the apps use. The pipeline's parts (envelope, idempotency, rate limit, validation, deadlines)
// are reached through RpcDispatcher; see libs/rpc-server/README.md for where each one lives.
export { RpcServerModule } from './lib/rpc-server.module';
export { RpcDispatcher } from './lib/pipeline/rpc-dispatcher';
export { answerWithError } from './lib/pipeline/rpc-answer';
export type { RpcAnswer } from './lib/pipeline/rpc-answer';
export { MethodRegistry } from './lib/method-registry';
export type { ParameterDescription } from './lib/validation/describe-params';
export { passesConstraints } from './lib/validation/constraint-check';
export { ServiceToken } from './lib/service-token';
