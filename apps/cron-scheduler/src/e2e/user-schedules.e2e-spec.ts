import { Test, TestingModule } from '@nestjs/testing';
import { ConfigModule } from '@suite/config';
import { CronScheduleStore, CronSchedulesModule, ScheduleDefinition } from '@suite/cron-schedules';
import { FirebaseModule } from '@suite/firebase';
import { TaskQueues } from '@suite/queues';
import { RedisModule } from '@suite/redis';
import { CompanyQuotasService } from '@suite/registry';
import { TaskService } from '@suite/tasks';
import { ManagedProcess, spawnApp, testConfig, testRedisClient, TestRedis, uniqueId, waitFor } from '@suite/testing';

const SCHEDULES = 6;

interface SchedulerProcess {
  process: ManagedProcess;
  /** When this instance last logged a run (ms), and how many it logged. */
  lastRunAt: number;
  runs: number;
}

/** A `cron_run` log line: one per run an instance started and recorded. */
interface LoggedRun {
  instance: number;
  scheduleId: string;
  scheduledFor: number;
  kind: string;
  outcome: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Three real cron-scheduler processes share the schedules of one keyspace. Several schedules fire
 * every second so that an instance killed just after a tick is likely to hold claimed runs.
 */
describe('user schedules: three scheduler processes, kill -9, pause, run_now', () => {
  const keyspace = uniqueId('cron');
  const company = uniqueId('c');
  const environment = {
    CRON_KEYSPACE: keyspace,
    UNIFIED_REGISTRY_ENABLED: 'true',
    CRON_CLAIM_INTERVAL_MS: '100',
    CRON_RUN_LEASE_MS: '2000',
    CRON_MISSED_GRACE_MS: '60000',
    MAINTENANCE_INTERVAL_MS: '60000',
  };
  let client: TestingModule;
  let store: CronScheduleStore;
  let tasks: TaskService;
  let redis: TestRedis;
  const schedulers: SchedulerProcess[] = [];
  const loggedRuns: LoggedRun[] = [];

  function startScheduler(): SchedulerProcess {
    const entry: SchedulerProcess = { process: spawnApp('cron-scheduler', environment), lastRunAt: 0, runs: 0 };
    const instance = schedulers.length;
    let partial = '';
    entry.process.child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      const runs = lines.filter((line) => line.includes('"event":"cron_run"'));
      for (const line of runs) {
        const logged = JSON.parse(line) as { task_id: string; scheduled_for: string; kind: string; outcome: string };
        loggedRuns.push({ instance, scheduleId: logged.task_id, scheduledFor: Date.parse(logged.scheduled_for), kind: logged.kind, outcome: logged.outcome });
      }
      if (runs.length > 0) {
        entry.runs += runs.length;
        entry.lastRunAt = Date.now();
      }
    });
    schedulers.push(entry);
    return entry;
  }

  beforeAll(async () => {
    client = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(testConfig({ ...environment })), RedisModule, FirebaseModule, CronSchedulesModule],
    }).compile();
    await client.init();
    store = client.get(CronScheduleStore);
    tasks = client.get(TaskService);
    redis = testRedisClient();
    await client.get(CompanyQuotasService).set(company, { max_tasks_per_user: 100_000 });
  });

  afterAll(async () => {
    for (const entry of schedulers) entry.process.child.kill('SIGCONT');
    await Promise.all(schedulers.map((entry) => entry.process.stop()));
    await client.close();
    redis.disconnect();
  });

  const definition: ScheduleDefinition = {
    cron_expression: '* * * * * *',
    timezone: 'Europe/Paris',
    task_type: 'document_analysis',
    payload: { document_data: { content: 'Invoice 7, 99 EUR.' } },
    catch_up: 'collapse',
    overlap: 'queue',
  };

  /** The ticks a schedule's tasks were queued for, from the queue itself (one job per task id). */
  async function queuedTicks(scheduleId: string): Promise<number[]> {
    const jobs = await client.get(TaskQueues).queue('computation').getJobs(['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed']);
    const prefix = `doc_analysis_${scheduleId}_`;
    return jobs
      .map((job) => job.id ?? '')
      .filter((id) => id.startsWith(prefix) && !id.includes('_now_'))
      .map((id) => Number(id.slice(prefix.length)))
      .sort((a, b) => a - b);
  }

  it('every tick is queued exactly once across three instances, also when the busy one is killed -9; pause and run_now hold on every instance', async () => {
    const ids: string[] = [];
    for (let index = 0; index < SCHEDULES; index += 1) ids.push((await store.create(uniqueId('u'), company, definition)).task_id);
    const [watched] = ids;
    startScheduler();
    startScheduler();
    startScheduler();
    await waitFor(async () => ((await store.get(watched))?.run_count ?? 0) >= 5, 'the first runs', 60_000, 200);
    await waitFor(() => schedulers.every((entry) => entry.runs > 0), 'every instance to run some (the runs spread)', 60_000, 200);

    // Freeze the two others (SIGSTOP) so the victim alone claims, then catch the victim itself
    // holding claimed runs: freeze it too, and read what it holds (claimed after the freeze of the
    // others, so by the victim alone, and not yet recorded). Kill -9 it then, while it holds them.
    const [victim, ...others] = schedulers;
    for (const other of others) other.process.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    const inflightKey = `cron:{${keyspace}}:inflight`;
    let heldAtKill: string[] = [];
    await waitFor(async () => {
      victim.process.child.kill('SIGSTOP');
      await pause(50);
      heldAtKill = (await redis.zrange(inflightKey, 0, -1)).filter((member) => Number(member.split('|')[1]) > stoppedAt);
      if (heldAtKill.length === 0) {
        victim.process.child.kill('SIGCONT');
        await pause(20);
        return false;
      }
      await victim.process.kill();
      return true;
    }, 'the victim to hold a claimed run', 90_000, 2); // it holds a claim a few ms of each second: many samples on a loaded machine
    for (const other of others) other.process.child.kill('SIGCONT');
    expect(heldAtKill.length).toBeGreaterThan(0);
    const killedAt = Date.now();

    // Later ticks still run (on the two others), the dead one's claimed runs included, after their lease.
    await waitFor(async () => (await queuedTicks(watched)).filter((tick) => tick > killedAt).length >= 20, '20 more ticks after the kill', 120_000, 500);

    // Pause: no instance runs the schedule any more.
    await store.pause(watched);
    await pause(1500); // a run claimed just before the pause ends
    const pausedCount = (await store.get(watched))?.run_count ?? 0;
    const pausedAt = Date.now();
    await pause(3000);
    expect((await store.get(watched))?.run_count).toBe(pausedCount);
    expect((await queuedTicks(watched)).filter((tick) => tick > pausedAt)).toEqual([]);

    // run_now on the paused schedule: one run, whichever instance claims it.
    const asked = await store.runNow(watched);
    await waitFor(async () => (await tasks.status(asked.task_id)) !== null, 'the run_now task', 20_000, 100);
    await pause(1500);
    expect((await store.get(watched))?.run_count).toBe(pausedCount + 1);
    const manualJobs = (await client.get(TaskQueues).queue('computation').getJobs(['waiting', 'prioritized'])).filter((job) => job.id?.startsWith(`doc_analysis_${watched}_now_`));
    expect(manualJobs).toHaveLength(1);

    // Quiesce: pause the others; every claimed run ends (the dead instance's included), and then every
    // tick of every schedule between its first and last run has exactly one job: none twice, none missing.
    for (const id of ids.slice(1)) await store.pause(id);
    const inflight = `cron:{${keyspace}}:inflight`;
    await waitFor(async () => (await redis.zcard(inflight)) === 0, 'every claimed run to end', 30_000, 200).catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(await redis.zrange(inflight, 0, -1, 'WITHSCORES'))} at ${Date.now()}`);
    });
    for (const id of ids) {
      const ticks = await queuedTicks(id);
      expect(new Set(ticks).size).toBe(ticks.length);
      const gaps = ticks.slice(1).map((tick, index) => tick - ticks[index]).filter((gap) => gap !== 1000);
      expect(gaps).toEqual([]);
      const view = await store.get(id);
      expect(view?.run_count).toBe(ticks.length + (id === watched ? 1 : 0)); // each run counted once (+ the run_now)
    }
    // Every tick was started and recorded by one instance only: one `cron_run` line per tick.
    const linesPerTick = new Map<string, number>();
    for (const run of loggedRuns.filter((logged) => logged.kind === 'cron' && logged.outcome !== 'already_recorded')) {
      const key = `${run.scheduleId}|${run.scheduledFor}`;
      linesPerTick.set(key, (linesPerTick.get(key) ?? 0) + 1);
    }
    expect([...linesPerTick].filter(([, lines]) => lines !== 1)).toEqual([]);
    // The runs the dead instance held at the kill were taken over by a survivor: each has its task
    // and its one `cron_run` line, from another instance.
    for (const member of heldAtKill) {
      const [scheduleId, tick, kind] = member.split('|');
      if (kind !== 'cron') continue;
      expect(await tasks.status(`doc_analysis_${scheduleId}_${tick}`)).not.toBeNull();
      const recordedBy = loggedRuns.filter((run) => run.scheduleId === scheduleId && run.scheduledFor === Number(tick) && run.outcome !== 'already_recorded').map((run) => run.instance);
      expect(recordedBy).toHaveLength(1);
      expect(recordedBy[0]).not.toBe(0);
    }
  }, 240_000);
});
