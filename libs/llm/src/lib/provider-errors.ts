import { RpcError } from '@suite/rpc-contract';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';

export interface ErrorContext {
  /** The model the call asked for (named in an unknown-model error). */
  model: string;
  /** retry_after_ms advised when the provider is down. */
  unavailableRetryMs: number;
  requestTimeoutMs: number;
  /** Whether we talk to the development model server (named in messages, so nobody hunts for an OpenAI problem). */
  development: boolean;
}

/** What may be logged about a provider failure: status and the provider's error code, never its message. */
export interface ProviderFailure {
  status?: number;
  provider_code?: string;
  rpc_code: string;
}

/**
 * Maps whatever the openai client threw to the RpcError the caller sees. Messages are ours only:
 * a provider's message may echo part of the key or the prompt, so it is never passed on.
 */
export function toRpcError(error: unknown, context: ErrorContext): RpcError {
  if (error instanceof RpcError) return error;
  const who = context.development ? 'the development model server' : 'the model provider';
  if (error instanceof APIConnectionTimeoutError) {
    return new RpcError('TIMEOUT', `${who} did not answer within LLM_REQUEST_TIMEOUT_MS (${context.requestTimeoutMs} ms)`);
  }
  if (error instanceof APIConnectionError) {
    return new RpcError('UNAVAILABLE', `${who} could not be reached (check OPENAI_BASE_URL); retry shortly`, context.unavailableRetryMs);
  }
  if (!(error instanceof APIError) || error.status === undefined) {
    return new RpcError('UNAVAILABLE', `${who} failed unexpectedly; retry shortly`, context.unavailableRetryMs);
  }
  const status = error.status;
  const code = safeCode(error.code);
  if (status === 429) {
    if (code === 'insufficient_quota') return new RpcError('UNAVAILABLE', `${who} refused the call: the account behind OPENAI_API_KEY has no quota left`);
    return new RpcError('RATE_LIMITED', `${who} is rate limiting calls; retry later`, retryAfterMs(error.headers) ?? context.unavailableRetryMs);
  }
  if (status === 401 || status === 403) {
    return new RpcError('UNAVAILABLE', `${who} refused the API key: check OPENAI_API_KEY${context.development ? ' (unset it to use the development model server)' : ''}`);
  }
  if (status === 404) {
    if (code === 'model_not_found' || error.param === 'model') {
      return new RpcError('UNAVAILABLE', `${who} does not offer the model "${context.model}": check LLM_MODEL and LLM_ALLOWED_MODELS`);
    }
    return new RpcError('UNAVAILABLE', `${who} answered 404: check OPENAI_BASE_URL`);
  }
  if (status === 408) return new RpcError('TIMEOUT', `${who} timed out the call`);
  if (status >= 500) return new RpcError('UNAVAILABLE', `${who} failed (HTTP ${status}); retry shortly`, context.unavailableRetryMs);
  return new RpcError('INVALID_ARGS', `${who} refused the call as invalid (HTTP ${status}${code ? `, ${code}` : ''})`);
}

export function describeFailure(error: unknown, rpcError: RpcError): ProviderFailure {
  if (error instanceof APIError && error.status !== undefined) {
    const code = safeCode(error.code);
    return { status: error.status, ...(code ? { provider_code: code } : {}), rpc_code: rpcError.code };
  }
  return { rpc_code: rpcError.code };
}

/** `retry-after-ms` (OpenAI's), else `Retry-After` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return Math.ceil(ms);
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(date - now, 0) : undefined;
}

/** A provider error code is an identifier (`model_not_found`); anything else is dropped. */
function safeCode(code: string | null | undefined): string | undefined {
  return typeof code === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : undefined;
}
