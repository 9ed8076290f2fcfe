/** What a handler knows of the call besides its parameters. */
export interface RpcCallContext {
  readonly method: string;
  readonly trace_id: string;
  readonly user_id?: string;
  readonly session_id?: string;
  /** Aborted when the call's `timeout_ms` expires or the gateway shuts down: stop work where you can. */
  readonly signal: AbortSignal;
}
