import { testConfig, uniqueId } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';
import { FlaggedRpcHandler, TestRpcHandler } from './test-rpc-handlers';

describe('POST /rpc: the contract of SPEC §3', () => {
  let gateway: GatewayTestApp;
  let handler: TestRpcHandler;

  beforeAll(async () => {
    gateway = await startGateway(testConfig({ RPC_BODY_LIMIT_BYTES: '4096', RPC_MAX_TIMEOUT_MS: '2000', RPC_DEFAULT_TIMEOUT_MS: '1500' }), {
      extraHandlers: [TestRpcHandler, FlaggedRpcHandler],
    });
    handler = gateway.app.get(TestRpcHandler);
  });

  afterAll(() => gateway.close());

  const call = (body: unknown, options?: Parameters<typeof postRpc>[2]) => postRpc(gateway.url, body, options);

  describe('auth', () => {
    it('answers 401 UNAUTHORIZED without a token, with a wrong one, or with another scheme', async () => {
      for (const options of [{ token: null }, { token: 'wrong-token-of-enough-length' }, { token: null, headers: { authorization: 'Basic abc' } }]) {
        const result = await call({ method: 'SYSTEM.ping' }, options);
        expect(result.status).toBe(401);
        expect(result.body).toEqual({ ok: false, error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
      }
    });

    it('answers the call with the right token', async () => {
      const result = await call({ method: 'SYSTEM.ping' });
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ ok: true, data: { pong: true, version: expect.any(String) } });
    });
  });

  describe('malformed requests', () => {
    it.each([
      ['malformed JSON', '{"method": "SYSTEM.ping"', 'not valid JSON'],
      ['an empty body', '', ''],
      ['a JSON array', '[1,2]', 'JSON object'],
      ['a JSON string', '"SYSTEM.ping"', 'JSON object'],
      ['no method', '{"args": []}', '"method" is required'],
      ['args not an array', '{"method": "SYSTEM.ping", "args": {"a": 1}}', '"args" must be an array'],
      ['kwargs not an object', '{"method": "SYSTEM.ping", "kwargs": [1]}', '"kwargs" must be an object'],
      ['a bad timeout', '{"method": "SYSTEM.ping", "timeout_ms": -5}', 'timeout_ms'],
      ['a bad reply_to', '{"method": "SYSTEM.ping", "reply_to": "http://x"}', 'reply_to'],
      ['a prototype-poisoning body', '{"method": "SYSTEM.ping", "__proto__": {"x": 1}}', ''],
    ])('answers 400 INVALID_ARGS for %s', async (_name, raw, message) => {
      const result = await call(undefined, { raw });
      expect(result.status).toBe(400);
      expect(result.body.ok).toBe(false);
      expect(result.body.error?.code).toBe('INVALID_ARGS');
      expect(result.body.error?.message).toContain(message);
    });

    it.each(['application/x-www-form-urlencoded', 'application/octet-stream', 'text/plain', 'application/xml'])(
      'answers a %s body 400 INVALID_ARGS, once the caller is authenticated (401 before)',
      async (contentType) => {
        const result = await call(undefined, { raw: 'method=SYSTEM.ping', headers: { 'content-type': contentType } });
        expect(result.status).toBe(400);
        expect(result.body.error).toEqual({ code: 'INVALID_ARGS', message: 'the request body must be JSON (Content-Type: application/json)' });
        const anonymous = await call(undefined, { raw: 'method=SYSTEM.ping', token: null, headers: { 'content-type': contentType } });
        expect(anonymous.status).toBe(401);
        expect(anonymous.body.error?.code).toBe('UNAUTHORIZED');
      },
    );

    it('answers 413 PAYLOAD_TOO_LARGE past the body limit', async () => {
      const result = await call({ method: 'TEST.echo', args: ['x'.repeat(10_000)] });
      expect(result.status).toBe(413);
      expect(result.body).toEqual({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) } });
    });
  });

  describe('method lookup', () => {
    it.each(['NOPE.ping', 'SYSTEM.nope', 'TEST.internal_secret', 'TEST.constructor', 'TEST.__proto__', 'TEST.hasOwnProperty', 'TEST.toString', 'system.ping', 'SYSTEM'])(
      'answers 404 METHOD_NOT_FOUND for %s and runs nothing',
      async (method) => {
        const result = await call({ method });
        expect(result.status).toBe(404);
        expect(result.body.error?.code).toBe('METHOD_NOT_FOUND');
        expect(handler.effects.has('internal_secret')).toBe(false);
      },
    );

    it('answers 403 FEATURE_DISABLED for a namespace whose flag is off', async () => {
      const result = await call({ method: 'FLAGGED.hello' });
      expect(result.status).toBe(403);
      expect(result.body.error).toEqual({ code: 'FEATURE_DISABLED', message: expect.stringContaining('UNIFIED_REGISTRY_ENABLED') });
    });

    it('describes every method with its ordered parameters', async () => {
      const result = await call({ method: 'SYSTEM.describe' });
      const methods = (result.body.data as { methods: Array<{ method: string; params: string[]; enabled: boolean }> }).methods;
      expect(methods).toContainEqual(expect.objectContaining({ method: 'TEST.echo', params: ['text', 'times'], enabled: true }));
      expect(methods).toContainEqual(expect.objectContaining({ method: 'EVENTS.replay', params: ['user_id', 'since_id', 'limit'] }));
      expect(methods).toContainEqual(expect.objectContaining({ method: 'FLAGGED.hello', enabled: false }));
      expect(methods.map((entry) => entry.method)).not.toContain('TEST.internal_secret');
    });
  });

  describe('parameters', () => {
    it('binds positional args and named kwargs to the same parameters', async () => {
      const positional = await call({ method: 'TEST.echo', args: ['ab', 2] });
      const named = await call({ method: 'TEST.echo', kwargs: { text: 'ab', times: 2 } });
      const mixed = await call({ method: 'TEST.echo', args: ['ab'], kwargs: { times: 2 } });
      for (const result of [positional, named, mixed]) {
        expect(result.status).toBe(200);
        expect((result.body.data as { text: string }).text).toBe('abab');
      }
    });

    it.each([
      ['a wrong type', { args: [42] }, 'text must be a string'],
      ['a number given as a string', { args: ['a', '2'] }, 'times must be an integer'],
      ['an out-of-range value', { args: ['a', 11] }, 'times must not be greater than 10'],
      ['a missing required parameter', { kwargs: { times: 1 } }, "missing required argument 'text'"],
      ['an unknown kwarg', { kwargs: { text: 'a', colour: 'red' } }, 'unexpected keyword argument "colour"'],
      ['too many positional args', { args: ['a', 1, 2] }, 'at most 2 positional'],
      ['a parameter given twice', { args: ['a'], kwargs: { text: 'b' } }, 'multiple values for argument "text"'],
    ])('answers 400 INVALID_ARGS for %s', async (_name, extra, message) => {
      const result = await call({ method: 'TEST.echo', ...extra });
      expect(result.status).toBe(400);
      expect(result.body.error?.code).toBe('INVALID_ARGS');
      expect(result.body.error?.message).toContain(message);
    });
  });

  describe('errors from handlers', () => {
    it('answers 404 NOT_FOUND for a missing entity', async () => {
      const result = await call({ method: 'TEST.missing' });
      expect(result.status).toBe(404);
      expect(result.body.error).toEqual({ code: 'NOT_FOUND', message: 'thing 42 was not found' });
    });

    it('answers 500 INTERNAL without leaking the message, a path or a secret', async () => {
      const result = await call({ method: 'TEST.fail', trace_id: 'trace-internal-1' });
      expect(result.status).toBe(500);
      expect(result.body.error?.code).toBe('INTERNAL');
      expect(result.body.error?.message).toBe('internal error (trace_id trace-internal-1)');
      expect(JSON.stringify(result.body)).not.toMatch(/hunter2|secret\.ts|srv/);
    });

    it.each(['TEST.unserializable', 'TEST.unserializable_later'])('answers 500 INTERNAL when %s returns data JSON cannot carry', async (method) => {
      const result = await call({ method, trace_id: `trace-${method}` });
      expect(result.status).toBe(500);
      expect(result.body.error).toEqual({ code: 'INTERNAL', message: `internal error (trace_id trace-${method})` });
      const next = await call({ method: 'TEST.echo', args: ['still here'] });
      expect(next.body).toEqual(expect.objectContaining({ ok: true }));
    });
  });

  describe('timeout_ms', () => {
    it('answers 504 TIMEOUT on expiry and aborts the handler', async () => {
      const traceId = uniqueId('trace');
      const started = Date.now();
      const result = await call({ method: 'TEST.slow', args: [5000], timeout_ms: 200, trace_id: traceId });
      expect(result.status).toBe(504);
      expect(result.body.error?.code).toBe('TIMEOUT');
      expect(Date.now() - started).toBeLessThan(4000);
      expect(handler.aborted).toContain(traceId);
    });

    it('caps timeout_ms at RPC_MAX_TIMEOUT_MS and defaults to RPC_DEFAULT_TIMEOUT_MS', async () => {
      const capped = await call({ method: 'TEST.slow', args: [2600], timeout_ms: 60_000 });
      expect(capped.body.error?.code).toBe('TIMEOUT');
      const defaulted = await call({ method: 'TEST.slow', args: [1700] });
      expect(defaulted.body.error?.code).toBe('TIMEOUT');
      const inTime = await call({ method: 'TEST.slow', args: [50] });
      expect(inTime.body).toEqual({ ok: true, data: { slept: 50 } });
    });
  });

  describe('trace_id', () => {
    it('returns the caller trace id in X-Trace-Id, and generates one when absent', async () => {
      const carried = await call({ method: 'TEST.echo', args: ['x'], trace_id: 'abc-123' });
      expect(carried.headers.get('x-trace-id')).toBe('abc-123');
      expect((carried.body.data as { trace_id: string }).trace_id).toBe('abc-123');
      const generated = await call({ method: 'SYSTEM.ping' });
      expect(generated.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const rejected = await call({ method: 'SYSTEM.ping' }, { token: null });
      expect(rejected.headers.get('x-trace-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Set([generated, rejected].map((result) => result.headers.get('x-trace-id'))).size).toBe(2);
    });
  });
});
