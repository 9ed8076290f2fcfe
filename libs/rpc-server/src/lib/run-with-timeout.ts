export class CallTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the call did not finish within ${timeoutMs} ms`);
    this.name = 'CallTimeoutError';
  }
}

/**
 * Runs `work` with an AbortSignal that fires after `timeoutMs`; rejects with CallTimeoutError at
 * that moment even if the work ignores the signal. Work that answers synchronously needs no timer.
 */
export async function runWithTimeout<T>(timeoutMs: number, work: (signal: AbortSignal) => Promise<T> | T): Promise<T> {
  const controller = new AbortController();
  const outcome = work(controller.signal);
  if (!(outcome instanceof Promise)) return outcome;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new CallTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([outcome, expired]);
  } finally {
    clearTimeout(timer);
  }
}
