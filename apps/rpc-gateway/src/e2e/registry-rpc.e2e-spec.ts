import { testConfig, uniqueId } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

describe('REGISTRY.* and UNIFIED_REGISTRY.* through the gateway', () => {
  let legacy: GatewayTestApp;
  let unified: GatewayTestApp;

  beforeAll(async () => {
    [legacy, unified] = await Promise.all([startGateway(testConfig()), startGateway(testConfig({ UNIFIED_REGISTRY_ENABLED: 'true' }))]);
  });

  afterAll(async () => {
    await Promise.all([legacy.close(), unified.close()]);
  });

  const call = async (gateway: GatewayTestApp, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) => {
    const result = await postRpc(gateway.url, { method, args, kwargs, user_id: 'caller' });
    return { status: result.status, data: result.body.data as never, error: result.body.error };
  };

  it('REGISTRY: the calls the Reflex app makes, as seed 001 shows them', async () => {
    const [user, session] = [uniqueId('u'), uniqueId('s')];
    const registered = await call(legacy, 'REGISTRY.register_user', [user, session, '/api/v1']);
    expect(registered).toMatchObject({ status: 200, data: { user_id: user, session_id: session, backend_route: '/api/v1' } });
    expect((await call(legacy, 'REGISTRY.get_user', [user])).data).toMatchObject({ user_id: user, session_id: session });
    expect((await call(legacy, 'REGISTRY.is_online', [], { user_id: user })).data).toBe(true);
    expect((await call(legacy, 'REGISTRY.heartbeat', [user, session])).data).toMatchObject({ success: true, user_id: user });
    expect((await call(legacy, 'REGISTRY.list_online_users')).data).toContain(user);
    expect((await call(legacy, 'REGISTRY.unregister_session', [session])).data).toEqual({ success: true, user_id: user });
    expect((await call(legacy, 'REGISTRY.is_online', [user])).data).toBe(false);
    const missing = await call(legacy, 'REGISTRY.get_user', [user]);
    expect(missing.status).toBe(404);
    expect(missing.error?.code).toBe('NOT_FOUND');
  });

  it('REGISTRY validates its parameters', async () => {
    expect((await call(legacy, 'REGISTRY.register_user', ['only-user'])).error?.code).toBe('INVALID_ARGS');
    expect((await call(legacy, 'REGISTRY.register_user', [1, 2])).error?.code).toBe('INVALID_ARGS');
    expect((await call(legacy, 'REGISTRY.heartbeat', [], { user: 'x' })).error?.code).toBe('INVALID_ARGS');
  });

  it('UNIFIED_REGISTRY and TASK answer FEATURE_DISABLED while the flag is off', async () => {
    for (const method of ['UNIFIED_REGISTRY.get_user_registry', 'UNIFIED_REGISTRY.cleanup_expired_entries']) {
      const result = await call(legacy, method, ['u']);
      expect(result.status).toBe(403);
      expect(result.error?.code).toBe('FEATURE_DISABLED');
    }
  });

  it('a login through both registries keeps its backend_route, and its logout leaves the company', async () => {
    const [user, company, session] = [uniqueId('u'), uniqueId('c'), uniqueId('s')];
    expect((await call(unified, 'REGISTRY.register_user', [user, session, '/api/v1'])).status).toBe(200);
    const registered = await call(unified, 'UNIFIED_REGISTRY.register_user_session', [user, session, company, [company]]);
    expect(registered.data).toMatchObject({ user_info: { user_id: user, backend_route: '/api/v1' } });
    expect((await call(unified, 'UNIFIED_REGISTRY.get_user_registry', [user])).data).toMatchObject({ user_info: { backend_route: '/api/v1' } });
    expect((await call(unified, 'UNIFIED_REGISTRY.get_company_active_users', [company])).data).toEqual([user]);

    expect((await call(unified, 'REGISTRY.unregister_session', [session])).data).toEqual({ success: true, user_id: user });
    expect((await call(unified, 'UNIFIED_REGISTRY.get_company_active_users', [company])).data).toEqual([]);
  });

  it('UNIFIED_REGISTRY: every method', async () => {
    const [user, company, task] = [uniqueId('u'), uniqueId('c'), uniqueId('task')];
    const session = await call(unified, 'UNIFIED_REGISTRY.register_user_session', [user, 's1', company, [company]], { backend_route: '/r' });
    expect(session.status).toBe(200);
    expect(session.data).toMatchObject({ user_info: { user_id: user, status: 'online' }, companies: { current_company_id: company } });
    expect((await call(unified, 'UNIFIED_REGISTRY.update_user_heartbeat', [user])).data).toBe(true);
    expect((await call(unified, 'UNIFIED_REGISTRY.get_user_registry', [user])).data).toMatchObject({ user_info: { user_id: user } });
    expect((await call(unified, 'UNIFIED_REGISTRY.get_user_registry', [uniqueId('nobody')])).status).toBe(404);

    expect((await call(unified, 'UNIFIED_REGISTRY.set_company_quotas', [company], { max_tasks_per_user: 1 })).data).toEqual({
      max_tasks_per_user: 1,
      max_llm_requests_per_hour: 1000,
      storage_limit_mb: 5000,
    });
    const registered = await call(unified, 'UNIFIED_REGISTRY.register_task', [task, 'document_analysis', user, company], { max_duration: 120 });
    expect(registered.data).toMatchObject({ task_info: { task_id: task, status: 'queued' }, isolation: { max_duration: 120 } });
    const refused = await call(unified, 'UNIFIED_REGISTRY.register_task', [uniqueId('task'), 't', user, company]);
    expect(refused.status).toBe(429);
    expect(refused.error).toMatchObject({ code: 'QUOTA_EXCEEDED', retry_after_ms: expect.any(Number) });

    expect((await call(unified, 'UNIFIED_REGISTRY.update_task_progress', [task, 'running', 50, 'halfway', 'w1'])).data).toBe(true);
    expect((await call(unified, 'UNIFIED_REGISTRY.get_task_registry', [task])).data).toMatchObject({ progress: { progress_percent: 50, current_step: 'halfway' } });
    expect((await call(unified, 'UNIFIED_REGISTRY.get_company_registry', [company])).data).toMatchObject({
      company_info: { company_id: company },
      services: { active_tasks: [task] },
      quotas: { max_tasks_per_user: 1 },
    });
    expect((await call(unified, 'UNIFIED_REGISTRY.get_company_active_users', [company])).data).toEqual([user]);
    expect((await call(unified, 'UNIFIED_REGISTRY.update_task_progress', [task, 'completed', 100])).data).toBe(true);
    expect((await call(unified, 'UNIFIED_REGISTRY.register_task', [uniqueId('task'), 't', user, company])).status).toBe(200);
    expect((await call(unified, 'UNIFIED_REGISTRY.update_task_progress', [task, 'exploded'])).error?.code).toBe('INVALID_ARGS');
    const cleanup = await call(unified, 'UNIFIED_REGISTRY.cleanup_expired_entries');
    expect(cleanup.data).toMatchObject({ presence_removed: expect.any(Number), task_ids_removed: expect.any(Number) });
  });
});
