import { testRedisClient, TEST_SERVICE_TOKEN, uniqueId, waitFor } from '@suite/testing';
import { RealApps, startRealApps } from '../e2e/real-apps';
import { RpcCallError } from './rpc-call-error';
import { idempotencyKeyFor, RpcClient } from './rpc-client';

/** The outcome of a call: its data, or the RpcCallError it threw. */
const settle = <Data>(call: Promise<Data>): Promise<Data | RpcCallError> =>
  call.catch((error: unknown) => {
    if (error instanceof RpcCallError) return error;
    throw error;
  });

describe('TypeScript client (libs/rpc-client) against the real gateway', () => {
  let apps: RealApps;
  let client: RpcClient;

  beforeAll(async () => {
    apps = await startRealApps();
    client = new RpcClient({ baseUrl: apps.url, token: TEST_SERVICE_TOKEN, maxRetries: 0 });
  }, 90_000);

  afterAll(() => apps?.stop());

  it('calls with positional and named arguments and returns the data', async () => {
    expect(await client.call('SYSTEM.ping')).toEqual({ pong: true, version: expect.any(String) });
    const [user, session] = [uniqueId('ts-user'), uniqueId('ts-session')];
    const registered = await client.call('REGISTRY.register_user', { args: [user, session], kwargs: { backend_route: '/ts' }, user_id: user });
    expect(registered).toEqual({ user_id: user, session_id: session, backend_route: '/ts', last_seen_at: expect.any(String) });
    expect(await client.call('REGISTRY.get_user', { kwargs: { user_id: user } })).toEqual(registered);
    expect(await client.call('REGISTRY.heartbeat', { args: [user, session] })).toMatchObject({ success: true, user_id: user });
  });

  it('throws RpcCallError with the code, status and trace id of an error answer, without retrying it', async () => {
    const traceId = uniqueId('ts-trace');
    const notFound = await settle(client.call('NOPE.missing', { trace_id: traceId }));
    expect(notFound).toBeInstanceOf(RpcCallError);
    expect(notFound).toMatchObject({ code: 'METHOD_NOT_FOUND', status: 404, traceId });
    expect((notFound as RpcCallError).retryable).toBe(false);

    const invalid = await settle(client.call('EVENTS.replay', { args: [uniqueId('ts-user')], kwargs: { since_id: 'bad' } }));
    expect(invalid).toMatchObject({ code: 'INVALID_ARGS', status: 400 });
    expect((invalid as RpcCallError).message).toMatch(/not an event id/);

    const wrongToken = new RpcClient({ baseUrl: apps.url, token: 'not-the-service-token', maxRetries: 0 });
    expect(await settle(wrongToken.call('SYSTEM.ping'))).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
  });

  it('derives an idempotency key the gateway replays: the same key answers the stored result', async () => {
    const user = uniqueId('ts-user');
    const traceId = uniqueId('ts-trace');
    const key = idempotencyKeyFor('EVENTS.replay', [user], {}, traceId);
    const first = await client.call('EVENTS.replay', { args: [user], trace_id: traceId, autoIdempotencyKey: true });
    const again = await client.send({ method: 'EVENTS.replay', args: [user], idempotency_key: key });
    expect(again).toMatchObject({ status: 200, replayed: true, body: { ok: true, data: first } });

    const mismatch = await client.send({ method: 'EVENTS.replay', args: [uniqueId('other')], idempotency_key: key });
    expect(mismatch).toMatchObject({ status: 422, replayed: false, body: { ok: false, error: { code: 'IDEMPOTENCY_MISMATCH' } } });
  });

  it('send() returns the raw answer with the trace id the gateway echoes', async () => {
    const traceId = uniqueId('ts-trace');
    const answer = await client.send({ method: 'SYSTEM.ping', trace_id: traceId });
    expect(answer).toMatchObject({ status: 200, traceId, replayed: false, body: { ok: true, data: { pong: true } } });
  });

  it('reply_to: accepted at once, and the envelope arrives on the channel', async () => {
    const redis = testRedisClient();
    const channel = uniqueId('ts-replies');
    const subscriber = redis.duplicate();
    const messages: string[] = [];
    try {
      await subscriber.subscribe(channel);
      subscriber.on('message', (_channel: string, message: string) => messages.push(message));
      const traceId = uniqueId('ts-trace');
      expect(await client.call('SYSTEM.ping', { reply_to: `redis:${channel}`, trace_id: traceId })).toEqual({ accepted: true, trace_id: traceId });
      await waitFor(() => messages.length === 1, 'the reply on its channel');
      expect(JSON.parse(messages[0])).toMatchObject({ ok: true, data: { pong: true } });
    } finally {
      subscriber.disconnect();
      redis.disconnect();
    }
  });

  it('a gateway that cannot be reached is a retryable TRANSPORT error', async () => {
    const unreachable = new RpcClient({ baseUrl: 'http://127.0.0.1:1', token: TEST_SERVICE_TOKEN, maxRetries: 1 });
    const failure = await settle(unreachable.call('SYSTEM.ping'));
    expect(failure).toMatchObject({ code: 'TRANSPORT', status: 0 });
    expect((failure as RpcCallError).retryable).toBe(true);
  });
});
