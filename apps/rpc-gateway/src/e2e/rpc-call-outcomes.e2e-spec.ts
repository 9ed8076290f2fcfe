import { testConfig, uniqueId, waitFor } from '@suite/testing';
import { startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';
import { TestRpcHandler } from './test-rpc-handlers';
import { useTestHandlerGateway } from './test-handler-gateway';

describe('POST /rpc: what the caller learns of a call that outlives its timeout, a shutdown, or a strange throw', () => {
  const suite = useTestHandlerGateway();
  const call = suite.call;

  describe('a call that times out', () => {
    it('answers TIMEOUT saying the call may still complete', async () => {
      const result = await call({ method: 'TEST.stubborn', args: [uniqueId('plain'), 300], timeout_ms: 50 });
      expect(result.status).toBe(504);
      expect(result.body.error).toEqual({ code: 'TIMEOUT', message: 'the call did not finish within 50 ms; it may still complete' });
    });

    it('with an idempotency_key: the retry is told it is in progress while the handler runs, then gets its real outcome', async () => {
      const name = uniqueId('stubborn');
      const body = { method: 'TEST.stubborn', args: [name, 600], timeout_ms: 50, idempotency_key: uniqueId('key'), user_id: uniqueId('u') };
      const first = await call(body);
      expect(first.status).toBe(504);
      expect(first.body.error?.code).toBe('TIMEOUT');
      expect(first.body.error?.message).toContain('it may still complete');
      expect(first.body.error?.message).toContain('retry with the same idempotency_key');

      const whileRunning = await call(body);
      expect(whileRunning.status).toBe(409);
      expect(whileRunning.body.error?.code).toBe('IDEMPOTENCY_IN_PROGRESS');
      expect(suite.handler.effects.get(name)).toBeUndefined();

      await waitFor(() => suite.handler.effects.get(name) === 1, 'the handler to end', 5000);
      const outcome = await waitForAnswer(() => call(body), (result) => result.status !== 409);
      expect(outcome.status).toBe(200);
      expect(outcome.headers.get('idempotent-replay')).toBe('true');
      expect(outcome.body).toEqual({ ok: true, data: { name, count: 1 } });
      expect(suite.handler.effects.get(name)).toBe(1);
    });

    it("with an idempotency_key: keeps the key in progress for a handler that runs on past the record's first expiry", async () => {
      // The running record first lives timeout_ms + 5 s; the handler runs 6.5 s, so only the keep-alive holds the key.
      const name = uniqueId('long');
      const body = { method: 'TEST.stubborn', args: [name, 6500], timeout_ms: 50, idempotency_key: uniqueId('key') };
      expect((await call(body)).body.error?.code).toBe('TIMEOUT');
      await new Promise((resolve) => setTimeout(resolve, 5800));
      const late = await call(body);
      expect(late.body.error?.code).toBe('IDEMPOTENCY_IN_PROGRESS');
      const outcome = await waitForAnswer(() => call(body), (result) => result.status !== 409);
      expect(outcome.body).toEqual({ ok: true, data: { name, count: 1 } });
      expect(suite.handler.effects.get(name)).toBe(1);
    }, 20_000);

    it('with an idempotency_key: what a handler answers once its signal fired is the outcome kept', async () => {
      const body = { method: 'TEST.slow', args: [5000], timeout_ms: 50, idempotency_key: uniqueId('key') };
      const first = await call(body);
      expect(first.body.error?.code).toBe('TIMEOUT');
      const outcome = await waitForAnswer(() => call(body), (result) => result.status !== 409);
      expect(outcome.headers.get('idempotent-replay')).toBe('true');
      expect(outcome.body).toEqual({ ok: true, data: { slept: 5000 } });
    });

    it("with an idempotency_key: a handler that stops with the signal's reason frees the key, so the retry runs the call", async () => {
      const stopped = { method: 'TEST.until_aborted', timeout_ms: 50, idempotency_key: uniqueId('key'), trace_id: uniqueId('trace') };
      const timedOut = await call(stopped);
      expect(timedOut.body.error?.code).toBe('TIMEOUT');
      expect(suite.handler.aborted).toContain(stopped.trace_id);
      // It rejected with the signal's reason: nothing took effect, so the retry runs (and times out) again.
      const retry = await waitForAnswer(() => call(stopped), (result) => result.status !== 409);
      expect(retry.headers.get('idempotent-replay')).toBeNull();
      expect(retry.body.error?.code).toBe('TIMEOUT');
    });
  });

  describe('gateway shutdown', () => {
    it('aborts the signal of handlers still running once SHUTDOWN_GRACE_MS has passed; the caller is told to retry', async () => {
      const own = await startGateway(testConfig({ SHUTDOWN_GRACE_MS: '200' }), { extraHandlers: [TestRpcHandler] });
      const ownHandler = own.app.get(TestRpcHandler);
      const traceId = uniqueId('trace');
      const inFlight = postRpc(own.url, { method: 'TEST.until_aborted', trace_id: traceId });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await own.close();
      const answer = await inFlight;
      expect(ownHandler.aborted).toEqual([traceId]);
      expect(answer.status).toBe(503);
      expect(answer.body.error).toEqual({ code: 'UNAVAILABLE', message: 'the gateway is shutting down; retry the call', retry_after_ms: 1000 });
      expect(answer.headers.get('x-trace-id')).toBe(traceId);
    });
  });

  describe('reply_to', () => {
    it("publishes the call's trace_id, and its idempotency_key when given, with the answer", async () => {
      const channel = uniqueId('reply');
      const subscriber = suite.redis.duplicate();
      const messages: Array<Record<string, unknown>> = [];
      subscriber.on('message', (_channel: string, message: string) => messages.push(JSON.parse(message)));
      await subscriber.subscribe(channel);
      try {
        const key = uniqueId('key');
        await call({ method: 'TEST.echo', args: ['one'], reply_to: `redis:${channel}`, trace_id: 'reply-one' });
        await call({ method: 'TEST.missing', reply_to: `redis:${channel}`, trace_id: 'reply-two', idempotency_key: key });
        await waitFor(() => messages.length === 2, 'both replies', 5000);
        const byTrace = Object.fromEntries(messages.map((message) => [message['trace_id'], message]));
        expect(byTrace['reply-one']).toEqual({ ok: true, data: { text: 'one', user_id: null, trace_id: 'reply-one' }, trace_id: 'reply-one' });
        expect(byTrace['reply-two']).toEqual({
          ok: false,
          error: { code: 'NOT_FOUND', message: 'thing 42 was not found' },
          trace_id: 'reply-two',
          idempotency_key: key,
        });

        // A replay published on the channel carries the trace id of the call that asked for it.
        await call({ method: 'TEST.missing', reply_to: `redis:${channel}`, trace_id: 'reply-three', idempotency_key: key });
        await waitFor(() => messages.length === 3, 'the replayed reply', 5000);
        expect(messages[2]).toMatchObject({ ok: false, trace_id: 'reply-three', idempotency_key: key });
      } finally {
        subscriber.disconnect();
      }
    });
  });

  describe('handlers that throw something other than an Error', () => {
    it.each(['string', 'undefined', 'number', 'null_prototype'])('answers 500 INTERNAL with the trace id when a handler throws a %s', async (kind) => {
      for (const method of ['TEST.throw_value', 'TEST.throw_value_now']) {
        const traceId = uniqueId('trace');
        const result = await call({ method, args: [kind], trace_id: traceId });
        expect(result.status).toBe(500);
        expect(result.body).toEqual({ ok: false, error: { code: 'INTERNAL', message: `internal error (trace_id ${traceId})` } });
        expect(result.headers.get('x-trace-id')).toBe(traceId);
      }
      const withKey = await call({ method: 'TEST.throw_value', args: [kind], idempotency_key: uniqueId('key'), trace_id: 'thrown-with-key' });
      expect(withKey.body.error?.message).toBe('internal error (trace_id thrown-with-key)');
      const next = await call({ method: 'TEST.echo', args: ['still here'] });
      expect(next.body.ok).toBe(true);
    });
  });
});

/** Calls until `done` says the answer is the one awaited (the outcome of a call still running elsewhere). */
async function waitForAnswer<T>(attempt: () => Promise<T>, done: (result: T) => boolean): Promise<T> {
  let last: T | undefined;
  await waitFor(
    async () => {
      last = await attempt();
      return done(last);
    },
    'the awaited answer',
    5000,
    50,
  );
  return last as T;
}
