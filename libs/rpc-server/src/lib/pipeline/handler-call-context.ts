import { RpcCallContext } from '@suite/rpc-contract';
import { LazyAbort } from '../timing/run-with-timeout';
import { CallState } from './call-state';

/** What a handler learns of its call. A class, so the lazy `signal` getter costs nothing per call. */
export class HandlerCallContext implements RpcCallContext {
  readonly method: string;
  readonly trace_id: string;
  readonly user_id?: string;
  readonly session_id?: string;

  constructor(
    call: CallState,
    private readonly abort: LazyAbort,
  ) {
    this.method = call.method.fullName;
    this.trace_id = call.traceId;
    this.user_id = call.request?.user_id;
    this.session_id = call.request?.session_id;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }
}
