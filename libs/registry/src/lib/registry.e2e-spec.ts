import { Test, TestingModule } from '@nestjs/testing';
import { AppConfig, ConfigModule } from '@suite/config';
import { EventPublisher } from '@suite/events';
import { Firestore, FIRESTORE, FirebaseModule } from '@suite/firebase';
import { RedisConnections, RedisModule } from '@suite/redis';
import { singleNodeOnly, testConfig, uniqueId, waitFor } from '@suite/testing';
import { ChromaCollectionRegistry } from './chroma-collection-registry';
import { CompanyQuotasService } from './company-quotas';
import { CompanyRegistry } from './company-registry';
import { PresenceMirror } from './presence-mirror';
import { PresenceRegistry } from './presence-registry';
import { RegistryMaintenance } from './registry-maintenance';
import { RegistryModule } from './registry.module';
import { TaskRegistry } from './task-registry';
import { UnifiedRegistry } from './unified-registry';

async function registryModule(overrides: Record<string, string> = {}): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(testConfig(overrides)), RedisModule, FirebaseModule, RegistryModule],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe('registry against real Redis and the Firestore emulator', () => {
  let legacyOnly: TestingModule;
  let unifiedOn: TestingModule;
  let redis: RedisConnections;
  let firestore: Firestore;

  beforeAll(async () => {
    [legacyOnly, unifiedOn] = await Promise.all([registryModule(), registryModule({ UNIFIED_REGISTRY_ENABLED: 'true' })]);
    redis = legacyOnly.get(RedisConnections);
    firestore = legacyOnly.get(FIRESTORE);
  });

  afterAll(async () => {
    await Promise.all([legacyOnly.close(), unifiedOn.close()]);
  });

  describe('REGISTRY (legacy)', () => {
    it('register_user writes registry:user:{uid} with its four fields and a 24 h TTL', async () => {
      const user = uniqueId('u');
      const record = await legacyOnly.get(PresenceRegistry).registerUser(user, 's1', '/api/v1');
      expect(record).toEqual({ user_id: user, session_id: 's1', backend_route: '/api/v1', last_seen_at: expect.any(String) });
      expect(await redis.command.hgetall(`registry:user:${user}`)).toEqual({ ...record });
      const ttl = await redis.command.ttl(`registry:user:${user}`);
      expect(ttl).toBeGreaterThan(86_400 - 5);
      expect(await redis.command.exists(`registry:unified:${user}`)).toBe(0);
    });

    it('tracks presence by heartbeat within 90 s, and lists online users without KEYS', async () => {
      const presence = legacyOnly.get(PresenceRegistry);
      const user = uniqueId('u');
      await presence.registerUser(user, uniqueId('s'));
      expect(await presence.isOnline(user)).toBe(true);
      expect(await presence.listOnlineUsers()).toContain(user);

      await redis.command.zadd('registry:presence', Date.now() - 91_000, user); // last beat 91 s ago
      expect(await presence.isOnline(user)).toBe(false);
      expect(await presence.listOnlineUsers()).not.toContain(user);

      const beat = await presence.heartbeat(user);
      expect(beat).toEqual({ success: true, user_id: user, last_seen_at: expect.any(String) });
      expect(await presence.isOnline(user)).toBe(true);
      expect((await presence.getUser(user))?.last_seen_at).toBe(beat.last_seen_at);
    });

    it('heartbeat of an unknown user fails and does not make it online', async () => {
      const presence = legacyOnly.get(PresenceRegistry);
      const user = uniqueId('ghost');
      expect((await presence.heartbeat(user)).success).toBe(false);
      expect(await presence.isOnline(user)).toBe(false);
    });

    it('unregister_session removes the user, unless a newer session replaced it', async () => {
      const presence = legacyOnly.get(PresenceRegistry);
      const user = uniqueId('u');
      await presence.registerUser(user, 'old-session-' + user);
      await presence.registerUser(user, 'new-session-' + user);
      expect(await presence.unregisterSession('old-session-' + user)).toEqual({ success: false, user_id: user });
      expect(await presence.getUser(user)).not.toBeNull();
      expect(await presence.unregisterSession('new-session-' + user)).toEqual({ success: true, user_id: user });
      expect(await presence.getUser(user)).toBeNull();
      expect(await presence.isOnline(user)).toBe(false);
      expect(await presence.unregisterSession('never-' + user)).toEqual({ success: false, user_id: null });
    });

    it('a login landing while the old session logs out keeps the user online, in Redis and in the mirror', async () => {
      const presence = legacyOnly.get(PresenceRegistry);
      const otherInstance = unifiedOn.get(PresenceRegistry);
      const user = uniqueId('u');
      await presence.registerUser(user, 'old-session-' + user);
      // The other instance's login lands between the logout's session check and its presence removal.
      const command = redis.command;
      const zrem = command.zrem;
      command.zrem = (async (...args: Parameters<typeof zrem>) => {
        command.zrem = zrem;
        await otherInstance.registerUser(user, 'new-session-' + user);
        return zrem.apply(command, args);
      }) as typeof zrem;
      try {
        expect(await presence.unregisterSession('old-session-' + user)).toEqual({ success: true, user_id: user });
      } finally {
        command.zrem = zrem;
      }
      expect((await presence.getUser(user))?.session_id).toBe('new-session-' + user);
      expect(await presence.isOnline(user)).toBe(true);
      expect(await presence.listOnlineUsers()).toContain(user);
      await Promise.all([legacyOnly.get(PresenceMirror).flush(), unifiedOn.get(PresenceMirror).flush()]);
      const document = (await firestore.collection('listeners_registry').doc(user).get()).data();
      expect(document?.status).toBe('online');
    });

    it('mirrors presence to Firestore listeners_registry/{uid}', async () => {
      const presence = legacyOnly.get(PresenceRegistry);
      const user = uniqueId('u');
      await presence.registerUser(user, uniqueId('s'));
      await legacyOnly.get(PresenceMirror).flush();
      const document = (await firestore.collection('listeners_registry').doc(user).get()).data();
      expect(document).toEqual({ status: 'online', heartbeat_at: expect.any(String), ttl_seconds: 90 });
    });
  });

  describe('UNIFIED_REGISTRY_ENABLED double write', () => {
    it('writes the same legacy fields either way, and the unified record only when on', async () => {
      const [off, on] = [uniqueId('off'), uniqueId('on')];
      const offRecord = await legacyOnly.get(PresenceRegistry).registerUser(off, 's', '/r');
      const onRecord = await unifiedOn.get(PresenceRegistry).registerUser(on, 's', '/r');
      const strip = (record: Record<string, string>) => ({ ...record, user_id: 'x', last_seen_at: 't' });
      expect(strip(await redis.command.hgetall(`registry:user:${on}`))).toEqual(strip(await redis.command.hgetall(`registry:user:${off}`)));
      expect(strip({ ...onRecord })).toEqual(strip({ ...offRecord }));
      expect(await redis.command.exists(`registry:unified:${off}`)).toBe(0);
      const unified = await unifiedOn.get(UnifiedRegistry).getUserRegistry(on);
      expect(unified?.user_info).toEqual({ user_id: on, session_id: 's', backend_route: '/r', last_seen_at: onRecord.last_seen_at, status: 'online' });
    });

    it('a failing unified write leaves the legacy call ok', async () => {
      const user = uniqueId('u');
      await redis.command.set(`registry:unified:${user}`, 'not a hash'); // every unified write to it now fails (WRONGTYPE)
      const record = await unifiedOn.get(PresenceRegistry).registerUser(user, 's1', '/r');
      expect(record.user_id).toBe(user);
      expect(await redis.command.hget(`registry:user:${user}`, 'session_id')).toBe('s1');
      expect((await unifiedOn.get(PresenceRegistry).heartbeat(user)).success).toBe(true);
    });
  });

  describe('UNIFIED_REGISTRY records', () => {
    it('registers a session: user record in the seed shape, company record, company presence', async () => {
      const [user, company] = [uniqueId('u'), uniqueId('c')];
      const record = await unifiedOn.get(UnifiedRegistry).registerUserSession({ userId: user, sessionId: 's1', companyId: company, authorizedCompanies: [company, 'other'], backendRoute: '/api' });
      expect(record).toEqual({
        user_info: { user_id: user, session_id: 's1', backend_route: '/api', last_seen_at: expect.any(String), status: 'online' },
        companies: { current_company_id: company, authorized_companies_ids: [company, 'other'], company_roles: { [company]: 'user', other: 'user' } },
        services: {
          chroma: { collections: [], last_heartbeat: null },
          llm: { active_conversations: [], model_preferences: {} },
          tasks: { active_tasks: [], task_history: [] },
        },
        heartbeat: { last_heartbeat: expect.any(String), ttl_seconds: 90 },
      });
      expect(await redis.command.ttl(`registry:unified:${user}`)).toBeGreaterThan(86_400 - 5);
      const companyRecord = await unifiedOn.get(CompanyRegistry).get(company);
      expect(companyRecord).toMatchObject({
        company_info: { company_id: company },
        active_users: { [user]: { role: 'user', session_id: 's1', last_activity: expect.any(String) } },
        quotas: { max_tasks_per_user: 10, max_llm_requests_per_hour: 1000, storage_limit_mb: 5000 },
      });
      expect(await redis.command.ttl(`registry:company:${company}`)).toBeGreaterThan(86_400 - 5);
      expect(await unifiedOn.get(PresenceRegistry).listOnlineUsers(company)).toEqual([user]);
      expect(await unifiedOn.get(UnifiedRegistry).updateUserHeartbeat(user)).toBe(true);
      expect(await unifiedOn.get(UnifiedRegistry).updateUserHeartbeat(uniqueId('nobody'))).toBe(false);
      await unifiedOn.get(PresenceMirror).flush();
      const mirrored = (await firestore.collection('listeners_registry').doc(user).get()).data();
      expect(mirrored).toMatchObject({ status: 'online', authorized_companies_ids: [company, 'other'], ttl_seconds: 90 });
    });

    it('register_user_session keeps the backend_route of REGISTRY.register_user unless it names one', async () => {
      const [user, company] = [uniqueId('u'), uniqueId('c')];
      await unifiedOn.get(PresenceRegistry).registerUser(user, 's1', '/api/v1');
      const users = unifiedOn.get(UnifiedRegistry);
      const record = await users.registerUserSession({ userId: user, sessionId: 's1', companyId: company, authorizedCompanies: [company] });
      expect(record.user_info.backend_route).toBe('/api/v1');
      const renamed = await users.registerUserSession({ userId: user, sessionId: 's1', companyId: company, authorizedCompanies: [company], backendRoute: '/api/v2' });
      expect(renamed.user_info.backend_route).toBe('/api/v2');
    });

    it('unregister_session takes the user out of its company, unless a newer session took its place', async () => {
      const [user, company] = [uniqueId('u'), uniqueId('c')];
      const presence = unifiedOn.get(PresenceRegistry);
      const users = unifiedOn.get(UnifiedRegistry);
      const companies = unifiedOn.get(CompanyRegistry);
      await presence.registerUser(user, 'old');
      await users.registerUserSession({ userId: user, sessionId: 'old', companyId: company, authorizedCompanies: [company] });
      expect(await companies.activeUsers(company)).toEqual([user]);
      expect(await presence.unregisterSession('old')).toEqual({ success: true, user_id: user });
      expect(await companies.activeUsers(company)).toEqual([]);
      expect((await companies.get(company))?.active_users).toEqual({});

      // The company lists the user for a newer session than the one the legacy record names: it stays.
      await presence.registerUser(user, 'legacy');
      await users.registerUserSession({ userId: user, sessionId: 'newer', companyId: company, authorizedCompanies: [company] });
      expect(await presence.unregisterSession('legacy')).toEqual({ success: true, user_id: user });
      expect(await companies.activeUsers(company)).toEqual([user]);
    });

    it('a MULTI whose command fails inside (WRONGTYPE) fails the call instead of passing as done', async () => {
      const [user, company] = [uniqueId('u'), uniqueId('c')];
      const [chromaKey, usersKey] = [`registry:chroma:${user}:klk_space`, `registry:company:${company}:active_users`];
      try {
        await redis.command.set(chromaKey, 'not a hash');
        await expect(unifiedOn.get(ChromaCollectionRegistry).register(user, 'klk_space', 's1')).rejects.toThrow(/WRONGTYPE/);
        await redis.command.set(usersKey, 'not a hash');
        await expect(unifiedOn.get(CompanyRegistry).addUser(company, user, 's1')).rejects.toThrow(/WRONGTYPE/);
      } finally {
        // Other tests' maintenance runs scan every company: leave no key of the wrong type behind.
        await Promise.all([redis.command.del(chromaKey), redis.command.del(usersKey)]);
      }
    });

    it('tasks: record with TTL max_duration + 300 s, progress, and the end frees the slot', async () => {
      const [user, company, taskId] = [uniqueId('u'), uniqueId('c'), uniqueId('task')];
      const tasks = unifiedOn.get(TaskRegistry);
      const outcome = await tasks.register({ taskId, taskType: 'document_analysis', userId: user, companyId: company, maxDuration: 600 });
      expect(outcome).toMatchObject({ registered: true, created: true });
      const ttl = await redis.command.ttl(`registry:task:${taskId}`);
      expect(ttl).toBeGreaterThan(895);
      expect(ttl).toBeLessThanOrEqual(900);
      expect(await tasks.get(taskId)).toMatchObject({
        task_info: { task_id: taskId, task_type: 'document_analysis', user_id: user, company_id: company, status: 'queued' },
        isolation: { namespace: `${user}_${company}`, priority: 'normal', max_duration: 600 },
        progress: { current_step: 'queued', progress_percent: 0 },
      });
      expect(await tasks.updateProgress(taskId, { status: 'running', progressPercent: 40, currentStep: 'tokenizing', workerId: 'w1' })).toBe(true);
      expect(await tasks.get(taskId)).toMatchObject({ task_info: { status: 'running' }, progress: { progress_percent: 40, current_step: 'tokenizing' }, resources: { worker_id: 'w1' } });
      expect(await unifiedOn.get(CompanyQuotasService).activeTaskIds(company, user)).toEqual([taskId]);

      expect(await tasks.updateProgress(taskId, { status: 'completed', progressPercent: 100, result: { words: 3 } })).toBe(true);
      expect(await tasks.get(taskId)).toMatchObject({ task_info: { status: 'completed' }, result: { words: 3 } });
      expect(await unifiedOn.get(CompanyQuotasService).activeTaskIds(company, user)).toEqual([]);
      expect((await unifiedOn.get(CompanyRegistry).get(company))?.services.active_tasks).toEqual([]);
      // A late update never revives an ended task.
      expect(await tasks.updateProgress(taskId, { status: 'running', progressPercent: 50 })).toBe(false);
      expect(await tasks.updateProgress(uniqueId('missing'), { status: 'running' })).toBe(false);
    });

    it.each([
      ['the owner named by the job (ended in the update\'s own script)', (user: string, company: string) => ({ userId: user, companyId: company })],
      ['a wrong owner (ended after it, for the record\'s owner)', (user: string) => ({ userId: user, companyId: uniqueId('other') })],
      ['no owner (ended after it)', () => undefined],
    ])('ending a task with %s frees its slot and moves it to the history', async (_case, ownerOf) => {
      const [user, company, taskId] = [uniqueId('u'), uniqueId('c'), uniqueId('task')];
      const tasks = unifiedOn.get(TaskRegistry);
      await tasks.register({ taskId, taskType: 'noop', userId: user, companyId: company });
      expect(await tasks.updateProgress(taskId, { status: 'failed', error: 'boom' }, ownerOf(user, company))).toBe(true);
      expect(await unifiedOn.get(CompanyQuotasService).activeTaskIds(company, user)).toEqual([]);
      expect(await redis.command.smembers(`registry:unified:${user}:active_tasks`)).toEqual([]);
      expect(await redis.command.smembers(`registry:unified:${user}:task_history`)).toEqual([taskId]);
      expect(await redis.command.ttl(`registry:unified:${user}:task_history`)).toBeGreaterThan(0);
      expect((await unifiedOn.get(CompanyRegistry).get(company))?.services.active_tasks).toEqual([]);
      expect(await tasks.get(taskId)).toMatchObject({ task_info: { status: 'failed' } });
    });

    // One script spans the task, quota, set and stream keys: a single-node step (on a cluster the
    // event is published right after the update, which the task tests of the cluster lane cover).
    singleNodeOnly.it('an update and the event announcing it land in one step; a refused update publishes nothing', async () => {
      const [user, company, taskId] = [uniqueId('u'), uniqueId('c'), uniqueId('task')];
      const tasks = unifiedOn.get(TaskRegistry);
      const events = new EventPublisher(redis, unifiedOn.get(AppConfig));
      const subscriber = redis.createSubscriber();
      const received: string[] = [];
      try {
        const owner = { userId: user, companyId: company };
        const draftFor = (status: string) => events.draftUserEvent(user, 'task.progress_update', { task_id: taskId, status }, { job_id: taskId });
        const started = draftFor('running');
        await subscriber.subscribe(started.channel);
        subscriber.on('message', (_channel, message) => received.push(message));
        await tasks.register({ taskId, taskType: 'noop', userId: user, companyId: company });

        const running = await tasks.updateProgressAndAnnounce(taskId, { status: 'running', progressPercent: 0 }, owner, started);
        expect(running).toEqual({ applied: true, eventId: expect.stringMatching(/^\d+-\d+$/) });
        const completed = await tasks.updateProgressAndAnnounce(taskId, { status: 'completed', progressPercent: 100 }, owner, draftFor('completed'));
        expect(completed.applied).toBe(true);
        const late = await tasks.updateProgressAndAnnounce(taskId, { status: 'running', progressPercent: 50 }, owner, draftFor('running'));
        expect(late).toEqual({ applied: false, eventId: null });

        const stream = await redis.command.xrange(started.streamKey, '-', '+');
        expect(stream.map(([id]) => id)).toEqual([running.eventId, completed.eventId]);
        expect(await redis.command.ttl(started.streamKey)).toBeGreaterThan(0);
        await waitFor(() => received.length === 2, 'both events on the user channel');
        expect(received.map((message) => JSON.parse(message))).toEqual([
          expect.objectContaining({ id: running.eventId, type: 'task.progress_update', uid: user, job_id: taskId, payload: { task_id: taskId, status: 'running' } }),
          expect.objectContaining({ id: completed.eventId, payload: { task_id: taskId, status: 'completed' } }),
        ]);
        // The update itself applied, and the end freed the slot, in the same step.
        expect(await tasks.get(taskId)).toMatchObject({ task_info: { status: 'completed' } });
        expect(await unifiedOn.get(CompanyQuotasService).activeTaskIds(company, user)).toEqual([]);
      } finally {
        subscriber.disconnect();
      }
    });

    it('200 concurrent register_task calls for one company leave 200 tasks in the company record', async () => {
      const company = uniqueId('c');
      await unifiedOn.get(CompanyQuotasService).set(company, { max_tasks_per_user: 1000 });
      const tasks = unifiedOn.get(TaskRegistry);
      const ids = Array.from({ length: 200 }, (_unused, i) => `${company}-task-${i}`);
      const outcomes = await Promise.all(ids.map((taskId, i) => tasks.register({ taskId, taskType: 't', userId: `user-${i % 7}`, companyId: company })));
      expect(outcomes.every((outcome) => outcome.registered)).toBe(true);
      const record = await unifiedOn.get(CompanyRegistry).get(company);
      expect(record?.services.active_tasks.sort()).toEqual([...ids].sort());
      const user0Tasks = await redis.command.smembers('registry:unified:user-0:active_tasks');
      expect(user0Tasks.filter((id) => id.startsWith(`${company}-`))).toHaveLength(29);
    });

    it('50 concurrent task starts against max_tasks_per_user = 10 admit exactly 10', async () => {
      const [user, company] = [uniqueId('u'), uniqueId('c')];
      const tasks = unifiedOn.get(TaskRegistry);
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_unused, i) => tasks.register({ taskId: `${company}-${i}`, taskType: 't', userId: user, companyId: company })),
      );
      expect(outcomes.filter((outcome) => outcome.registered)).toHaveLength(10);
      const refused = outcomes.filter((outcome) => !outcome.registered);
      expect(refused).toHaveLength(40);
      expect(refused[0]).toMatchObject({ quota: { quota: 'max_tasks_per_user', limit: 10 } });
      // Registering an admitted task again takes no second slot.
      const admitted = outcomes.find((outcome) => outcome.registered);
      const again = await tasks.register({ taskId: admitted && admitted.registered ? admitted.record.task_info.task_id : '', taskType: 't', userId: user, companyId: company });
      expect(again).toMatchObject({ registered: true, created: false });
      expect(await unifiedOn.get(CompanyQuotasService).activeTaskIds(company, user)).toHaveLength(10);
    });

    it('LLM requests per hour and storage are capped atomically', async () => {
      const company = uniqueId('c');
      const quotas = unifiedOn.get(CompanyQuotasService);
      await quotas.set(company, { max_llm_requests_per_hour: 5, storage_limit_mb: 1 });
      const decisions = await Promise.all(Array.from({ length: 12 }, () => quotas.consumeLlmRequest(company)));
      expect(decisions.filter((decision) => decision.admitted)).toHaveLength(5);
      const refused = decisions.find((decision) => !decision.admitted);
      expect(refused).toMatchObject({ admitted: false, quota: 'max_llm_requests_per_hour', limit: 5, retryAfterMs: expect.any(Number) });

      const reservations = await Promise.all(Array.from({ length: 6 }, () => quotas.reserveStorage(company, 200 * 1024)));
      expect(reservations.filter((decision) => decision.admitted)).toHaveLength(5);
      expect(await quotas.storageUsedBytes(company)).toBe(5 * 200 * 1024);
      await quotas.releaseStorage(company, 200 * 1024);
      expect((await quotas.reserveStorage(company, 200 * 1024)).admitted).toBe(true);
    });

    it('chroma collections: 90 s TTL, heartbeat, unregister', async () => {
      const registry = unifiedOn.get(ChromaCollectionRegistry);
      const user = uniqueId('u');
      await unifiedOn.get(UnifiedRegistry).registerUserSession({ userId: user, sessionId: 's1', companyId: 'c', authorizedCompanies: ['c'] });
      await registry.register(user, 'klk_space', 's1');
      expect(await redis.command.ttl(`registry:chroma:${user}:klk_space`)).toBeGreaterThan(85);
      expect(await registry.get(user, 'klk_space')).toMatchObject({ user_id: user, collection_name: 'klk_space', session_id: 's1' });
      expect(await registry.heartbeat(user, 'klk_space')).toBe(true);
      expect((await unifiedOn.get(UnifiedRegistry).getUserRegistry(user))?.services.chroma.collections).toEqual(['klk_space']);
      expect(await registry.unregister(user, 'klk_space')).toBe(true);
      expect(await registry.heartbeat(user, 'klk_space')).toBe(false);
    });

    it('cleanup_expired_entries removes stale presence and task ids whose record expired', async () => {
      const [user, company] = [uniqueId('u'), uniqueId('c')];
      const tasks = unifiedOn.get(TaskRegistry);
      await unifiedOn.get(UnifiedRegistry).registerUserSession({ userId: user, sessionId: 's', companyId: company, authorizedCompanies: [company] });
      await tasks.register({ taskId: `${user}-gone`, taskType: 't', userId: user, companyId: company });
      await tasks.register({ taskId: `${user}-kept`, taskType: 't', userId: user, companyId: company });
      await redis.command.del(`registry:task:${user}-gone`); // as if its TTL ran out
      await redis.command.zadd('registry:presence', Date.now() - 120_000, user);

      const report = await unifiedOn.get(RegistryMaintenance).cleanupExpiredEntries();
      expect(report.task_ids_removed).toBeGreaterThanOrEqual(1);
      expect(report.presence_removed).toBeGreaterThanOrEqual(1);
      expect(await redis.command.zscore('registry:presence', user)).toBeNull();
      expect((await unifiedOn.get(UnifiedRegistry).getUserRegistry(user))?.services.tasks.active_tasks).toEqual([`${user}-kept`]);
      expect((await unifiedOn.get(CompanyRegistry).get(company))?.services.active_tasks).toEqual([`${user}-kept`]);
      expect(await unifiedOn.get(CompanyQuotasService).activeTaskIds(company, user)).toEqual([`${user}-kept`]);
    });
  });

  it('a Firestore failure never fails the Redis call', async () => {
    const moduleRef = await registryModule({ FIRESTORE_EMULATOR_HOST: '127.0.0.1:1' });
    try {
      const user = uniqueId('u');
      const presence = moduleRef.get(PresenceRegistry);
      await expect(presence.registerUser(user, 's')).resolves.toMatchObject({ user_id: user });
      await waitFor(async () => (await presence.getUser(user)) !== null, 'the Redis record');
    } finally {
      await moduleRef.close();
    }
  });
});
