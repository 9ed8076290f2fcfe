import { Test, TestingModule } from '@nestjs/testing';
import { RealtimeChat } from '@suite/realtime-chat';
import { testConfig, testRedisClient, TestRedis, uniqueId, waitFor, useIsolatedRedis } from '@suite/testing';
import { WorkflowFleet } from '@suite/workflow-watch';
import { App, deleteApp, initializeApp } from 'firebase-admin/app';
import { Database, getDatabase, ServerValue } from 'firebase-admin/database';
import { WorkflowListenerModule } from '../workflow-listener.module';
import { markOffline, markOnline } from './workflow-test-kit';

// The listener takes every online user: other test files' users must not be on its Redis.
useIsolatedRedis();

/**
 * Realtime Database feeds of a watched user: messages written straight into the database by
 * another program reach the user's chat channel (a watched thread) or message channel (direct).
 */
describe('workflow listener: Realtime Database threads and direct messages', () => {
  let redis: TestRedis;
  let subscriber: TestRedis;
  let app: TestingModule;
  let outside: App;
  let database: Database;
  const received: Array<{ channel: string; event: Record<string, unknown> }> = [];
  const user = uniqueId('rtf');
  const space = uniqueId('sp');
  const thread = 'general';
  const threadPath = `${space}/chats/${thread}/messages`;

  beforeAll(async () => {
    redis = testRedisClient();
    subscriber = testRedisClient();
    subscriber.on('message', (channel: string, message: string) => received.push({ channel, event: JSON.parse(message) as Record<string, unknown> }));
    await subscriber.subscribe(`chat:${user}:${space}:${thread}`, `msg:${user}`);
    const project = process.env['FIREBASE_PROJECT_ID'] ?? 'demo-suite';
    outside = initializeApp({ projectId: project, databaseURL: `http://${process.env['FIREBASE_DATABASE_EMULATOR_HOST']}?ns=${project}` }, uniqueId('outside'));
    database = getDatabase(outside);
    await database.ref(threadPath).push({ content: 'before anyone watched', timestamp: ServerValue.TIMESTAMP });
    await markOnline(redis, user);
    app = await Test.createTestingModule({ imports: [WorkflowListenerModule.register(testConfig({ WORKFLOW_RECONCILE_INTERVAL_MS: '300', WORKFLOW_LEASE_TTL_MS: '3000' }))] }).compile();
    await app.init();
    await app.get(RealtimeChat).watchThread(user, space, thread);
    app.get(WorkflowFleet).threadsChanged(user);
    await waitFor(() => (app.get(WorkflowFleet).watchOf(user)?.feedCount ?? 0) === 2, 'the direct and thread feeds to start', 15_000);
  });

  afterAll(async () => {
    await app?.close();
    await markOffline(redis, user);
    await deleteApp(outside).catch(() => undefined);
    await subscriber.quit();
    await redis.quit();
  });

  it('a message written straight into the Realtime Database reaches the watcher\'s chat channel, once; older ones are not replayed', async () => {
    const reference = database.ref(threadPath).push();
    await reference.set({ content: 'from outside', sender_id: 'someone', timestamp: ServerValue.TIMESTAMP });
    await waitFor(() => received.some((item) => item.channel.startsWith('chat:')), 'the chat.message event');
    const second = database.ref(threadPath).push();
    await second.set({ content: 'and another' });
    await waitFor(() => received.filter((item) => item.channel.startsWith('chat:')).length >= 2, 'the second chat.message');
    const chat = received.filter((item) => item.channel === `chat:${user}:${space}:${thread}`).map((item) => item.event);
    expect(chat).toEqual([
      expect.objectContaining({ type: 'chat.message', uid: user, payload: expect.objectContaining({ message_id: reference.key, content: 'from outside', sender_id: 'someone', space_code: space, thread_key: thread }) }),
      expect.objectContaining({ type: 'chat.message', payload: expect.objectContaining({ message_id: second.key, content: 'and another' }) }),
    ]);
  });

  it('a direct message to the user is published as msg.new on msg:{uid}', async () => {
    const reference = database.ref(`direct_messages/${user}`).push();
    await reference.set({ content: 'psst', sender_id: 'colleague' });
    await waitFor(() => received.some((item) => item.channel === `msg:${user}`), 'the msg.new event');
    expect(received.filter((item) => item.channel === `msg:${user}`).map((item) => item.event)).toEqual([
      expect.objectContaining({ type: 'msg.new', uid: user, payload: expect.objectContaining({ message_id: reference.key, content: 'psst' }) }),
    ]);
  });

  it('unwatch stops the thread feed', async () => {
    await app.get(RealtimeChat).unwatchThread(user, space, thread);
    app.get(WorkflowFleet).threadsChanged(user);
    await waitFor(() => app.get(WorkflowFleet).watchOf(user)?.feedCount === 1, 'the thread feed to stop');
  });
});
