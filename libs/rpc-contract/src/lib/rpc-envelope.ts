import type { RpcErrorCode } from './rpc-error-codes';

/** What the Reflex backend posts to `/rpc` (SPEC §3). Only `method` is required. */
export interface RpcRequest {
  method: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  user_id?: string;
  session_id?: string;
  idempotency_key?: string;
  timeout_ms?: number;
  trace_id?: string;
  /** `redis:<channel>`: answer 202 at once and publish the response envelope on `<channel>`. */
  reply_to?: string;
}

export interface RpcErrorBody {
  code: RpcErrorCode;
  message: string;
  retry_after_ms?: number;
}

export type RpcResponse<Data = unknown> = { ok: true; data: Data } | { ok: false; error: RpcErrorBody };

/** Body of the 202 answer to a call with `reply_to`. */
export interface RpcAccepted {
  accepted: true;
  trace_id: string;
}
