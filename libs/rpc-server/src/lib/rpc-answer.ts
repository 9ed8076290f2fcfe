import { RpcError, RpcResponse } from '@suite/rpc-contract';

/** What the HTTP layer sends back: status, headers and the serialized `{ok, …}` envelope. */
export interface RpcAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** An error the caller is told to retry (it carries retry_after_ms): not stored for idempotency. */
  transient?: boolean;
}

export function answerWithData(status: number, data: unknown, headers: Record<string, string> = {}): RpcAnswer {
  const envelope: RpcResponse = { ok: true, data: data === undefined ? null : data };
  return { status, body: JSON.stringify(envelope), headers };
}

export function answerWithError(error: RpcError, headers: Record<string, string> = {}): RpcAnswer {
  const envelope: RpcResponse = { ok: false, error: error.toBody() };
  const extra: Record<string, string> = {};
  if (error.retryAfterMs !== undefined) extra['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  return { status: error.httpStatus, body: JSON.stringify(envelope), headers: { ...headers, ...extra }, transient: error.retryAfterMs !== undefined };
}
