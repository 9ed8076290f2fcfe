import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule } from '@suite/config';
import { FirebaseModule } from '@suite/firebase';
import { TaskQueues } from '@suite/queues';
import { RedisConnections, RedisModule } from '@suite/redis';
import { CompanyQuotasService } from '@suite/registry';
import { TaskService } from '@suite/tasks';
import { testConfig, uniqueId } from '@suite/testing';
import { CronDispatcher } from './cron-dispatcher';
import { CronKeys } from './cron-keys';
import { CronRunClaims } from './cron-run-claims';
import { CronRunner } from './cron-runner';
import { CronScheduleStore } from './cron-schedule-store';
import { CronSchedulesModule } from './cron-schedules.module';
import { InvalidScheduleError } from './cron-timing';
import { ScheduleDefinition } from './schedule-records';

const at = (iso: string) => Date.parse(iso);

async function schedulerInstance(keyspace: string, overrides: Record<string, string> = {}): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(testConfig({ CRON_KEYSPACE: keyspace, UNIFIED_REGISTRY_ENABLED: 'true', CRON_MISSED_GRACE_MS: '60000', CRON_RUN_LEASE_MS: '1000', ...overrides })),
      RedisModule,
      FirebaseModule,
      CronSchedulesModule,
    ],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

function definition(changes: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  return {
    cron_expression: '* * * * * *',
    timezone: 'UTC',
    task_type: 'document_analysis',
    payload: { document_data: { content: 'Invoice 42: 120 EUR due on 2026-12-31.' } },
    catch_up: 'collapse',
    overlap: 'queue',
    ...changes,
  };
}

describe('cron schedules on real Redis, two scheduler instances', () => {
  const keyspace = uniqueId('cron');
  let first: TestingModule;
  let second: TestingModule;
  let store: CronScheduleStore;
  let tasks: TaskService;
  let redis: RedisConnections;
  const dispatchers: CronDispatcher[] = [];

  beforeAll(async () => {
    [first, second] = await Promise.all([schedulerInstance(keyspace), schedulerInstance(keyspace)]);
    store = first.get(CronScheduleStore);
    tasks = first.get(TaskService);
    redis = first.get(RedisConnections);
    dispatchers.push(first.get(CronDispatcher), second.get(CronDispatcher));
  });

  afterAll(async () => {
    await Promise.all([first.close(), second.close()]);
  });

  /** Both instances claim at the same controlled instant, then their runs end. */
  async function stepBoth(now: number): Promise<void> {
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.step(now)));
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.settle()));
  }

  async function newOwner(): Promise<{ user: string; company: string }> {
    const user = uniqueId('u');
    const company = uniqueId('c');
    await first.get(CompanyQuotasService).set(company, { max_tasks_per_user: 1000 });
    return { user, company };
  }

  const taskIdOf = (scheduleId: string, tick: number) => `doc_analysis_${scheduleId}_${tick}`;

  describe('validation', () => {
    it.each([
      ['cron_expression', { cron_expression: '61 * * * *' }],
      ['cron_expression', { cron_expression: '* * *' }],
      ['timezone', { timezone: 'Mars/Olympus_Mons' }],
      ['task_type', { task_type: 'bitcoin_mining' }],
      ['task_type', { task_type: 'noop' }], // a worker drill type, not a TASK job type
      ['payload', { payload: {} }],
      ['payload', { payload: { document_data: 'not an object' } }],
      ['payload', { payload: { document_data: {}, job_id: 'mine' } }],
      ['catch_up', { catch_up: 'sometimes' as never }],
      ['overlap', { overlap: 'both' as never }],
    ])('refuses a bad %s, naming it', async (param, changes) => {
      const error = await store.create('u1', 'c1', definition(changes)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidScheduleError);
      expect((error as InvalidScheduleError).param).toBe(param);
      expect((error as Error).message).toContain(param === 'payload' ? 'payload' : param);
    });
  });

  it('stores a schedule as per-field hash values, its next run in the due set, and lists it by user and company', async () => {
    const { user, company } = await newOwner();
    const now = at('2026-12-01T10:00:00.400Z');
    const created = await store.create(user, company, definition({ cron_expression: '0 9 * * 1-5', timezone: 'Europe/Paris' }), now);
    expect(created.next_run_at).toBe('2026-12-02T08:00:00.000Z');
    const hash = await redis.command.hgetall(`cron:{${keyspace}}:task:${created.task_id}`);
    expect(hash).toMatchObject({ user_id: user, company_id: company, cron_expression: '0 9 * * 1-5', timezone: 'Europe/Paris', status: 'active', version: '1' });
    expect(JSON.parse(hash['payload'])).toEqual(definition().payload);
    expect(Number(await redis.command.zscore(`cron:{${keyspace}}:due`, created.task_id))).toBe(at(created.next_run_at));

    await store.create(user, uniqueId('other'), definition({ cron_expression: '0 9 * * 1-5' }), now); // not due during the tests below
    expect((await store.list(user)).map((view) => view.company_id).sort()).toHaveLength(2);
    expect((await store.list(user, company)).map((view) => view.task_id)).toEqual([created.task_id]);

    const view = await store.get(created.task_id);
    expect(view).toMatchObject({ task_id: created.task_id, next_run_at: created.next_run_at, last_run_at: null, run_count: 0, last_status: null });
  });

  it('every tick of a 1-second schedule is queued exactly once over 25 ticks, whichever of two instances claims it', async () => {
    const { user, company } = await newOwner();
    const start = at('2026-12-01T11:00:00.000Z');
    const { task_id: scheduleId } = await store.create(user, company, definition(), start - 500);
    const ticks = Array.from({ length: 25 }, (_, index) => start + index * 1000);
    const claimedBefore = dispatchers.map((dispatcher) => dispatcher.counters.get('claimed') ?? 0);
    for (const tick of ticks) await stepBoth(tick + 300);
    const claimed = dispatchers.map((dispatcher, index) => (dispatcher.counters.get('claimed') ?? 0) - claimedBefore[index]);
    expect(claimed[0] + claimed[1]).toBe(25); // each tick claimed by one instance only (the only schedule due), not run twice and deduplicated

    const view = await store.get(scheduleId);
    expect(view?.run_count).toBe(25);
    expect(view?.next_run_at).toBe(new Date(start + 25_000).toISOString());
    const queue = first.get(TaskQueues).queue('computation');
    for (const tick of ticks) {
      const status = await tasks.status(taskIdOf(scheduleId, tick));
      expect(status?.status).toBe('queued');
      expect((await queue.getJob(taskIdOf(scheduleId, tick)))?.data.payload.job_id).toBe(`${scheduleId}_${tick}`);
    }
    const userTasks = (await tasks.listUserTasks(user)).filter((task) => task.task_id.includes(scheduleId));
    expect(userTasks).toHaveLength(25);
    expect(await redis.command.zcard(`cron:{${keyspace}}:inflight`)).toBe(0);
  });

  it('a run claimed by an instance that died is taken over after its lease, and queued once', async () => {
    const { user, company } = await newOwner();
    const tick = at('2026-12-01T12:00:00.000Z');
    const { task_id: scheduleId } = await store.create(user, company, definition({ cron_expression: '0 0 12 * * *' }), tick - 500);
    const claimed = await first.get(CronRunClaims).claim(10, tick + 100); // claimed, then "killed" before running it
    expect(claimed.runs.map((run) => run.member)).toContain(`${scheduleId}|${tick}|cron`);
    await stepBoth(tick + 500); // lease (1 s) still valid: nobody runs it
    expect(await tasks.status(taskIdOf(scheduleId, tick))).toBeNull();
    await stepBoth(tick + 1500); // lease expired: taken over
    await stepBoth(tick + 3000);
    expect((await tasks.status(taskIdOf(scheduleId, tick)))?.status).toBe('queued');
    expect((await store.get(scheduleId))?.run_count).toBe(1);
  });

  it('a late outcome with an older fence does not overwrite the newer run\'s', async () => {
    const { user, company } = await newOwner();
    const tick = at('2026-12-01T13:00:00.000Z');
    const { task_id: scheduleId } = await store.create(user, company, definition({ cron_expression: '0 0 13 * * *' }), tick - 500);
    await stepBoth(tick + 100);
    const fence = Number(await redis.command.hget(`cron:{${keyspace}}:task:${scheduleId}`, 'last_fence'));
    const claims = first.get(CronRunClaims);
    await claims.record({ member: `${scheduleId}|${tick}|cron`, scheduleId, tick, kind: 'cron' }, { fence: fence - 1, status: 'failed' });
    expect((await store.get(scheduleId))?.last_status).toBe('queued');
    expect((await store.get(scheduleId))?.run_count).toBe(1);
  });

  describe('missed runs while no scheduler ran (controlled clock, 60 s grace)', () => {
    it('collapse (the default): one run on recovery, for the latest missed tick', async () => {
      const { user, company } = await newOwner();
      const created = at('2026-12-01T14:00:00.000Z');
      const { task_id: scheduleId } = await store.create(user, company, definition({ cron_expression: '0 * * * * *' }), created - 500);
      const recovery = at('2026-12-01T14:30:10.000Z'); // down for 30 minutes: 30 ticks missed
      await stepBoth(recovery);
      const view = await store.get(scheduleId);
      expect(view?.run_count).toBe(1);
      expect(view?.last_scheduled_for).toBe('2026-12-01T14:29:00.000Z');
      expect(view?.missed_count).toBe(1);
      expect(await tasks.status(taskIdOf(scheduleId, at('2026-12-01T14:29:00.000Z')))).not.toBeNull();
      // The ticks within the grace period run one by one, then the schedule goes on normally.
      await stepBoth(recovery + 10);
      expect((await store.get(scheduleId))?.run_count).toBe(2);
      expect((await store.get(scheduleId))?.last_scheduled_for).toBe('2026-12-01T14:30:00.000Z');
      expect((await store.get(scheduleId))?.next_run_at).toBe('2026-12-01T14:31:00.000Z');
    });

    it('skip: no run for the missed ticks; the schedule resumes with the next one', async () => {
      const { user, company } = await newOwner();
      const created = at('2026-12-01T15:00:00.000Z');
      const { task_id: scheduleId } = await store.create(user, company, definition({ cron_expression: '0 0 * * * *', catch_up: 'skip' }), created - 500);
      const recovery = at('2026-12-01T18:20:00.000Z'); // 15:00, 16:00, 17:00, 18:00 missed
      await stepBoth(recovery);
      const view = await store.get(scheduleId);
      expect(view?.run_count).toBe(0);
      expect(view?.missed_count).toBe(1);
      expect(view?.next_run_at).toBe('2026-12-01T19:00:00.000Z');
    });
  });

  describe('daylight saving in Europe/Paris (controlled clock)', () => {
    it('2026-03-29: the 02:30 run, in the skipped hour, runs once at 03:00 CEST', async () => {
      const { user, company } = await newOwner();
      const { task_id: scheduleId, next_run_at } = await store.create(user, company, definition({ cron_expression: '30 2 * * *', timezone: 'Europe/Paris' }), at('2026-03-28T12:00:00Z'));
      expect(next_run_at).toBe('2026-03-29T01:00:00.000Z');
      await stepBoth(at('2026-03-29T00:59:59.000Z'));
      expect((await store.get(scheduleId))?.run_count).toBe(0);
      await stepBoth(at('2026-03-29T01:00:00.200Z'));
      await stepBoth(at('2026-03-29T01:30:00.200Z')); // when 02:30 CET would have been, had it existed: nothing more
      const view = await store.get(scheduleId);
      expect(view?.run_count).toBe(1);
      expect(view?.last_scheduled_for).toBe('2026-03-29T01:00:00.000Z');
      expect(view?.next_run_at).toBe('2026-03-30T00:30:00.000Z');
    });

    it('2026-10-25: the 02:30 run, in the repeated hour, runs once', async () => {
      const { user, company } = await newOwner();
      const { task_id: scheduleId } = await store.create(user, company, definition({ cron_expression: '30 2 * * *', timezone: 'Europe/Paris' }), at('2026-10-24T12:00:00Z'));
      await stepBoth(at('2026-10-25T00:30:00.200Z')); // 02:30 CEST
      await stepBoth(at('2026-10-25T01:30:00.200Z')); // 02:30 CET, the same wall-clock time again
      const view = await store.get(scheduleId);
      expect(view?.run_count).toBe(1);
      expect(view?.last_scheduled_for).toBe('2026-10-25T00:30:00.000Z');
      expect(view?.next_run_at).toBe('2026-10-26T01:30:00.000Z');
    });
  });

  it('overlap skip: a tick whose previous task is still queued is skipped; queue: it is queued as well', async () => {
    const { user, company } = await newOwner();
    const start = at('2026-12-01T16:00:00.000Z');
    const skipping = await store.create(user, company, definition({ overlap: 'skip' }), start - 500);
    const queueing = await store.create(user, company, definition({ overlap: 'queue' }), start - 500);
    for (const offset of [0, 1000, 2000]) await stepBoth(start + offset + 100);
    const skipped = await store.get(skipping.task_id);
    expect(skipped).toMatchObject({ run_count: 1, skipped_count: 2, last_status: 'skipped_overlap', last_task_id: taskIdOf(skipping.task_id, start) });
    expect((await store.get(queueing.task_id))?.run_count).toBe(3);

    await tasks.cancel(taskIdOf(skipping.task_id, start)); // the previous run ended: the next tick runs
    await stepBoth(start + 3100);
    expect((await store.get(skipping.task_id))?.run_count).toBe(2);
  });

  it('pause stops runs on both instances, resume restarts from now, update and delete take effect at the next claim', async () => {
    const { user, company } = await newOwner();
    const start = at('2026-12-01T17:00:00.000Z');
    const { task_id: scheduleId } = await store.create(user, company, definition(), start - 500);
    await stepBoth(start + 100);
    await second.get(CronScheduleStore).pause(scheduleId, start + 200);
    expect((await store.get(scheduleId))?.next_run_at).toBeNull();
    for (const offset of [1000, 2000, 3000]) await stepBoth(start + offset + 100);
    expect((await store.get(scheduleId))?.run_count).toBe(1);

    const resumed = await store.resume(scheduleId, start + 3500);
    expect(resumed.next_run_at).toBe(new Date(start + 4000).toISOString());
    await stepBoth(start + 4100);
    expect((await store.get(scheduleId))?.run_count).toBe(2);

    const updated = await store.update(scheduleId, { cron_expression: '0 0 18 * * *' }, start + 4200);
    expect(updated.next_run_at).toBe('2026-12-01T18:00:00.000Z');
    await stepBoth(start + 5100);
    expect((await store.get(scheduleId))?.run_count).toBe(2);

    await store.delete(scheduleId);
    expect(await store.get(scheduleId)).toBeNull();
    expect(await redis.command.zscore(`cron:{${keyspace}}:due`, scheduleId)).toBeNull();
    expect(await store.list(user)).toEqual([]);
  });

  it('run_now runs once, whichever instance claims it', async () => {
    const { user, company } = await newOwner();
    const { task_id: scheduleId } = await store.create(user, company, definition({ cron_expression: '0 0 0 1 1 *' }));
    const now = Date.now();
    const asked = await store.runNow(scheduleId, now);
    expect(asked.task_id).toBe(`doc_analysis_${scheduleId}_now_${now}`);
    await stepBoth(now + 50);
    await stepBoth(now + 100);
    expect((await tasks.status(asked.task_id))?.status).toBe('queued');
    expect((await store.get(scheduleId))?.run_count).toBe(1);
  });

  describe('on a keyspace of their own', () => {
    let third: TestingModule;
    let fourth: TestingModule;
    let ownStore: CronScheduleStore;

    beforeAll(async () => {
      const own = uniqueId('cron');
      [third, fourth] = await Promise.all([schedulerInstance(own), schedulerInstance(own)]);
      ownStore = third.get(CronScheduleStore);
    });

    afterAll(async () => {
      await Promise.all([third.close(), fourth.close()]);
    });

    it('a run that is late because of a backlog, while claim steps went on, runs at its tick even with catch_up skip', async () => {
      const { user, company } = await newOwner();
      const tick = at('2026-12-02T09:00:00.000Z');
      const skipping = definition({ cron_expression: '0 0 9 * * *', catch_up: 'skip' });
      const created = await Promise.all([ownStore.create(user, company, skipping, tick - 500), ownStore.create(user, company, skipping, tick - 500)]);
      const claims = third.get(CronRunClaims);
      const firstStep = await claims.claim(1, tick + 50_000); // one slot: the other schedule waits
      const secondStep = await claims.claim(1, tick + 100_000); // 100 s late, past the 60 s grace, but steps never stopped
      const runs = [...firstStep.runs, ...secondStep.runs]; // the second step also re-leases the first run (its 1 s lease expired)
      expect([...new Set(runs.map((run) => run.scheduleId))].sort()).toEqual(created.map((schedule) => schedule.task_id).sort());
      expect(runs.every((run) => run.tick === tick)).toBe(true);
      expect(secondStep.stats.missedSkipped).toBe(0);

      // Steps that stop for longer than the grace period are an outage: the runs due in it are missed.
      const daily = await ownStore.create(user, company, skipping, tick + 100_000);
      const recovery = at('2026-12-05T12:00:00.000Z');
      const afterOutage = await claims.claim(10, recovery);
      expect(afterOutage.runs.map((run) => run.scheduleId)).not.toContain(daily.task_id);
      expect(afterOutage.stats.missedSkipped).toBeGreaterThanOrEqual(1);
      expect((await ownStore.get(daily.task_id))?.next_run_at).toBe('2026-12-06T09:00:00.000Z');
    });

    it('two attempts at one claimed run start one task: the one that gets the lock after the other ended finds the run recorded', async () => {
      const { user, company } = await newOwner();
      const tick = at('2026-12-02T10:00:00.000Z');
      const { task_id: scheduleId } = await ownStore.create(user, company, definition({ cron_expression: '0 0 10 * * *' }), tick - 500);
      const { runs } = await third.get(CronRunClaims).claim(10, tick + 100);
      const run = runs.find((claimed) => claimed.scheduleId === scheduleId);
      if (!run) throw new Error('the run was not claimed');
      const [one, other] = await Promise.all([third.get(CronRunner).run(run), fourth.get(CronRunner).run(run)]);
      const outcomes = [one.outcome, other.outcome];
      expect(outcomes.filter((outcome) => outcome === 'queued')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome !== 'queued')).toEqual([expect.stringMatching(/^(deferred|already_recorded)$/)]);
      // The attempt that was deferred (or a slow instance's) comes back for the run: nothing is started again.
      expect((await fourth.get(CronRunner).run(run)).outcome).toBe('already_recorded');
      expect((await ownStore.get(scheduleId))?.run_count).toBe(1);
      expect(await third.get(CronRunClaims).isLeased(run)).toBe(false);
    });

    it('concurrent updates of different fields through two instances both take effect (no lost update)', async () => {
      const { user, company } = await newOwner();
      const { task_id: scheduleId } = await ownStore.create(user, company, definition());
      const otherStore = fourth.get(CronScheduleStore);
      for (let round = 0; round < 10; round += 1) {
        const expression = `${round} * * * * *`;
        const timezone = round % 2 === 0 ? 'Europe/Paris' : 'America/New_York';
        await Promise.all([ownStore.update(scheduleId, { cron_expression: expression }), otherStore.update(scheduleId, { timezone }), otherStore.update(scheduleId, { overlap: round % 2 === 0 ? 'skip' : 'queue' })]);
        const view = await ownStore.get(scheduleId);
        expect([view?.cron_expression, view?.timezone, view?.overlap]).toEqual([expression, timezone, round % 2 === 0 ? 'skip' : 'queue']);
      }
    });

    it('a run still going keeps its lease; a recorded run is not leased again by a late renewal', async () => {
      const { user, company } = await newOwner();
      const tick = at('2026-12-02T11:00:00.000Z');
      const { task_id: scheduleId } = await ownStore.create(user, company, definition({ cron_expression: '0 0 11 * * *' }), tick - 500);
      const claims = third.get(CronRunClaims);
      const run = (await claims.claim(10, tick + 100)).runs.find((claimed) => claimed.scheduleId === scheduleId);
      if (!run) throw new Error('the run was not claimed');
      const inflight = `cron:{${third.get(CronKeys).keyspace}}:inflight`;
      await claims.renewLease(run, 1000, tick + 5000);
      expect(Number(await redis.command.zscore(inflight, run.member))).toBe(tick + 6000);
      expect((await fourth.get(CronRunClaims).claim(10, tick + 2000)).runs.map((claimed) => claimed.member)).not.toContain(run.member); // not expired: not taken over
      await claims.record(run, { fence: 1, status: 'queued' });
      await claims.renewLease(run, 1000, tick + 7000);
      expect(await redis.command.zscore(inflight, run.member)).toBeNull();
    });
  });
});
