import { testConfig, uniqueId, waitFor } from '@suite/testing';
import { startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';
import { TestRpcHandler } from './test-rpc-handlers';
import { useTestHandlerGateway } from './test-handler-gateway';

describe('POST /rpc: idempotency_key (Stripe semantics) and reply_to', () => {
  const suite = useTestHandlerGateway();
  const call = suite.call;

  it('replays the first response with Idempotent-Replay: true and runs the side effect once', async () => {
    const name = uniqueId('effect');
    const body = { method: 'TEST.side_effect', args: [name], user_id: 'u1', idempotency_key: uniqueId('key') };
    const first = await call(body);
    const second = await call(body);
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replay')).toBeNull();
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replay')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(suite.handler.effects.get(name)).toBe(1);
  });

  it('treats the same call made positionally or by keyword as the same call', async () => {
    const name = uniqueId('effect');
    const key = uniqueId('key');
    await call({ method: 'TEST.side_effect', args: [name], idempotency_key: key });
    const replay = await call({ method: 'TEST.side_effect', kwargs: { name }, idempotency_key: key });
    expect(replay.headers.get('idempotent-replay')).toBe('true');
    expect(suite.handler.effects.get(name)).toBe(1);
  });

  it('answers 422 IDEMPOTENCY_MISMATCH for the same key with different arguments or method', async () => {
    const key = uniqueId('key');
    await call({ method: 'TEST.side_effect', args: [uniqueId('a')], idempotency_key: key });
    const otherArgs = await call({ method: 'TEST.side_effect', args: [uniqueId('b')], idempotency_key: key });
    expect(otherArgs.status).toBe(422);
    expect(otherArgs.body.error?.code).toBe('IDEMPOTENCY_MISMATCH');
    const otherMethod = await call({ method: 'TEST.echo', args: ['x'], idempotency_key: key });
    expect(otherMethod.status).toBe(422);
  });

  it('runs the side effect once for 20 concurrent calls with one key; the others are told it is in progress', async () => {
    const name = uniqueId('effect');
    const body = { method: 'TEST.side_effect', args: [name], idempotency_key: uniqueId('key') };
    const results = await Promise.all(Array.from({ length: 20 }, () => call(body)));
    expect(suite.handler.effects.get(name)).toBe(1);
    const ok = results.filter((result) => result.status === 200);
    const inProgress = results.filter((result) => result.status === 409);
    expect(ok.length + inProgress.length).toBe(20);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const result of inProgress) {
      expect(result.body.error?.code).toBe('IDEMPOTENCY_IN_PROGRESS');
      expect(result.body.error?.retry_after_ms).toBeGreaterThan(0);
      expect(Number(result.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    const after = await call(body);
    expect(after.headers.get('idempotent-replay')).toBe('true');
    expect((after.body.data as { count: number }).count).toBe(1);
  });

  it('stores error responses too, and stores nothing for a call refused before it started', async () => {
    const key = uniqueId('key');
    const failed = await call({ method: 'TEST.missing', idempotency_key: key });
    const replay = await call({ method: 'TEST.missing', idempotency_key: key });
    expect(failed.status).toBe(404);
    expect(replay.status).toBe(404);
    expect(replay.headers.get('idempotent-replay')).toBe('true');

    const invalidKey = uniqueId('key');
    const invalid = await call({ method: 'TEST.echo', args: [1], idempotency_key: invalidKey });
    expect(invalid.status).toBe(400);
    const valid = await call({ method: 'TEST.echo', args: ['fixed'], idempotency_key: invalidKey });
    expect(valid.status).toBe(200);
    expect(valid.headers.get('idempotent-replay')).toBeNull();
  });

  it('does not store an error that asks for a retry: the retry with the same key runs the call', async () => {
    const name = uniqueId('flaky');
    const body = { method: 'TEST.flaky', args: [name], idempotency_key: uniqueId('key') };
    const first = await call(body);
    expect(first.status).toBe(503);
    expect(first.body.error?.retry_after_ms).toBe(200);
    const retry = await call(body);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replay')).toBeNull();
    expect(retry.body.data).toEqual({ name, count: 2 });
    const replay = await call(body);
    expect(replay.headers.get('idempotent-replay')).toBe('true');
    expect(suite.handler.effects.get(name)).toBe(2);
  });

  it('scopes keys to the caller user', async () => {
    const key = uniqueId('key');
    const name = uniqueId('effect');
    await call({ method: 'TEST.side_effect', args: [name], user_id: 'alice', idempotency_key: key });
    const bob = await call({ method: 'TEST.side_effect', args: [name], user_id: 'bob', idempotency_key: key });
    expect(bob.headers.get('idempotent-replay')).toBeNull();
    expect(suite.handler.effects.get(name)).toBe(2);
  });

  it('keeps the stored response for 24 hours', async () => {
    const key = uniqueId('key');
    await call({ method: 'TEST.echo', args: ['x'], user_id: 'ttl-user', idempotency_key: key });
    const ttl = await suite.redis.ttl(`idem:{ttl-user}:${key}`);
    expect(ttl).toBeGreaterThan(86_400 - 10);
    expect(ttl).toBeLessThanOrEqual(86_400);
  });

  it('reply_to: answers 202 at once and publishes the full envelope on the channel when done', async () => {
    const channel = uniqueId('reply');
    const subscriber = suite.redis.duplicate();
    const messages: unknown[] = [];
    subscriber.on('message', (_channel: string, message: string) => messages.push(JSON.parse(message)));
    await subscriber.subscribe(channel);
    try {
      const started = Date.now();
      const accepted = await call({ method: 'TEST.slow', args: [300], reply_to: `redis:${channel}`, trace_id: 'reply-trace' });
      expect(Date.now() - started).toBeLessThan(300);
      expect(accepted.status).toBe(202);
      expect(accepted.body).toEqual({ ok: true, data: { accepted: true, trace_id: 'reply-trace' } });
      await waitFor(() => messages.length === 1, 'the reply on the channel', 5000);
      expect(messages[0]).toEqual({ ok: true, data: { slept: 300 }, trace_id: 'reply-trace' });

      const failed = await call({ method: 'TEST.missing', reply_to: `redis:${channel}` });
      expect(failed.status).toBe(202);
      await waitFor(() => messages.length === 2, 'the error reply', 5000);
      expect(messages[1]).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'thing 42 was not found' }, trace_id: failed.headers.get('x-trace-id') });
    } finally {
      subscriber.disconnect();
    }
  });

  it('on shutdown, a call in flight still gets its answer', async () => {
    const own = await startGateway(testConfig(), { extraHandlers: [TestRpcHandler] });
    const ownHandler = own.app.get(TestRpcHandler);
    const inFlight = postRpc(own.url, { method: 'TEST.slow', args: [400] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await own.close();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ok: true, data: { slept: 400 } });
    // It ran its 400 ms out: the drain aborts handlers only once SHUTDOWN_GRACE_MS (25 s here) has passed.
    expect(ownHandler.aborted).toEqual([]);
  });

  it('reply_to with a validation error answers at once, not on the channel', async () => {
    const channel = uniqueId('reply');
    const subscriber = suite.redis.duplicate();
    const messages: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => messages.push(message));
    await subscriber.subscribe(channel);
    try {
      const result = await call({ method: 'TEST.echo', args: [1], reply_to: `redis:${channel}` });
      expect(result.status).toBe(400);
      expect(result.body.error?.code).toBe('INVALID_ARGS');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(messages).toEqual([]);
    } finally {
      subscriber.disconnect();
    }
  });

  it('reply_to may not name a user event channel or a control channel', async () => {
    for (const channel of ['user:victim', 'workflow:control', 'msg:victim']) {
      const result = await call({ method: 'SYSTEM.ping', reply_to: `redis:${channel}` });
      expect(result.status).toBe(400);
    }
  });
});
