import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule } from '@suite/config';
import { RedisConnections, RedisModule } from '@suite/redis';
import { testConfig, uniqueId, waitFor } from '@suite/testing';
import { DistributedLock } from './distributed-lock';
import { DistributedLockModule } from './distributed-lock.module';

async function lockInstance(): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(testConfig()), RedisModule, DistributedLockModule],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe('DistributedLock on real Redis, two instances', () => {
  let first: TestingModule;
  let second: TestingModule;
  let a: DistributedLock;
  let b: DistributedLock;

  beforeAll(async () => {
    [first, second] = await Promise.all([lockInstance(), lockInstance()]);
    a = first.get(DistributedLock);
    b = second.get(DistributedLock);
  });

  afterAll(async () => {
    await Promise.all([first.close(), second.close()]);
  });

  it('is held by one owner at a time, under lock:{type}:{resource} with the resource as hash tag', async () => {
    const resource = uniqueId('r');
    const held = await a.acquire('test', resource, 10_000);
    expect(held).not.toBeNull();
    expect(held?.key).toBe(`lock:test:{${resource}}`);
    expect(await b.acquire('test', resource, 10_000)).toBeNull();
    expect(await first.get(RedisConnections).command.get(`lock:test:{${resource}}`)).toBe(held?.token);
    expect(await b.isLocked('test', resource)).toBe(true);
  });

  it('a release by a non-owner does nothing', async () => {
    const resource = uniqueId('r');
    const held = await a.acquire('test', resource, 10_000);
    if (!held) throw new Error('not acquired');
    expect(await b.release({ ...held, token: 'someone-else' })).toBe(false);
    expect(await b.isLocked('test', resource)).toBe(true);
    expect(await b.acquire('test', resource, 10_000)).toBeNull();
    expect(await a.release(held)).toBe(true);
    expect(await b.isLocked('test', resource)).toBe(false);
  });

  it('an expired lock is taken over, and the old owner can neither release nor extend the new owner\'s lock', async () => {
    const resource = uniqueId('r');
    const old = await a.acquire('test', resource, 100);
    if (!old) throw new Error('not acquired');
    await waitFor(async () => !(await a.isLocked('test', resource)), 'the lock to expire', 5000, 20);
    const taken = await b.acquire('test', resource, 10_000);
    if (!taken) throw new Error('not taken over');
    expect(taken.fence).toBeGreaterThan(old.fence);

    expect(await a.release(old)).toBe(false);
    expect(await a.extend(old, 60_000)).toBe(false);
    expect(await a.isLocked('test', resource)).toBe(true);
    expect(await a.acquire('test', resource, 10_000)).toBeNull();
    const redis = first.get(RedisConnections).command;
    expect(await redis.pttl(taken.key)).toBeLessThanOrEqual(10_000); // the old owner's extend changed nothing
    expect(await b.release(taken)).toBe(true);
  });

  it('fencing counters increase on every acquisition, across instances', async () => {
    const resource = uniqueId('r');
    const fences: number[] = [];
    for (let round = 0; round < 6; round += 1) {
      const locks = round % 2 === 0 ? a : b;
      const held = await locks.acquire('test', resource, 10_000);
      if (!held) throw new Error('not acquired');
      fences.push(held.fence);
      await locks.release(held);
    }
    expect(fences).toEqual([...fences].sort((x, y) => x - y));
    expect(new Set(fences).size).toBe(fences.length);
    expect(await a.currentFence('test', resource)).toBe(fences.at(-1));
  });

  it('extend by the owner prolongs the lock; by a non-owner fails', async () => {
    const resource = uniqueId('r');
    const held = await a.acquire('test', resource, 1000);
    if (!held) throw new Error('not acquired');
    expect(await b.extend({ ...held, token: 'intruder' }, 60_000)).toBe(false);
    const redis = first.get(RedisConnections).command;
    expect(await redis.pttl(held.key)).toBeLessThanOrEqual(1000);
    expect(await a.extend(held, 60_000)).toBe(true);
    expect(await redis.pttl(held.key)).toBeGreaterThan(50_000);
    await a.release(held);
  });

  it('withLock runs the work once among racing instances, keeps the lock alive past its TTL, then releases it', async () => {
    const resource = uniqueId('r');
    let runs = 0;
    const work = async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 700)); // longer than the 300 ms TTL: renewed meanwhile
      return 'done';
    };
    const [x, y] = await Promise.all([a.withLock('test', resource, 300, work), b.withLock('test', resource, 300, work)]);
    expect(runs).toBe(1);
    expect([x, y].filter((outcome) => outcome?.value === 'done')).toHaveLength(1);
    expect(await a.isLocked('test', resource)).toBe(false);
  });

  it('discard forgets the lock and its counter', async () => {
    const resource = uniqueId('r');
    await a.acquire('test', resource, 10_000);
    await a.discard('test', resource);
    expect(await a.isLocked('test', resource)).toBe(false);
    expect(await a.currentFence('test', resource)).toBe(0);
  });
});
