import { RpcRequest } from '@suite/rpc-contract';
import { RegisteredMethod } from '../method-registry';
import { RpcAnswer } from './rpc-answer';

/** Receives a call's answer. */
export type Respond = (answer: RpcAnswer) => void;

/** One incoming HTTP call, as the transport hands it over. */
export interface IncomingCall {
  authorization: string | undefined;
  /** The Content-Type header: only JSON bodies are calls. */
  contentType: string | undefined;
  body: unknown;
}

/** The scope of calls without a user_id (rate limit and idempotency keys). */
export const SERVICE_SCOPE = '_service';

/**
 * One call on its way through the pipeline (RpcDispatcher): each step fills in what it found, the
 * later steps read it. A class, so every call has one object shape.
 */
export class CallState {
  readonly started = process.hrtime.bigint();
  /** Sent with every answer of the call, its errors included. */
  readonly headers: Record<string, string>;
  /** Whether `respond` was called: a call is answered exactly once. */
  answered = false;

  // Set by `admit` (`request` is undefined only for a call refused before its envelope was read).
  request: RpcRequest | undefined = undefined;
  /** The declared method, if any: undefined is refused METHOD_NOT_FOUND once the rate limit admitted the call. */
  registered: RegisteredMethod | undefined = undefined;
  /** The metrics label: the method's full name, `unknown` for a method nobody declares. */
  methodLabel = 'unknown';
  /** The caller the rate limit and idempotency keys belong to: its user_id, else the service. */
  scope = SERVICE_SCOPE;

  // Set by `prepare`, read only by the steps after it.
  method!: RegisteredMethod;
  /** The parameters as bound from args and kwargs: what the idempotency fingerprint covers. */
  bound!: Record<string, unknown>;
  /** The validated DTO instance the handler receives. */
  params!: object;
  timeoutMs = 0;

  constructor(
    readonly incoming: IncomingCall,
    readonly traceId: string,
    readonly respond: Respond,
  ) {
    this.headers = { 'x-trace-id': traceId };
  }
}
