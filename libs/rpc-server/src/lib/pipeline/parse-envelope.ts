import { RpcError, RpcRequest } from '@suite/rpc-contract';

const MAX_ID_LENGTH = 256;
const TRACE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const METHOD_PATTERN = /^[A-Z][A-Z0-9_]*\.[a-z][a-z0-9_]*$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(body: Record<string, unknown>, field: string, maxLength = MAX_ID_LENGTH): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw RpcError.invalidArgs(`"${field}" must be a non-empty string of at most ${maxLength} characters`);
  }
  return value;
}

/** A usable trace id from the request, if it carries one (an unusable one is replaced, never refused). */
export function traceIdOf(body: unknown): string | undefined {
  if (!isPlainObject(body)) return undefined;
  const value = body['trace_id'];
  return typeof value === 'string' && TRACE_ID_PATTERN.test(value) ? value : undefined;
}

/**
 * Validates the RPC envelope (not the method's parameters). Unknown top-level fields are ignored so
 * that a newer caller keeps working; every known field must have its documented type.
 */
export function parseEnvelope(body: unknown, maxTimeoutMs: number, reservedChannelPrefixes: readonly string[] = []): RpcRequest {
  if (!isPlainObject(body)) throw RpcError.invalidArgs('the request body must be a JSON object');
  const method = body['method'];
  if (typeof method !== 'string' || method.length === 0) throw RpcError.invalidArgs('"method" is required and must be a string');
  if (method.length > 200 || !METHOD_PATTERN.test(method)) {
    throw new RpcError('METHOD_NOT_FOUND', `unknown method "${method.slice(0, 200)}" (expected NAMESPACE.method_name)`);
  }
  const args = body['args'] ?? [];
  if (!Array.isArray(args)) throw RpcError.invalidArgs('"args" must be an array');
  const kwargs = body['kwargs'] ?? {};
  if (!isPlainObject(kwargs)) throw RpcError.invalidArgs('"kwargs" must be an object');
  const timeout = body['timeout_ms'];
  if (timeout !== undefined && timeout !== null && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0)) {
    throw RpcError.invalidArgs('"timeout_ms" must be a positive integer');
  }
  const replyTo = optionalString(body, 'reply_to');
  if (replyTo !== undefined && !/^redis:[^\s]+$/.test(replyTo)) throw RpcError.invalidArgs('"reply_to" must look like "redis:<channel>"');
  if (replyTo !== undefined && reservedChannelPrefixes.some((prefix) => replyTo.slice('redis:'.length).startsWith(prefix))) {
    throw RpcError.invalidArgs('"reply_to" must not name an event or control channel of the suite');
  }
  return {
    method,
    args,
    kwargs,
    user_id: optionalString(body, 'user_id'),
    session_id: optionalString(body, 'session_id'),
    idempotency_key: optionalString(body, 'idempotency_key'),
    timeout_ms: typeof timeout === 'number' ? Math.min(timeout, maxTimeoutMs) : undefined,
    trace_id: traceIdOf(body),
    reply_to: replyTo,
  };
}
