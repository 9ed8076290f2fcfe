import { Writable } from 'node:stream';
import { createJsonLogger, NestJsonLogger } from '@suite/logging';
import { findFreePort, RedisServer, singleNodeOnly, startRedisServer, TEST_SERVICE_TOKEN, testConfig, uniqueId, waitFor } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';
import { TestRpcHandler } from './test-rpc-handlers';

describe('POST /rpc: rate limit shared by gateway instances', () => {
  let first: GatewayTestApp;
  let second: GatewayTestApp;

  beforeAll(async () => {
    const config = testConfig({ RPC_RATE_LIMIT_PER_MINUTE: '6', RPC_RATE_LIMIT_BATCH: '1' });
    [first, second] = await Promise.all([startGateway(config), startGateway(config)]);
  });

  afterAll(async () => {
    await Promise.all([first.close(), second.close()]);
  });

  it('admits the limit across both instances, then answers 429 RATE_LIMITED with retry_after_ms and Retry-After', async () => {
    const user = uniqueId('busy');
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await postRpc((i % 2 ? first : second).url, { method: 'SYSTEM.ping', user_id: user }));
    expect(results.filter((result) => result.status === 200)).toHaveLength(6);
    const limited = results.filter((result) => result.status === 429);
    expect(limited).toHaveLength(2);
    for (const result of limited) {
      expect(result.body.error?.code).toBe('RATE_LIMITED');
      expect(result.body.error?.retry_after_ms).toBeGreaterThan(0);
      expect(result.body.error?.retry_after_ms).toBeLessThanOrEqual(60_000);
      expect(Number(result.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    const other = await postRpc(first.url, { method: 'SYSTEM.ping', user_id: uniqueId('calm') });
    expect(other.status).toBe(200);
  });
});

// The gateway runs on a Redis node of its own, which the test stops: the same in either lane.
singleNodeOnly.describe('POST /rpc while Redis is down', () => {
  let redis: RedisServer;
  let gateway: GatewayTestApp;
  let port: number;

  beforeAll(async () => {
    port = await findFreePort();
    redis = await startRedisServer(port);
    gateway = await startGateway(testConfig({ LISTENERS_REDIS_PORT: String(port) }));
  });

  afterAll(async () => {
    await gateway.close();
    await redis.stop();
  });

  it('answers 503 UNAVAILABLE with retry_after_ms for a call that needs Redis, and recovers', async () => {
    await redis.kill();
    const down = await postRpc(gateway.url, { method: 'EVENTS.replay', args: ['u1'], user_id: uniqueId('u') });
    expect(down.status).toBe(503);
    expect(down.body.error).toEqual({ code: 'UNAVAILABLE', message: expect.any(String), retry_after_ms: 1000 });
    expect(down.headers.get('retry-after')).toBe('1');

    redis = await startRedisServer(port);
    await waitFor(async () => (await postRpc(gateway.url, { method: 'EVENTS.replay', args: ['u1'] })).status === 200, 'recovery', 15_000, 100);
  });
});

describe('logs of a call', () => {
  it('carry the trace_id and user_id in every line the call writes', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const logger = new NestJsonLogger(createJsonLogger({ app: 'rpc-gateway', level: 'debug', destination }));
    const gateway = await startGateway(testConfig({ LOG_LEVEL: 'debug' }), { extraHandlers: [TestRpcHandler], logger });
    try {
      await postRpc(gateway.url, { method: 'TEST.fail', user_id: 'log-user', trace_id: 'log-trace-1' });
      await postRpc(gateway.url, { method: 'TEST.echo', args: ['x'], user_id: 'log-user', trace_id: 'log-trace-2' });
      await waitFor(() => lines.some((line) => line['trace_id'] === 'log-trace-2' && line['event'] === 'rpc_ok'), 'the rpc_ok line');
      const failing = lines.filter((line) => line['trace_id'] === 'log-trace-1');
      expect(failing.map((line) => line['event'])).toEqual(expect.arrayContaining(['rpc_unexpected_error', 'rpc_error']));
      for (const line of failing) expect(line['user_id']).toBe('log-user');
      const succeeding = lines.filter((line) => line['trace_id'] === 'log-trace-2');
      expect(succeeding.map((line) => line['event'])).toEqual(['rpc_call', 'rpc_ok']);
      expect(succeeding.find((line) => line['event'] === 'rpc_ok')).toMatchObject({ method: 'TEST.echo', user_id: 'log-user' });
      for (const line of succeeding) expect(line['user_id']).toBe('log-user');
      expect(JSON.stringify(lines)).not.toContain(TEST_SERVICE_TOKEN);
    } finally {
      await gateway.close();
    }
  });
});
