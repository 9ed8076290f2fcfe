import { EventEnvelope } from '@suite/events';
import { ManagedProcess, spawnApp, testConfig, testRedisClient, TestRedis, uniqueId, waitFor } from '@suite/testing';
import { GatewayTestApp, startGateway } from './gateway-test-app';
import { postRpc } from './post-rpc';

describe('CRON.* through the gateway, runs started by a real cron-scheduler process', () => {
  const keyspace = uniqueId('cron');
  const environment = { UNIFIED_REGISTRY_ENABLED: 'true', CRON_KEYSPACE: keyspace, CRON_CLAIM_INTERVAL_MS: '100' };
  let gateway: GatewayTestApp;
  let scheduler: ManagedProcess;
  let subscriber: TestRedis;

  beforeAll(async () => {
    gateway = await startGateway(testConfig(environment));
    scheduler = spawnApp('cron-scheduler', environment);
    subscriber = testRedisClient();
  });

  afterAll(async () => {
    subscriber.disconnect();
    await scheduler.stop();
    await gateway.close();
  });

  const call = async (method: string, args: unknown[], kwargs: Record<string, unknown> = {}) => {
    const result = await postRpc(gateway.url, { method, args, kwargs, user_id: 'caller' });
    return { status: result.status, data: result.body.data as never, error: result.body.error };
  };
  const document = { document_data: { content: 'Quarterly report: revenue 1.2 M EUR.' } };

  it.each([
    ['cron_expression', ['u1', 'c1', '99 * * * *', 'UTC', 'document_analysis', document]],
    ['cron_expression', ['u1', 'c1', '* * * * * * *', 'UTC', 'document_analysis', document]],
    ['timezone', ['u1', 'c1', '0 9 * * *', 'Paris/France', 'document_analysis', document]],
    ['task_type', ['u1', 'c1', '0 9 * * *', 'UTC', 'shell_command', document]],
    ['payload', ['u1', 'c1', '0 9 * * *', 'UTC', 'document_analysis', { text: 'no document_data' }]],
    ['payload', ['u1', 'c1', '0 9 * * *', 'UTC', 'document_analysis', 'not an object']],
  ])('create_task with a bad %s is INVALID_ARGS naming it', async (param, args) => {
    const answer = await call('CRON.create_task', args);
    expect(answer.status).toBe(400);
    expect(answer.error?.code).toBe('INVALID_ARGS');
    expect(answer.error?.message).toContain(param);
  });

  it('create, get, list, update, pause, resume, delete', async () => {
    const user = uniqueId('u');
    const created = await call('CRON.create_task', [user, 'c1', '0 9 * * 1-5', 'Europe/Paris', 'document_analysis', document]);
    expect(created.status).toBe(200);
    expect(created.data).toEqual({ success: true, task_id: expect.stringMatching(/^cron_/), next_run_at: expect.stringMatching(/T0[78]:00:00.000Z$/) });
    const taskId = (created.data as { task_id: string }).task_id;
    await call('CRON.create_task', [], { user_id: user, company_id: 'c2', cron_expression: '*/30 * * * * *', timezone: 'UTC', task_type: 'document_analysis', payload: document, catch_up: 'skip', overlap: 'queue' });

    const got = await call('CRON.get_task', [taskId]);
    expect(got.data).toMatchObject({
      task_id: taskId,
      user_id: user,
      company_id: 'c1',
      cron_expression: '0 9 * * 1-5',
      timezone: 'Europe/Paris',
      task_type: 'document_analysis',
      payload: document,
      catch_up: 'collapse',
      overlap: 'skip',
      status: 'active',
      next_run_at: (created.data as { next_run_at: string }).next_run_at,
      last_run_at: null,
      run_count: 0,
      last_status: null,
    });
    expect(((await call('CRON.list_tasks', [user])).data as unknown[]).length).toBe(2);
    expect(((await call('CRON.list_tasks', [user, 'c2'])).data as Array<{ catch_up: string }>).map((task) => task.catch_up)).toEqual(['skip']);

    const updated = await call('CRON.update_task', [taskId], { cron_expression: '0 0 12 1 * *', timezone: 'UTC' });
    expect(updated.data).toMatchObject({ success: true, cron_expression: '0 0 12 1 * *', next_run_at: expect.stringMatching(/-01T12:00:00.000Z$/) });
    expect((await call('CRON.update_task', [taskId], { timezone: 'Nowhere/Land' })).error?.message).toContain('timezone');

    expect((await call('CRON.pause_task', [taskId])).data).toEqual({ success: true, task_id: taskId, status: 'paused', next_run_at: null });
    expect((await call('CRON.resume_task', [taskId])).data).toMatchObject({ success: true, status: 'active', next_run_at: expect.any(String) });

    expect((await call('CRON.delete_task', [taskId])).data).toEqual({ success: true, task_id: taskId });
    expect((await call('CRON.get_task', [taskId])).error?.code).toBe('NOT_FOUND');
    expect((await call('CRON.pause_task', [taskId])).error?.code).toBe('NOT_FOUND');
  });

  it('a run is an ordinary task: registry record, queued job, task.progress_update on user:{uid}; run_now runs once', async () => {
    const user = uniqueId('u');
    const events: EventEnvelope[] = [];
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === `user:${user}`) events.push(JSON.parse(message) as EventEnvelope);
    });
    await subscriber.subscribe(`user:${user}`);

    const created = await call('CRON.create_task', [user, 'c1', '* * * * * *', 'UTC', 'document_analysis', document, 'collapse', 'queue']);
    const scheduleId = (created.data as { task_id: string }).task_id;
    await waitFor(() => events.length > 0, 'the first run', 60_000, 100);
    const [event] = events;
    expect(event.type).toBe('task.progress_update');
    const payload = event.payload as { task_id: string; status: string; data: { cron_task_id: string; scheduled_for: string } };
    expect(payload).toMatchObject({ status: 'queued', data: { cron_task_id: scheduleId } });
    expect(payload.task_id).toBe(`doc_analysis_${scheduleId}_${Date.parse(payload.data.scheduled_for)}`);
    const status = await call('TASK.get_task_status', [payload.task_id]);
    expect(status.data).toMatchObject({ task_id: payload.task_id, task_type: 'document_analysis', status: 'queued' });

    await call('CRON.pause_task', [scheduleId]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = (await call('CRON.get_task', [scheduleId])).data as { run_count: number; last_status: string; last_run_at: string };
    expect(before.run_count).toBeGreaterThanOrEqual(1);
    expect(['queued', 'skipped_paused']).toContain(before.last_status); // a run claimed just before the pause is skipped
    expect(before.last_run_at).toEqual(expect.any(String));

    const asked = await call('CRON.run_now', [scheduleId]);
    expect(asked.data).toMatchObject({ success: true, task_id: scheduleId, run_task_id: expect.stringContaining(`${scheduleId}_now_`) });
    const runTaskId = (asked.data as { run_task_id: string }).run_task_id;
    await waitFor(async () => (await call('TASK.get_task_status', [runTaskId])).status === 200, 'the run_now task', 30_000, 100);
    await waitFor(() => events.some((seen) => (seen.payload as { task_id: string }).task_id === runTaskId), 'its event', 10_000, 50);
    const after = (await call('CRON.get_task', [scheduleId])).data as { run_count: number; status: string };
    expect(after).toMatchObject({ run_count: before.run_count + 1, status: 'paused' });
  }, 90_000);

  it('/metrics shows the schedulers\' runs per outcome (summed in Redis) and the active and running schedules', async () => {
    const scrape = async () => (await fetch(`${gateway.url}/metrics`)).text();
    const runsOf = (text: string, outcome: string) => Number(new RegExp(`^cron_runs_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    const before = runsOf(await scrape(), 'queued');
    const user = uniqueId('u');
    const created = await call('CRON.create_task', [user, 'c1', '* * * * * *', 'UTC', 'document_analysis', document, 'collapse', 'queue']);
    const scheduleId = (created.data as { task_id: string }).task_id;
    await waitFor(async () => ((await call('CRON.get_task', [scheduleId])).data as { run_count: number }).run_count >= 2, 'two runs', 30_000, 100);
    await call('CRON.pause_task', [scheduleId]);
    let text = '';
    await waitFor(async () => runsOf((text = await scrape()), 'queued') >= before + 2, 'the runs in /metrics (flushed every 5 s)', 20_000, 250);
    expect(text).toContain('# TYPE cron_runs_total counter');
    expect(text).toMatch(/^cron_schedules\{state="active"\} \d+$/m);
    expect(text).toMatch(/^cron_schedules\{state="running"\} \d+$/m);
  }, 60_000);
});
