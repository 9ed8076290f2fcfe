import { ManagedProcess, spawnApp, TEST_SERVICE_TOKEN, testConfig, uniqueId, waitFor, useIsolatedRedis } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

interface DebugWorkflow {
  workflow_listeners: { status: string; enabled: boolean; active_count: number; users: string[]; cache_entries: number; listeners: number; instances: number };
}

// The listener takes every online user: other test files' users must not be on its Redis.
useIsolatedRedis();

/**
 * The gateway and a real workflow-listener process: REGISTRY calls send "watch"/"unwatch" over the
 * @nestjs/microservices Redis transport, and /healthz and /debug report the fleet's real state.
 * The listener's reconcile is slowed down to minutes, so only the control messages can explain
 * a quick attach or drop.
 */
describe('gateway presence → workflow listener fleet, and its counters in /healthz and /debug', () => {
  let gateway: GatewayTestApp;
  let listener: ManagedProcess;

  beforeAll(async () => {
    gateway = await startGateway(testConfig());
    listener = spawnApp('workflow-listener', { WORKFLOW_RECONCILE_INTERVAL_MS: '600000', WORKFLOW_LEASE_TTL_MS: '1200000', LOG_LEVEL: 'info' });
    await waitFor(() => listener.output().includes('"event":"started"'), 'the listener process to start', 60_000, 200);
  }, 90_000);

  afterAll(async () => {
    await listener?.stop();
    await gateway?.close();
  });

  const debug = async (): Promise<DebugWorkflow['workflow_listeners']> => {
    const response = await fetch(`${gateway.url}/debug`, { headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}` } });
    return ((await response.json()) as DebugWorkflow).workflow_listeners;
  };
  const healthz = async () => (await (await fetch(`${gateway.url}/healthz`)).json()) as { listeners_count: number; workflow_listeners_count: number };

  it('register_user makes the fleet watch the user (both collections); unregister_session makes it stop', async () => {
    const user = uniqueId('gw-wf');
    const session = uniqueId('s');
    // The listener's control subscription may still be coming up: register until it is heard.
    await waitFor(
      async () => {
        await postRpc(gateway.url, { method: 'REGISTRY.register_user', args: [user, session, '/api'] });
        return (await debug()).users.includes(user);
      },
      'the watch message to reach the listener',
      20_000,
      500,
    );
    await waitFor(async () => (await debug()).listeners >= 2, 'both Firestore listeners to attach', 15_000);
    const report = await debug();
    expect(report).toMatchObject({ status: 'ok', enabled: true, instances: expect.any(Number) });
    expect(report.active_count).toBeGreaterThanOrEqual(1);
    const health = await healthz();
    expect(health.workflow_listeners_count).toBeGreaterThanOrEqual(1);
    expect(health.listeners_count).toBeGreaterThanOrEqual(2);

    expect((await postRpc(gateway.url, { method: 'REGISTRY.unregister_session', args: [session] })).body.ok).toBe(true);
    await waitFor(async () => !(await debug()).users.includes(user), 'the unwatch message to drop the user', 15_000);
    expect(listener.output()).toContain('workflow_listener_attached');
  });
});
