/** What a handler knows of the call besides its parameters. */
export interface RpcCallContext {
  readonly method: string;
  readonly trace_id: string;
  readonly user_id?: string;
  readonly session_id?: string;
  /**
   * Aborted when the call's `timeout_ms` expires (reason: a timeout error) or when the gateway is
   * still running the call SHUTDOWN_GRACE_MS into its drain (reason: RpcError UNAVAILABLE). Stop
   * work where you can; on shutdown, rejecting with `signal.reason` tells the caller to retry.
   */
  readonly signal: AbortSignal;
}
