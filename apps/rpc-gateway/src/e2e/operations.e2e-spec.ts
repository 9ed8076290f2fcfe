import { onRedisCluster, TEST_SERVICE_TOKEN, testConfig } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

describe('GET /debug and GET /metrics', () => {
  let gateway: GatewayTestApp;

  beforeAll(async () => {
    gateway = await startGateway(testConfig());
  });

  afterAll(() => gateway.close());

  it('/debug needs the token, answering 401 in the envelope without it', async () => {
    const response = await fetch(`${gateway.url}/debug`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ ok: false, error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
  });

  it('/debug reports each dependency', async () => {
    const response = await fetch(`${gateway.url}/debug`, { headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}` } });
    expect(response.status).toBe(200);
    const report = (await response.json()) as { instances: unknown[] };
    expect(report).toMatchObject({
      redis: { status: 'ok', mode: onRedisCluster() ? 'cluster' : 'single' },
      firestore: { status: 'ok' },
      chroma: { status: 'ok' },
      llm: { status: 'ok', provider: 'development-server', development_model: true, base_url: process.env['OPENAI_BASE_URL'] },
      workflow_listeners: { enabled: true, active_count: 0 },
      rpc: { methods: expect.any(Number) },
    });
    expect(report.instances).toContainEqual(expect.objectContaining({ app: 'rpc-gateway', pid: process.pid }));
  });

  it('/metrics exposes RPC latency per method and errors per namespace and code', async () => {
    await postRpc(gateway.url, { method: 'SYSTEM.ping' });
    await postRpc(gateway.url, { method: 'SYSTEM.nope' });
    await postRpc(gateway.url, { method: 'EVENTS.replay', args: [42] });
    const response = await fetch(`${gateway.url}/metrics`);
    const text = await response.text();
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(text).toMatch(/rpc_request_duration_seconds_count\{method="SYSTEM.ping",code="ok"\} 1/);
    expect(text).toContain('# TYPE rpc_request_duration_seconds histogram');
    expect(text).toMatch(/rpc_request_duration_seconds_bucket\{le="\+Inf",method="EVENTS.replay",code="INVALID_ARGS"\} 1/);
    expect(text).toMatch(/rpc_errors_total\{namespace="unknown",code="METHOD_NOT_FOUND"\} 1/);
    expect(text).toMatch(/rpc_errors_total\{namespace="EVENTS",code="INVALID_ARGS"\} 1/);
    expect(text).toContain('websocket_connections 0');
  });

  it('/queues (the queue dashboard) needs the token, as a bearer or as the Basic password', async () => {
    const anonymous = await fetch(`${gateway.url}/queues`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Basic');
    const bearer = await fetch(`${gateway.url}/queues/api/queues`, { headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}` } });
    expect(bearer.status).toBe(200);
    const body = (await bearer.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((queue) => queue.name).sort()).toEqual(['computation', 'default', 'llm', 'maintenance']);
    const basic = await fetch(`${gateway.url}/queues`, { headers: { authorization: `Basic ${Buffer.from(`ops:${TEST_SERVICE_TOKEN}`).toString('base64')}` } });
    expect(basic.status).toBe(200);
    expect(await basic.text()).toContain('<html');
    const wrong = await fetch(`${gateway.url}/queues`, { headers: { authorization: `Basic ${Buffer.from('ops:wrong-password-123456').toString('base64')}` } });
    expect(wrong.status).toBe(401);
  });

  it('/metrics exposes queue depths and job durations', async () => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).toMatch(/queue_jobs\{queue="computation",state="waiting"\} \d+/);
    expect(text).toMatch(/job_duration_seconds_count\{queue="default",outcome="completed"\} \d+/);
    expect(text).toContain('# TYPE job_duration_seconds histogram');
  });

  it('/metrics is one registry rendered: every metric has one HELP and one TYPE line', async () => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const typed = [...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]);
    expect(typed).toEqual(expect.arrayContaining(['rpc_request_duration_seconds', 'job_duration_seconds', 'queue_jobs', 'rpc_errors_total', 'process_cpu_seconds_total']));
    expect(new Set(typed).size).toBe(typed.length);
    expect([...text.matchAll(/^# HELP /gm)]).toHaveLength(typed.length);
  });

  it('answers unknown routes in the envelope', async () => {
    const response = await fetch(`${gateway.url}/nope`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { ok: boolean }).ok).toBe(false);
  });
});
