import { LogContext } from '@suite/logging';
import { performance } from 'node:perf_hooks';
import { CallDeadlines } from './call-deadlines';

const later = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('CallDeadlines', () => {
  let deadlines: CallDeadlines;
  beforeEach(() => {
    deadlines = new CallDeadlines();
  });

  it('expires the calls that were not cancelled, once their timeout has passed', async () => {
    const expired: string[] = [];
    const started = performance.now();
    const first = deadlines.start(30, () => expired.push('first'));
    const second = deadlines.start(30, () => expired.push('second'));
    deadlines.start(30, () => expired.push('third'));
    second.cancel();
    expect(deadlines.size).toBe(2);
    await later(10);
    expect(expired).toEqual([]);
    await later(50);
    expect(expired).toEqual(['first', 'third']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(30);
    expect(deadlines.size).toBe(0);
    first.cancel(); // cancelling after expiry changes nothing
    expect(deadlines.size).toBe(0);
  });

  it('expires each call at its own time whatever the mix of timeouts', async () => {
    const expired: Array<{ name: string; afterMs: number }> = [];
    const started = performance.now();
    const record = (name: string) => () => expired.push({ name, afterMs: performance.now() - started });
    deadlines.start(80, record('80 ms'));
    deadlines.start(20, record('20 ms'));
    deadlines.start(50, record('50 ms'));
    await later(130);
    expect(expired.map(({ name }) => name)).toEqual(['20 ms', '50 ms', '80 ms']);
    for (const { name, afterMs } of expired) expect(afterMs).toBeGreaterThanOrEqual(Number.parseInt(name, 10) - 1);
  });

  it('an expiry that starts a call of the same timeout does not delay the older calls still waiting', async () => {
    const expired: Array<{ name: string; afterMs: number }> = [];
    const started = performance.now();
    deadlines.start(60, () => {
      expired.push({ name: 'a', afterMs: performance.now() - started });
      deadlines.start(60, () => expired.push({ name: 'c', afterMs: performance.now() - started }));
    });
    await later(25);
    deadlines.start(60, () => expired.push({ name: 'b', afterMs: performance.now() - started }));
    await later(150);
    expect(expired.map(({ name }) => name)).toEqual(['a', 'b', 'c']);
    // b is due at about 85 ms; waiting for c's timer would put it at about 120 ms.
    expect(expired[1].afterMs).toBeLessThan(110);
  });

  it('handles an expiry in the log context of its own call, not in that of the call that armed the timer', async () => {
    const seen: Array<string | undefined> = [];
    LogContext.run({ trace_id: 'first-call' }, () => deadlines.start(20, () => seen.push(LogContext.current().trace_id)));
    LogContext.run({ trace_id: 'second-call' }, () => deadlines.start(20, () => seen.push(LogContext.current().trace_id)));
    await later(60);
    expect(seen).toEqual(['first-call', 'second-call']);
  });

  it('leaves no timer behind once every call is cancelled', () => {
    jest.useFakeTimers();
    try {
      const calls = [deadlines.start(120_000, () => undefined), deadlines.start(120_000, () => undefined), deadlines.start(5_000, () => undefined)];
      expect(jest.getTimerCount()).toBe(2);
      for (const call of calls) call.cancel();
      expect(jest.getTimerCount()).toBe(0);
      expect(deadlines.size).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
