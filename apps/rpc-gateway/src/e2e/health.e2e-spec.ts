import { findFreePort, RedisServer, singleNodeOnly, startRedisServer, testConfig, waitFor } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';

// The gateway runs on a Redis node of its own, which the test stops: the same in either lane.
singleNodeOnly.describe('GET /healthz', () => {
  let redis: RedisServer;
  let gateway: GatewayTestApp;
  let redisPort: number;

  beforeAll(async () => {
    // A private Redis: this test kills it.
    redisPort = await findFreePort();
    redis = await startRedisServer(redisPort);
    gateway = await startGateway(testConfig({ LISTENERS_REDIS_PORT: String(redisPort), APP_VERSION: '9.9.9' }));
  });

  afterAll(async () => {
    await gateway?.close();
    await redis?.stop();
  });

  const healthz = async () => {
    const response = await fetch(`${gateway.url}/healthz`);
    return { status: response.status, body: await response.json() };
  };

  it('answers ok without auth while Redis is up', async () => {
    const { status, body } = await healthz();
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'ok',
      version: '9.9.9',
      listeners_count: 0,
      workflow_listeners_count: 0,
      redis: 'ok',
      uptime_s: expect.any(Number),
    });
  });

  it('answers 503 with redis "error" while Redis is down, and ok again once it is back, without a restart', async () => {
    await redis.kill();
    await waitFor(async () => (await healthz()).status === 503, 'healthz to report Redis down', 10_000, 100);
    const down = await healthz();
    expect(down.body).toMatchObject({ status: 'degraded', redis: 'error' });

    redis = await startRedisServer(redisPort);
    await waitFor(async () => (await healthz()).status === 200, 'healthz to recover', 15_000, 100);
    expect((await healthz()).body).toMatchObject({ status: 'ok', redis: 'ok' });
  });
});
