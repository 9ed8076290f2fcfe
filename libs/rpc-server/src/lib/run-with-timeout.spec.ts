import { CallTimeoutError, LazyAbort, runWithTimeout, Settle } from './run-with-timeout';

interface Recorded<T> {
  settle: Settle<T>;
  calls: Array<{ value: T } | { error: unknown }>;
}

function recorder<T>(): Recorded<T> {
  const calls: Recorded<T>['calls'] = [];
  return { calls, settle: { value: (value) => calls.push({ value }), error: (error) => calls.push({ error }) } };
}

const later = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('runWithTimeout', () => {
  it('settles a synchronous answer at once, without waiting for a turn', () => {
    const { settle, calls } = recorder<number>();
    runWithTimeout(1000, () => 42, settle);
    expect(calls).toEqual([{ value: 42 }]);
  });

  it('settles a synchronous throw as an error', () => {
    const { settle, calls } = recorder<number>();
    const failure = new Error('refused');
    runWithTimeout(
      1000,
      () => {
        throw failure;
      },
      settle,
    );
    expect(calls).toEqual([{ error: failure }]);
  });

  it('settles an awaited value once, and the deadline passing later changes nothing', async () => {
    const { settle, calls } = recorder<string>();
    runWithTimeout(30, async () => 'done', settle);
    expect(calls).toEqual([]);
    await later(60);
    expect(calls).toEqual([{ value: 'done' }]);
  });

  it('settles a rejection as an error', async () => {
    const { settle, calls } = recorder<string>();
    const failure = new Error('handler failed');
    runWithTimeout(1000, () => Promise.reject(failure), settle);
    await later(0);
    expect(calls).toEqual([{ error: failure }]);
  });

  it('settles CallTimeoutError at the deadline, aborts the signal, and ignores the late answer', async () => {
    const { settle, calls } = recorder<string>();
    let abort: LazyAbort | undefined;
    runWithTimeout(
      20,
      async (given) => {
        abort = given;
        await later(80);
        return 'too late';
      },
      settle,
    );
    await later(50);
    expect(calls).toHaveLength(1);
    const [only] = calls;
    expect('error' in only && only.error).toBeInstanceOf(CallTimeoutError);
    expect(abort?.signal.aborted).toBe(true);
    expect(abort?.signal.reason).toBeInstanceOf(CallTimeoutError);
    await later(60);
    expect(calls).toHaveLength(1);
  });

  it('clears its timer once the work settles: no timer outlives a call', async () => {
    jest.useFakeTimers();
    try {
      const { settle, calls } = recorder<string>();
      const failing = recorder<string>();
      runWithTimeout(120_000, async () => 'done', settle);
      runWithTimeout(120_000, () => Promise.reject(new Error('no')), failing.settle);
      expect(jest.getTimerCount()).toBe(2);
      await Promise.resolve();
      await Promise.resolve();
      expect(calls).toEqual([{ value: 'done' }]);
      expect(failing.calls).toHaveLength(1);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not abort the signal of work that finished in time', async () => {
    const { settle, calls } = recorder<string>();
    let abort: LazyAbort | undefined;
    runWithTimeout(
      30,
      async (given) => {
        abort = given;
        return 'quick';
      },
      settle,
    );
    await later(60);
    expect(calls).toEqual([{ value: 'quick' }]);
    expect(abort?.signal.aborted).toBe(false);
  });
});
