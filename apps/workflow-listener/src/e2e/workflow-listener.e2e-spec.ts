import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule } from '@suite/config';
import { EventPublisher } from '@suite/events';
import { RedisConnections, RedisModule } from '@suite/redis';
import { buildEventStreamKey, buildWorkflowCacheKey, buildWorkflowLeaseKey } from '@suite/redis-namespaces';
import { testConfig, testRedisClient, TestRedis, uniqueId, waitFor, writeFirestoreDocument, useIsolatedRedis } from '@suite/testing';
import { WorkflowControlClient, WorkflowFleet, WorkflowLeases } from '@suite/workflow-watch';
import { WorkflowListenerModule } from '../workflow-listener.module';
import { EventCollector, invoice, markOffline, markOnline, notificationPath, writeTask } from './workflow-test-kit';

const FAST = { WORKFLOW_LEASE_TTL_MS: '3000', WORKFLOW_RECONCILE_INTERVAL_MS: '300' };

async function listener(overrides: Record<string, string> = {}): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({ imports: [WorkflowListenerModule.register(testConfig({ ...FAST, ...overrides }))] }).compile();
  await moduleRef.init();
  return moduleRef;
}

const attached = (fleet: WorkflowFleet, userId: string) => fleet.watchOf(userId)?.attachedListeners === 2;

// The listener takes every online user: other test files' users must not be on its Redis.
useIsolatedRedis();

describe('workflow listener (one instance, real Firestore emulator and Redis)', () => {
  let redis: TestRedis;
  let events: EventCollector;
  let app: TestingModule;
  let fleet: WorkflowFleet;
  const prefix = uniqueId('wfl');
  const user = `${prefix}-a`;

  beforeAll(async () => {
    redis = testRedisClient();
    events = await EventCollector.start(prefix);
    await writeTask(user, 'job1', invoice({ invoiceReference: 'INV-1', currency: 'EUR', totalAmountDueVATIncluded: 120 }, { step_extract_data: 1, step_validate_data: 0 }));
    await writeFirestoreDocument(notificationPath(user, 'n1'), { job_id: 'n1', status: 'running' });
    await markOnline(redis, user);
    app = await listener();
    fleet = app.get(WorkflowFleet);
    await waitFor(() => attached(fleet, user), 'the listener to attach both collections');
    await waitFor(async () => (await redis.hlen(buildWorkflowCacheKey(user))) === 2, 'the first snapshots to seed the cache');
  });

  afterAll(async () => {
    await app?.close();
    await markOffline(redis, user);
    await events.stop();
    await redis.quit();
  });

  it('the first snapshot seeds the cache and publishes nothing', () => {
    expect(events.of(user)).toEqual([]);
    expect(fleet.state()).toMatchObject({ enabled: true, users: [user], listeners: 2, cache_entries: 2 });
  });

  it('two invoice fields changed give one event naming exactly those two, with the document id as job_id', async () => {
    await writeTask(user, 'job1', invoice({ invoiceReference: 'INV-2', currency: 'USD', totalAmountDueVATIncluded: 120 }, { step_extract_data: 1, step_validate_data: 0 }));
    const [event] = await events.waitFor(user, 1, 'the invoice event');
    expect(event).toMatchObject({ type: 'workflow.invoice_update', uid: user, job_id: 'job1', payload: { invoice_changes: { invoiceReference: 'INV-2', currency: 'USD' } } });
    expect(Object.keys((event.payload as { invoice_changes: object }).invoice_changes).sort()).toEqual(['currency', 'invoiceReference']);
  });

  it('one step counter changed gives one event with only that counter', async () => {
    const before = events.of(user).length;
    await writeTask(user, 'job1', invoice({ invoiceReference: 'INV-2', currency: 'USD', totalAmountDueVATIncluded: 120 }, { step_extract_data: 2, step_validate_data: 0 }));
    const all = await events.waitFor(user, before + 1, 'the step event');
    expect(all.slice(before)).toEqual([
      expect.objectContaining({ type: 'workflow.step_update', job_id: 'job1', payload: { step_changes: { APBookeeper_step_status: { step_extract_data: 2 } } } }),
    ]);
  });

  it('an untouched field, an unfollowed field or an unchanged write publishes nothing', async () => {
    const before = events.of(user).length;
    const current = invoice({ invoiceReference: 'INV-2', currency: 'USD', totalAmountDueVATIncluded: 120 }, { step_extract_data: 2, step_validate_data: 0 });
    await writeTask(user, 'job1', current); // same values
    await writeTask(user, 'job1', { ...current, status: 'other', document: { initial_data: { ...current.document.initial_data, notFollowed: 'x' }, file_name: 'b.pdf' } });
    // A barrier: changes of one user are handled in order, so once this one is out the others were judged.
    await writeTask(user, 'job1', invoice({ invoiceReference: 'INV-2', currency: 'USD', totalAmountDueVATIncluded: 130, notFollowed: 'x' }, { step_extract_data: 2, step_validate_data: 0 }));
    const all = await events.waitFor(user, before + 1, 'the barrier event');
    expect(all.slice(before)).toEqual([expect.objectContaining({ type: 'workflow.invoice_update', payload: { invoice_changes: { totalAmountDueVATIncluded: 130 } } })]);
  });

  it('a new task document seeds silently; changing it then publishes', async () => {
    const before = events.of(user).length;
    await writeTask(user, 'job2', invoice({ sender: 'ACME' }, { step_extract_data: 0 }));
    await waitFor(async () => (await redis.hexists(buildWorkflowCacheKey(user), 'task_manager/job2')) === 1, 'job2 in the cache');
    await writeTask(user, 'job2', invoice({ sender: 'ACME SA' }, { step_extract_data: 1 }));
    const all = await events.waitFor(user, before + 2, 'job2 events');
    expect(all.slice(before)).toEqual([
      expect.objectContaining({ type: 'workflow.invoice_update', job_id: 'job2', payload: { invoice_changes: { sender: 'ACME SA' } } }),
      expect.objectContaining({ type: 'workflow.step_update', job_id: 'job2', payload: { step_changes: { APBookeeper_step_status: { step_extract_data: 1 } } } }),
    ]);
  });

  it('a changed notification publishes notif.job_updated with the document', async () => {
    const before = events.of(user).length;
    await writeFirestoreDocument(notificationPath(user, 'n1'), { job_id: 'n1', status: 'completed' });
    const all = await events.waitFor(user, before + 1, 'the notification event');
    expect(all.slice(before)).toEqual([
      expect.objectContaining({ type: 'notif.job_updated', job_id: 'n1', payload: { job_id: 'n1', status: 'completed', collection_path: `clients/${user}/notifications` } }),
    ]);
  });

  it('every event went through the events lib: it is in the user stream, for replay, with the same id', async () => {
    const entries = await redis.xrange(buildEventStreamKey(user), '-', '+');
    expect(entries.map(([id]) => id)).toEqual(events.of(user).map((event) => event.id));
  });

  it('a stale holder (its lease lost) cannot publish or write the cache', async () => {
    const leases = app.get(WorkflowLeases);
    const publisher = app.get(EventPublisher);
    const other = `${prefix}-stale`;
    const lease = await leases.acquire(other, 'instance-a');
    if (!lease) throw new Error('instance-a should get the free lease');
    await redis.del(buildWorkflowLeaseKey(other)); // as if it expired
    const taken = await leases.acquire(other, 'instance-b');
    if (!taken) throw new Error('instance-b should get the expired lease');
    expect(taken.fence).toBe(lease.fence + 1);
    const draft = publisher.draftUserEvent(other, 'workflow.step_update', { step_changes: { APBookeeper_step_status: { s: 1 } } }, { job_id: 'j' });
    const outcome = await leases.commit(lease, { field: 'task_manager/j', expected: undefined, next: '{}', events: [draft] });
    expect(outcome).toEqual({ status: 'stale' });
    expect(await redis.xlen(buildEventStreamKey(other))).toBe(0);
    expect(await redis.hlen(buildWorkflowCacheKey(other))).toBe(0);
    // Same owner token but an old fence (a restarted holder) is refused too.
    expect(await leases.commit({ ...taken, fence: taken.fence - 1 }, { field: 'x', expected: undefined, next: '1', events: [] })).toEqual({ status: 'stale' });
    await leases.release(taken, true);
  });

  it('a user going offline is dropped at the next reconcile, its lease released', async () => {
    const leaving = `${prefix}-leaving`;
    await markOnline(redis, leaving);
    await waitFor(() => attached(fleet, leaving), 'the second user to be watched');
    await markOffline(redis, leaving);
    await waitFor(() => fleet.watchOf(leaving) === undefined, 'the offline user to be dropped');
    expect(await redis.exists(buildWorkflowLeaseKey(leaving))).toBe(0);
  });
});

describe('workflow listener control, watchdog and switch', () => {
  let redis: TestRedis;
  let events: EventCollector;
  const prefix = uniqueId('wfc');

  beforeAll(async () => {
    redis = testRedisClient();
    events = await EventCollector.start(prefix);
  });

  afterAll(async () => {
    await events.stop();
    await redis.quit();
  });

  it('a "watch" control message from the gateway side attaches the user long before any reconcile', async () => {
    const app = await listener({ WORKFLOW_RECONCILE_INTERVAL_MS: '600000', WORKFLOW_LEASE_TTL_MS: '1200000' });
    const control = await Test.createTestingModule({ imports: [ConfigModule.forRoot(testConfig()), RedisModule], providers: [WorkflowControlClient] }).compile();
    const fleet = app.get(WorkflowFleet);
    const user = `${prefix}-ctl`;
    try {
      await app.get(RedisConnections).command.ping();
      await markOnline(redis, user);
      // The microservice subscribes asynchronously: repeat the message until it is heard.
      await waitFor(
        () => {
          control.get(WorkflowControlClient).watch(user);
          return attached(fleet, user);
        },
        'the control message to attach the user',
        15_000,
        300,
      );
      await markOffline(redis, user);
      control.get(WorkflowControlClient).unwatch(user);
      await waitFor(() => fleet.watchOf(user) === undefined, 'the unwatch message to drop the user');
    } finally {
      await control.close();
      await app.close();
    }
  });

  it('a dropped "watch" message is healed by the reconcile with the presence set', async () => {
    const app = await listener({ WORKFLOW_RECONCILE_INTERVAL_MS: '500' });
    const fleet = app.get(WorkflowFleet);
    const user = `${prefix}-lost`;
    try {
      await markOnline(redis, user); // online, and no message sent at all
      await waitFor(() => attached(fleet, user), 'the reconcile to pick the user up');
    } finally {
      await markOffline(redis, user);
      await app.close();
    }
  });

  it('the watchdog re-subscribes a silent listener, which resumes from the cache: nothing repeated, nothing lost', async () => {
    const user = `${prefix}-dog`;
    await writeTask(user, 'j', invoice({ currency: 'EUR' }, { s: 1 }));
    await markOnline(redis, user);
    const app = await listener({ WORKFLOW_WATCHDOG_SILENCE_MS: '600' });
    const fleet = app.get(WorkflowFleet);
    try {
      await waitFor(() => attached(fleet, user), 'attach');
      await waitFor(() => (fleet.watchOf(user)?.subscriptionCount ?? 0) >= 6, 'the watchdog to re-subscribe both listeners twice');
      await writeTask(user, 'j', invoice({ currency: 'CHF' }, { s: 1 }));
      await events.waitFor(user, 1, 'the change after re-subscriptions');
      await waitFor(() => (fleet.watchOf(user)?.subscriptionCount ?? 0) >= 10, 'more re-subscriptions');
      await writeTask(user, 'j', invoice({ currency: 'CHF' }, { s: 2 }));
      await events.waitFor(user, 2, 'the second change');
      expect(events.of(user).map((event) => event.type)).toEqual(['workflow.invoice_update', 'workflow.step_update']);
    } finally {
      await markOffline(redis, user);
      await app.close();
    }
  });

  it('WORKFLOW_LISTENER_ENABLED=false watches nothing', async () => {
    const user = `${prefix}-off`;
    await markOnline(redis, user);
    const app = await listener({ WORKFLOW_LISTENER_ENABLED: 'false' });
    const fleet = app.get(WorkflowFleet);
    try {
      await fleet.reconcile();
      await fleet.watchRequested(user);
      expect(fleet.state()).toMatchObject({ enabled: false, users: [], listeners: 0 });
      expect(await redis.exists(buildWorkflowLeaseKey(user))).toBe(0);
    } finally {
      await markOffline(redis, user);
      await app.close();
    }
  });
});
