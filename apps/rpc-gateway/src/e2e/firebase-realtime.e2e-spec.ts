import { testConfig, testRedisClient, TestRedis, uniqueId } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

/** FIREBASE_REALTIME.* against firebase-server (the Realtime Database stand-in of the test stack). */
describe('FIREBASE_REALTIME.* against the Realtime Database stand-in', () => {
  let gateway: GatewayTestApp;
  let redis: TestRedis;
  const space = uniqueId('space');
  const thread = 'thread-1';

  const call = (method: string, args: unknown[], extra: Record<string, unknown> = {}) => postRpc(gateway.url, { method: `FIREBASE_REALTIME.${method}`, args, ...extra });

  beforeAll(async () => {
    gateway = await startGateway(testConfig());
    redis = testRedisClient();
  });

  afterAll(async () => {
    await redis.quit();
    await gateway.close();
  });

  it('send_message stores messages with a server timestamp and the sender; get_messages gives them oldest first with ids', async () => {
    const first = await call('send_message', [space, thread, 'hello'], { user_id: 'u-sender' });
    expect(first.body).toEqual({ ok: true, data: { success: true, message_id: expect.any(String) } });
    const second = await call('send_message', [space, thread, { content: 'second', sender_id: 'bot', meta: { n: 2 } }], { user_id: 'u-sender' });
    const third = await call('send_message', [space, thread, 'third']);
    const messages = (await call('get_messages', [space, thread])).body.data as Array<Record<string, unknown>>;
    expect(messages.map((message) => message['id'])).toEqual([
      (first.body.data as { message_id: string }).message_id,
      (second.body.data as { message_id: string }).message_id,
      (third.body.data as { message_id: string }).message_id,
    ]);
    expect(messages[0]).toMatchObject({ content: 'hello', sender_id: 'u-sender', read: false, timestamp: expect.any(Number) });
    expect(messages[1]).toMatchObject({ content: 'second', sender_id: 'bot', meta: { n: 2 } });
    expect(messages[2]).not.toHaveProperty('sender_id');
    const lastTwo = (await call('get_messages', [space, thread, 2])).body.data as Array<Record<string, unknown>>;
    expect(lastTwo.map((message) => message['content'])).toEqual(['second', 'third']);
  });

  it('mark_read marks a message read (NOT_FOUND for an unknown one); delete_message removes it', async () => {
    const sent = await call('send_message', [space, 'thread-2', 'to read']);
    const id = (sent.body.data as { message_id: string }).message_id;
    expect((await call('mark_read', [space, 'thread-2', id])).body).toEqual({ ok: true, data: { success: true } });
    const [message] = (await call('get_messages', [space, 'thread-2'])).body.data as Array<Record<string, unknown>>;
    expect(message).toMatchObject({ read: true, read_at: expect.any(Number) });
    expect((await call('mark_read', [space, 'thread-2', 'nope'])).body.error).toMatchObject({ code: 'NOT_FOUND' });
    expect((await call('delete_message', [space, 'thread-2', id])).body.ok).toBe(true);
    expect((await call('get_messages', [space, 'thread-2'])).body.data).toEqual([]);
  });

  it('watch_thread / unwatch_thread register the thread for the user', async () => {
    const user = uniqueId('rt-u');
    expect((await call('watch_thread', [user, space, thread])).body).toEqual({ ok: true, data: { success: true } });
    expect(await redis.smembers(`workflow:threads:{${user}}`)).toEqual([`${space}/${thread}`]);
    expect((await call('unwatch_thread', [user, space, thread])).body).toEqual({ ok: true, data: { success: true } });
    expect(await redis.smembers(`workflow:threads:{${user}}`)).toEqual([]);
  });

  it.each([
    ['a key with a slash', 'send_message', ['a/b', thread, 'x'], 'space_code must not contain'],
    ['a key with a dot', 'get_messages', [space, 't.1'], 'thread_key must not contain'],
    ['a message that is neither text nor object', 'send_message', [space, thread, [1, 2]], 'message must be a text or a JSON object'],
    ['a limit over the cap', 'get_messages', [space, thread, 100000], 'limit'],
  ])('%s is INVALID_ARGS', async (_what, method, args, message) => {
    const result = await call(method, args as unknown[]);
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ code: 'INVALID_ARGS', message: expect.stringContaining(message) });
  });
});
