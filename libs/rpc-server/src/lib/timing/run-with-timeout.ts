import { CallDeadlines } from './call-deadlines';

export class CallTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the call did not finish within ${timeoutMs} ms`);
    this.name = 'CallTimeoutError';
  }
}

/** An AbortSignal made only when a handler asks for it (most never do; making one costs on the hot path). */
export class LazyAbort {
  private controller?: AbortController;
  private aborted = false;
  private reason?: unknown;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** The first reason wins: a call aborted by the shutdown keeps that reason when its deadline passes. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/**
 * How a call ends: exactly one of `value` and `error` is called, once. None may throw.
 * Work that outlives its deadline settles `error(CallTimeoutError)` at the deadline, and then, if
 * the settle asks for it, how the work really ended through `lateValue` or `lateError` (once).
 */
export interface Settle<T> {
  value(value: T): void;
  error(error: unknown): void;
  lateValue?(value: T): void;
  lateError?(error: unknown): void;
}

/**
 * Runs `work` with an AbortSignal that fires after `timeoutMs` (kept in `deadlines`, which can
 * also abort every call in flight), and settles with CallTimeoutError at that moment even if the
 * work ignores the signal. Callbacks rather than a promise: on the RPC hot path every promise
 * costs twice (AsyncLocalStorage tracks each one), and work that answers synchronously needs no
 * deadline and no promise at all.
 */
export function runWithTimeout<T>(deadlines: CallDeadlines, timeoutMs: number, work: (abort: LazyAbort) => Promise<T> | T, settle: Settle<T>): void {
  const abort = new LazyAbort();
  let outcome: Promise<T> | T;
  try {
    outcome = work(abort);
  } catch (error) {
    settle.error(error);
    return;
  }
  if (!(outcome instanceof Promise)) {
    settle.value(outcome);
    return;
  }
  let pending = true;
  const deadline = deadlines.start(
    timeoutMs,
    () => {
      if (!pending) return;
      pending = false;
      const error = new CallTimeoutError(timeoutMs);
      abort.abort(error);
      settle.error(error);
    },
    abort,
  );
  outcome.then(
    (value) => {
      if (!pending) return settle.lateValue?.(value);
      pending = false;
      deadline.cancel();
      settle.value(value);
    },
    (error: unknown) => {
      if (!pending) return settle.lateError?.(error);
      pending = false;
      deadline.cancel();
      settle.error(error);
    },
  );
}
