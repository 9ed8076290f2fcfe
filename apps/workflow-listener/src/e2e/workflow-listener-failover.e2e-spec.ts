import { buildWorkflowCacheKey, buildWorkflowLeaseKey } from '@suite/redis-namespaces';
import { ManagedProcess, spawnApp, testRedisClient, TestRedis, uniqueId, waitFor, writeFirestoreDocument, useIsolatedRedis } from '@suite/testing';
import { EventCollector, invoice, markOffline, markOnline, notificationPath, writeTask } from './workflow-test-kit';

const LEASE_TTL_MS = 2500;
const SETTINGS = { WORKFLOW_LEASE_TTL_MS: String(LEASE_TTL_MS), WORKFLOW_RECONCILE_INTERVAL_MS: '400', LOG_LEVEL: 'info' };

const stepsOf = (n: number) => ({ step_extract_data: n, step_validate_data: 0 });

// The listener takes every online user: other test files' users must not be on its Redis.
useIsolatedRedis();

/**
 * Two real listener processes share six online users: instance A may hold at most three, so B
 * holds the others. Every change gives exactly one event; after kill -9 of A, B takes A's users
 * over once their leases expire, publishing the change made during the handover once and the
 * changes after it once.
 */
describe('two workflow-listener processes: exactly one event per change, and kill -9 of an owner', () => {
  const prefix = uniqueId('wff');
  const users = Array.from({ length: 6 }, (_unused, index) => `${prefix}-${index}`);
  let redis: TestRedis;
  let events: EventCollector;
  let a: ManagedProcess;
  let b: ManagedProcess;
  let c: ManagedProcess | undefined;

  const ownerPid = async (userId: string): Promise<number | null> => {
    const owner = await redis.hget(buildWorkflowLeaseKey(userId), 'owner');
    return owner ? Number(owner.split(':')[1]) : null;
  };

  beforeAll(async () => {
    redis = testRedisClient();
    events = await EventCollector.start(prefix);
    for (const user of users) {
      await writeTask(user, 'job1', invoice({ invoiceReference: 'v0', currency: 'EUR' }, stepsOf(0)));
      await writeFirestoreDocument(notificationPath(user, 'n1'), { job_id: 'n1', status: 'queued' });
    }
    await markOnline(redis, ...users);
    a = spawnApp('workflow-listener', { ...SETTINGS, WORKFLOW_MAX_USERS_PER_INSTANCE: '3' });
    // The first instance up takes users up to its cap: B starts once A holds its three, so the
    // split does not depend on which process boots faster.
    const heldByA = async () => (await Promise.all(users.map(ownerPid))).filter((pid) => pid === a.child.pid).length === 3;
    await waitFor(heldByA, 'the first instance to hold three users', 60_000, 200);
    b = spawnApp('workflow-listener', { ...SETTINGS, WORKFLOW_MAX_USERS_PER_INSTANCE: '6' });
    const seeded = async () => (await Promise.all(users.map((user) => redis.hlen(buildWorkflowCacheKey(user))))).every((entries) => entries === 2);
    await waitFor(seeded, 'both instances to watch every user and seed the caches', 90_000, 200);
  }, 120_000);

  afterAll(async () => {
    if (b?.child.exitCode === null) b.child.kill('SIGCONT');
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    await markOffline(redis, ...users);
    await events.stop();
    await redis.quit();
  });

  it('splits the users between the two instances, each user held by exactly one', async () => {
    const owners = await Promise.all(users.map(ownerPid));
    expect(owners.every((pid) => pid === a.child.pid || pid === b.child.pid)).toBe(true);
    expect(owners.filter((pid) => pid === a.child.pid).length).toBeGreaterThan(0);
    expect(owners.filter((pid) => pid === b.child.pid).length).toBeGreaterThan(0);
    expect(events.events).toEqual([]);
  });

  it('every change gives exactly one event', async () => {
    await Promise.all(users.map((user) => writeTask(user, 'job1', invoice({ invoiceReference: 'v1', currency: 'EUR' }, stepsOf(0)))));
    for (const user of users) await events.waitFor(user, 1, `the v1 event of ${user}`);
    // A second round as a barrier: a duplicate of the first would show before it.
    await Promise.all(users.map((user) => writeTask(user, 'job1', invoice({ invoiceReference: 'v1', currency: 'EUR' }, stepsOf(1)))));
    for (const user of users) {
      await events.waitFor(user, 2, `the step event of ${user}`);
      expect(events.of(user).map((event) => [event.type, event.payload])).toEqual([
        ['workflow.invoice_update', { invoice_changes: { invoiceReference: 'v1' } }],
        ['workflow.step_update', { step_changes: { APBookeeper_step_status: { step_extract_data: 1 } } }],
      ]);
    }
  });

  it('kill -9 of an owner: its users are taken over after the lease TTL; the change made during the handover and the ones after are published once each', async () => {
    const owners = await Promise.all(users.map(ownerPid));
    const ofA = users.filter((_user, index) => owners[index] === a.child.pid);
    const ofB = users.filter((_user, index) => owners[index] === b.child.pid);
    await a.kill(); // SIGKILL: no release, its leases just expire

    // During the handover: nobody publishes these yet.
    await Promise.all(ofA.map((user) => writeTask(user, 'job1', invoice({ invoiceReference: 'v2', currency: 'EUR' }, stepsOf(1)))));
    await waitFor(async () => (await Promise.all(ofA.map(ownerPid))).every((pid) => pid === b.child.pid), 'B to take over the users of A', LEASE_TTL_MS * 8, 100);
    for (const user of ofA) await events.waitFor(user, 3, `the handover change of ${user}`, 20_000);

    // After the takeover.
    await Promise.all(ofA.map((user) => writeTask(user, 'job1', invoice({ invoiceReference: 'v2', currency: 'EUR' }, stepsOf(2)))));
    await Promise.all(ofB.map((user) => writeTask(user, 'job1', invoice({ invoiceReference: 'v1', currency: 'GBP' }, stepsOf(1)))));
    for (const user of ofA) await events.waitFor(user, 4, `the post-takeover change of ${user}`);
    for (const user of ofB) await events.waitFor(user, 3, `the change of ${user}`);

    for (const user of ofA) {
      expect(events.of(user).slice(2).map((event) => [event.type, event.payload])).toEqual([
        ['workflow.invoice_update', { invoice_changes: { invoiceReference: 'v2' } }],
        ['workflow.step_update', { step_changes: { APBookeeper_step_status: { step_extract_data: 2 } } }],
      ]);
    }
    for (const user of ofB) {
      expect(events.of(user).slice(2).map((event) => [event.type, event.payload])).toEqual([['workflow.invoice_update', { invoice_changes: { currency: 'GBP' } }]]);
    }
    expect(b.output()).toContain('workflow_listener_start');
  }, 90_000);

  it('a paused owner (SIGSTOP past its lease) publishes nothing once it wakes: the new owner alone publishes', async () => {
    c = spawnApp('workflow-listener', { ...SETTINGS, WORKFLOW_MAX_USERS_PER_INSTANCE: '6' });
    const next = c;
    await waitFor(() => next.output().includes('"event":"started"'), 'C to start', 60_000, 200);
    const before = new Map(users.map((user) => [user, events.of(user).length]));
    b.child.kill('SIGSTOP');
    await waitFor(async () => (await Promise.all(users.map(ownerPid))).every((pid) => pid === next.child.pid), 'C to take over every user', LEASE_TTL_MS * 8, 100);
    await Promise.all(users.map((user) => writeTask(user, 'job1', invoice({ invoiceReference: 'v3', currency: 'EUR' }, stepsOf(3)))));
    for (const user of users) await events.waitFor(user, (before.get(user) ?? 0) + 2, `C's events of ${user}`);
    b.child.kill('SIGCONT'); // B wakes up with stale leases and perhaps the same snapshots queued
    await waitFor(() => b.output().includes('workflow_lease_lost'), 'B to notice it lost its leases', 20_000, 100);
    await Promise.all(users.map((user) => writeTask(user, 'job1', invoice({ invoiceReference: 'v4', currency: 'EUR' }, stepsOf(3)))));
    for (const user of users) {
      await events.waitFor(user, (before.get(user) ?? 0) + 3, `the barrier event of ${user}`);
      // B's own users had their currency changed to GBP above; v3 sets EUR again.
      const hadGbp = events.of(user).some((event) => JSON.stringify(event.payload).includes('GBP'));
      expect(events.of(user).slice(before.get(user)).map((event) => [event.type, event.payload])).toEqual([
        ['workflow.invoice_update', { invoice_changes: { invoiceReference: 'v3', ...(hadGbp ? { currency: 'EUR' } : {}) } }],
        ['workflow.step_update', { step_changes: { APBookeeper_step_status: { step_extract_data: 3 } } }],
        ['workflow.invoice_update', { invoice_changes: { invoiceReference: 'v4' } }],
      ]);
    }
  }, 120_000);
});
