import { RpcError, RpcErrorCode, RpcResponse } from '@suite/rpc-contract';

/** What the HTTP layer sends back: status, headers and the serialized `{ok, …}` envelope. */
export interface RpcAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** `ok`, or the error code the body carries (metrics and logs label the call with it). */
  code: RpcErrorCode | 'ok';
  /** An error the caller is told to retry (it carries retry_after_ms): not stored for idempotency. */
  transient?: boolean;
}

export function answerWithData(status: number, data: unknown, headers: Record<string, string> = {}): RpcAnswer {
  const envelope: RpcResponse = { ok: true, data: data === undefined ? null : data };
  return { status, body: JSON.stringify(envelope), headers, code: 'ok' };
}

export function answerWithError(error: RpcError, headers: Record<string, string> = {}): RpcAnswer {
  const envelope: RpcResponse = { ok: false, error: error.toBody() };
  const transient = error.retryAfterMs !== undefined;
  const answerHeaders = transient ? { ...headers, 'retry-after': String(Math.max(1, Math.ceil((error.retryAfterMs as number) / 1000))) } : headers;
  return { status: error.httpStatus, body: JSON.stringify(envelope), headers: answerHeaders, code: error.code, transient };
}
