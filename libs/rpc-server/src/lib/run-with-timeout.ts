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
  private reason?: unknown;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/** How a call ends: exactly one of the two is called, once. Neither may throw. */
export interface Settle<T> {
  value(value: T): void;
  error(error: unknown): void;
}

/**
 * Runs `work` with an AbortSignal that fires after `timeoutMs` (kept in `deadlines`), and settles
 * with CallTimeoutError at that moment even if the work ignores the signal. Callbacks rather than a
 * promise: on the RPC hot path every promise costs twice (AsyncLocalStorage tracks each one), and
 * work that answers synchronously needs no deadline and no promise at all.
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
  const deadline = deadlines.start(timeoutMs, () => {
    if (!pending) return;
    pending = false;
    const error = new CallTimeoutError(timeoutMs);
    abort.abort(error);
    settle.error(error);
  });
  outcome.then(
    (value) => {
      if (!pending) return;
      pending = false;
      deadline.cancel();
      settle.value(value);
    },
    (error: unknown) => {
      if (!pending) return;
      pending = false;
      deadline.cancel();
      settle.error(error);
    },
  );
}
