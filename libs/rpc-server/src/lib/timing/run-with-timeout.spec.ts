import { CallDeadlines } from './call-deadlines';
import { CallTimeoutError, LazyAbort, runWithTimeout, Settle } from './run-with-timeout';

interface Recorded<T> {
  settle: Settle<T>;
  calls: Array<{ value: T } | { error: unknown }>;
}

function recorder<T>(): Recorded<T> {
  const calls: Recorded<T>['calls'] = [];
  return { calls, settle: { value: (value) => calls.push({ value }), error: (error) => calls.push({ error }) } };
}

/** A settle that also asks how work that outlived its deadline really ended. */
function lateRecorder<T>(): Recorded<T> & { late: Array<{ value: T } | { error: unknown }> } {
  const { calls, settle } = recorder<T>();
  const late: Array<{ value: T } | { error: unknown }> = [];
  return { calls, late, settle: { ...settle, lateValue: (value) => late.push({ value }), lateError: (error) => late.push({ error }) } };
}

const later = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('runWithTimeout', () => {
  let deadlines: CallDeadlines;
  beforeEach(() => {
    deadlines = new CallDeadlines();
  });

  it('settles a synchronous answer at once, without waiting for a turn', () => {
    const { settle, calls } = recorder<number>();
    runWithTimeout(deadlines, 1000, () => 42, settle);
    expect(calls).toEqual([{ value: 42 }]);
  });

  it('settles a synchronous throw as an error', () => {
    const { settle, calls } = recorder<number>();
    const failure = new Error('refused');
    runWithTimeout(deadlines, 
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
    runWithTimeout(deadlines, 30, async () => 'done', settle);
    expect(calls).toEqual([]);
    await later(60);
    expect(calls).toEqual([{ value: 'done' }]);
  });

  it('settles a rejection as an error', async () => {
    const { settle, calls } = recorder<string>();
    const failure = new Error('handler failed');
    runWithTimeout(deadlines, 1000, () => Promise.reject(failure), settle);
    await later(0);
    expect(calls).toEqual([{ error: failure }]);
  });

  it('settles CallTimeoutError at the deadline, aborts the signal, and ignores the late answer', async () => {
    const { settle, calls } = recorder<string>();
    let abort: LazyAbort | undefined;
    runWithTimeout(deadlines, 
      20,
      async (given: LazyAbort) => {
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

  it('cancels its deadline once the work settles: no deadline or timer outlives a call', async () => {
    jest.useFakeTimers();
    try {
      const { settle, calls } = recorder<string>();
      const failing = recorder<string>();
      runWithTimeout(deadlines, 120_000, async () => 'done', settle);
      runWithTimeout(deadlines, 120_000, () => Promise.reject(new Error('no')), failing.settle);
      expect(deadlines.size).toBe(2);
      expect(jest.getTimerCount()).toBe(1);
      await Promise.resolve();
      await Promise.resolve();
      expect(calls).toEqual([{ value: 'done' }]);
      expect(failing.calls).toHaveLength(1);
      expect(deadlines.size).toBe(0);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not abort the signal of work that finished in time', async () => {
    const { settle, calls } = recorder<string>();
    let abort: LazyAbort | undefined;
    runWithTimeout(deadlines, 
      30,
      async (given: LazyAbort) => {
        abort = given;
        return 'quick';
      },
      settle,
    );
    await later(60);
    expect(calls).toEqual([{ value: 'quick' }]);
    expect(abort?.signal.aborted).toBe(false);
  });

  it('reports how work that outlived its deadline really ended, when asked', async () => {
    const succeeding = lateRecorder<string>();
    const failing = lateRecorder<string>();
    const failure = new Error('failed after the deadline');
    runWithTimeout(deadlines, 10, () => later(40).then(() => 'done at last'), succeeding.settle);
    runWithTimeout(deadlines, 10, () => later(40).then(() => Promise.reject(failure)), failing.settle);
    await later(25);
    for (const { calls, late } of [succeeding, failing]) {
      expect(calls).toHaveLength(1);
      expect('error' in calls[0] && calls[0].error).toBeInstanceOf(CallTimeoutError);
      expect(late).toEqual([]);
    }
    await later(50);
    expect(succeeding.late).toEqual([{ value: 'done at last' }]);
    expect(failing.late).toEqual([{ error: failure }]);
    expect(succeeding.calls).toHaveLength(1);
  });

  it('reports nothing late for work that finished in time', async () => {
    const { settle, calls, late } = lateRecorder<string>();
    runWithTimeout(deadlines, 50, async () => 'quick', settle);
    await later(80);
    expect(calls).toEqual([{ value: 'quick' }]);
    expect(late).toEqual([]);
  });

  it('aborts the signal of every call in flight on abortAll, keeping the first reason', async () => {
    const { settle, calls } = recorder<string>();
    let abort: LazyAbort | undefined;
    runWithTimeout(
      deadlines,
      40,
      (given: LazyAbort) => {
        abort = given;
        return later(100).then(() => 'late');
      },
      settle,
    );
    runWithTimeout(deadlines, 40, () => 'synchronous', recorder<string>().settle);
    const shutdown = new Error('shutting down');
    expect(deadlines.abortAll(shutdown)).toBe(1);
    expect(abort?.signal.aborted).toBe(true);
    expect(abort?.signal.reason).toBe(shutdown);
    await later(60);
    // The deadline still answers a call whose work ignores the signal; the reason stays the shutdown's.
    expect('error' in calls[0] && calls[0].error).toBeInstanceOf(CallTimeoutError);
    expect(abort?.signal.reason).toBe(shutdown);
  });
});
