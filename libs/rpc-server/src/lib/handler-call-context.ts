import { RpcCallContext } from '@suite/rpc-contract';
import { LazyAbort } from './run-with-timeout';

/** What a handler learns of its call. A class, so the lazy `signal` getter costs nothing per call. */
export class HandlerCallContext implements RpcCallContext {
  readonly method: string;
  readonly trace_id: string;
  readonly user_id?: string;
  readonly session_id?: string;

  constructor(
    call: Omit<RpcCallContext, 'signal'>,
    private readonly abort: LazyAbort,
  ) {
    this.method = call.method;
    this.trace_id = call.trace_id;
    this.user_id = call.user_id;
    this.session_id = call.session_id;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }
}
