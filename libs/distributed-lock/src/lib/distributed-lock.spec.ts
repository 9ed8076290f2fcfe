import type { RedisConnections } from '@suite/redis';
import { DistributedLock, HeldLock } from './distributed-lock';

/** The Lua steps are tested on real Redis (distributed-lock.e2e-spec.ts); here, what withLock does around them. */
class ScriptedLock extends DistributedLock {
  available = true;
  /** What each extension finds: true while the lock is still ours. */
  extensions: boolean[] = [];
  readonly calls: string[] = [];

  constructor() {
    super({} as RedisConnections);
  }

  override async acquire(type: string, resource: string): Promise<HeldLock | null> {
    this.calls.push('acquire');
    return this.available ? { type, resource, key: `lock:${type}:{${resource}}`, token: 'owner', fence: 7 } : null;
  }

  override async extend(): Promise<boolean> {
    this.calls.push('extend');
    return this.extensions.shift() ?? true;
  }

  override async release(): Promise<boolean> {
    this.calls.push('release');
    return true;
  }
}

describe('DistributedLock.withLock', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs nothing and answers null when another owner holds the lock', async () => {
    const lock = new ScriptedLock();
    lock.available = false;
    const work = jest.fn();
    await expect(lock.withLock('cron', 'a', 3000, work)).resolves.toBeNull();
    expect(work).not.toHaveBeenCalled();
    expect(lock.calls).toEqual(['acquire']);
  });

  it('hands the work its fence, extends every third of the TTL while it runs, then releases', async () => {
    const lock = new ScriptedLock();
    let finish: (value: string) => void = () => undefined;
    const running = lock.withLock('cron', 'a', 3000, ({ fence }) => new Promise<string>((resolve) => (finish = (value) => resolve(`${value}:${fence}`))));
    await jest.advanceTimersByTimeAsync(3500);
    expect(lock.calls).toEqual(['acquire', 'extend', 'extend', 'extend']);
    finish('done');
    await expect(running).resolves.toEqual({ value: 'done:7' });
    expect(lock.calls.at(-1)).toBe('release');
    await jest.advanceTimersByTimeAsync(5000);
    expect(lock.calls.filter((call) => call === 'extend')).toHaveLength(3); // no extension after the end
  });

  it('aborts the work signal when an extension finds the lock lost', async () => {
    const lock = new ScriptedLock();
    lock.extensions = [true, false];
    let signal: AbortSignal | undefined;
    let finish: () => void = () => undefined;
    const running = lock.withLock('cron', 'a', 3000, (handle) => {
      signal = handle.signal;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    await jest.advanceTimersByTimeAsync(1000);
    expect(signal?.aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(1000);
    expect(signal?.aborted).toBe(true);
    finish();
    await running;
  });

  it('releases the lock when the work throws, and passes the error on', async () => {
    const lock = new ScriptedLock();
    await expect(lock.withLock('cron', 'a', 3000, () => Promise.reject(new Error('work failed')))).rejects.toThrow('work failed');
    expect(lock.calls).toEqual(['acquire', 'release']);
  });
});
