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

/**
 * Runs `work` with an AbortSignal that fires after `timeoutMs`; rejects with CallTimeoutError at
 * that moment even if the work ignores the signal. Work that answers synchronously needs no timer
 * and gets no promise: the RPC hot path creates as few as it can.
 */
export function runWithTimeout<T>(timeoutMs: number, work: (abort: LazyAbort) => Promise<T> | T): Promise<T> | T {
  const abort = new LazyAbort();
  const outcome = work(abort);
  if (!(outcome instanceof Promise)) return outcome;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = new CallTimeoutError(timeoutMs);
      abort.abort(error);
      reject(error);
    }, timeoutMs);
    outcome.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
