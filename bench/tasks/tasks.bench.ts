import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { AppConfig, loadConfig } from '@suite/config';
import type { EventEnvelope } from '@suite/events';
import type { NoopPayload, TaskProgressEvent } from '@suite/job-contracts';
import { buildQuotaActiveTasksKey, INSTANCES_KEY } from '@suite/redis-namespaces';
import { CompanyQuotasService } from '@suite/registry';
import { TaskService } from '@suite/tasks';
import { JobsOptions, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { REPO_ROOT, spawnApp } from '../../libs/testing/src/lib/app-process';
import { findFreePort } from '../../libs/testing/src/lib/stack/free-port';
import { ManagedProcess, waitUntilReady } from '../../libs/testing/src/lib/stack/managed-process';
import { startRedisServer } from '../../libs/testing/src/lib/stack/redis-server';
import { median, medianItem } from '../lib/median';
import type { Bench } from '../lib/bench';
import { CpuMeter, CpuWindow } from '../lib/cpu';
import { machineInfo } from '../lib/machine';
import { cpuProfileArgs, spawnBenchScript } from '../lib/processes';
import { RedisCommandMeter, RedisCommandWindow } from '../lib/redis-commands';
import { measurementLines, say, writeResults } from '../lib/report';
import { CompletionTracker, LoopResult, LoopSettings, runClosedLoop } from './closed-loop';
import { InProcessProfile } from './in-process-profile';
import { startTaskProducer } from './task-producer';
import { gitRevision, integerSetting } from '../lib/settings';

const BASELINE = 'raw-bullmq';
const TASKS_TARGET = 'tasks noop';
const RAW_QUEUE = 'bench-raw';
const COMPANY = 'bench-company';
const USER_PREFIX = 'bench-u';
const WORKER_LOG_LEVEL = 'warn';
/** Throughput share of raw BullMQ the issue asks of the task path. */
const TARGET_RATIO_PERCENT = 40;
/** After the last completion, how long to keep listening for a second completion of some job. */
const DUPLICATE_GRACE_MS = 1500;
/** Nothing completed for this long while jobs are outstanding: those jobs are lost. */
const STALL_MS = 30_000;

const PRODUCER_PROCESS = 'producer';
const WORKER_PROCESS = 'worker';
const REDIS_PROCESS = 'redis';

interface TasksSettings {
  /** Measured jobs per target. */
  tasks: number;
  /** Jobs outstanding at once (closed loop). */
  inFlight: number;
  /** Jobs per target run and discarded before measuring. */
  warmup: number;
  /** Worker concurrency, both targets. */
  concurrency: number;
  /** Users the tasks are spread over (round robin), all in one company. */
  users: number;
  /** Rounds of both targets, one after the other. */
  rounds: number;
}

interface TargetResult {
  target: string;
  loop: LoopResult;
  warmup?: LoopResult;
  /** Completion events beyond the first for one job, over warm-up and measurement. */
  duplicates: number;
  /** Completion events for jobs this bench did not enqueue. */
  unexpected: number;
  cpu?: CpuWindow;
  redisCommands?: RedisCommandWindow;
  /** Messages the producer received on the users' channels per task (task path only). */
  eventsPerTask?: number;
  /** Quota slots still held once every task completed (task path only; should be 0). */
  heldQuotaSlots?: number;
  /** Over rounds: the median of the per-round ratios to the baseline (else computed from `loop`). */
  ratioToBaselinePercent?: number;
}

/** BENCH_TASKS (20000), BENCH_TASKS_IN_FLIGHT (200), BENCH_TASKS_WARMUP (2000), BENCH_TASKS_CONCURRENCY (50), BENCH_TASKS_USERS (100), BENCH_TASKS_ROUNDS (3). */
function settingsFromEnv(): TasksSettings {
  return {
    tasks: integerSetting('BENCH_TASKS', 20_000, 1),
    inFlight: integerSetting('BENCH_TASKS_IN_FLIGHT', 200, 1),
    warmup: integerSetting('BENCH_TASKS_WARMUP', 2000, 0),
    concurrency: integerSetting('BENCH_TASKS_CONCURRENCY', 50, 1),
    users: integerSetting('BENCH_TASKS_USERS', 100, 1),
    rounds: integerSetting('BENCH_TASKS_ROUNDS', 3, 1),
  };
}

function roundOrNull(value: number | undefined): number | null {
  return value === undefined ? null : Math.round(value * 10) / 10;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stops a worker; with --cpu-prof, says where its profile (written on exit, named after its pid) went. */
async function stopWorker(worker: ManagedProcess, profileDir: string | undefined): Promise<void> {
  const pid = worker.child.pid;
  await worker.stop();
  if (!profileDir || pid === undefined) return;
  const file = readdirSync(profileDir).find((name) => name.includes(`.${pid}.`) && name.endsWith('.cpuprofile'));
  say(`  ${worker.name} profile: ${file ? join(profileDir, file) : 'not written'}`);
}

async function startRawWorker(environment: Record<string, string>, profileDir: string | undefined): Promise<ManagedProcess> {
  const worker = spawnBenchScript('raw-bullmq-worker', 'tasks/raw-bullmq-worker.ts', environment, cpuProfileArgs(profileDir));
  await waitUntilReady(worker, async () => worker.output().includes('raw-bullmq-worker ready'), 60_000);
  return worker;
}

/** The real apps/task-worker; ready once it has recorded itself in `instances:live` (it logs at warn, so no `workers_started` line). */
async function startTaskWorker(environment: Record<string, string>, profileDir: string | undefined, control: Redis): Promise<ManagedProcess> {
  const worker = spawnApp('task-worker', environment, cpuProfileArgs(profileDir));
  const registered = async () =>
    (await control.zrange(INSTANCES_KEY, 0, -1)).some((member) => {
      const instance = JSON.parse(member) as { app?: string; pid?: number };
      return instance.app === 'task-worker' && instance.pid === worker.child.pid;
    });
  await waitUntilReady(worker, registered, 120_000);
  return worker;
}

interface Target {
  name: string;
  worker: ManagedProcess;
  tracker: CompletionTracker;
  idOf(index: number, phase: 'warmup' | 'measured'): string;
  enqueue(id: string, index: number): Promise<void>;
  /** Called once the warm-up is done, just before the measured window. */
  beforeMeasuring?(): void;
}

interface Meters {
  redis: RedisCommandMeter;
  redisPid: number | undefined;
  /** BENCH_CPU_PROF: where the producer's profile of each measured window goes. */
  profileDir?: string;
}

function loopSummary(loop: LoopResult): string {
  const problems = [loop.failed && `${loop.failed} failed`, loop.lost && `${loop.lost} lost`, loop.notEnqueued && `${loop.notEnqueued} not enqueued (${loop.firstEnqueueError})`]
    .filter(Boolean)
    .join(', ');
  return `${loop.completed}/${loop.jobs} completed in ${loop.wallS} s: ${loop.jobsPerSecond} jobs/s, p50 ${loop.latencyP50Ms.toFixed(2)} ms, p99 ${loop.latencyP99Ms.toFixed(2)} ms${problems ? `; ${problems}` : ''}`;
}

async function measureTarget(target: Target, settings: TasksSettings, meters: Meters): Promise<TargetResult> {
  const loopSettings = (count: number): LoopSettings => ({ count, inFlight: settings.inFlight, stallMs: STALL_MS });
  let warmup: LoopResult | undefined;
  if (settings.warmup > 0) {
    say(`${target.name}: warm-up, ${settings.warmup} jobs (discarded)…`);
    warmup = await runClosedLoop(loopSettings(settings.warmup), target.tracker, (index) => target.idOf(index, 'warmup'), (id, index) => target.enqueue(id, index));
  }
  say(`${target.name}: measuring ${settings.tasks} jobs, ${settings.inFlight} in flight…`);
  target.beforeMeasuring?.();
  const cpu = new CpuMeter({ [PRODUCER_PROCESS]: process.pid, [WORKER_PROCESS]: target.worker.child.pid, [REDIS_PROCESS]: meters.redisPid });
  const profile = meters.profileDir ? await InProcessProfile.start(meters.profileDir) : undefined;
  await meters.redis.begin();
  cpu.begin();
  const loop = await runClosedLoop(loopSettings(settings.tasks), target.tracker, (index) => target.idOf(index, 'measured'), (id, index) => target.enqueue(id, index));
  const cpuWindow = cpu.end(loop.completed);
  const redisCommands = await meters.redis.end(loop.completed);
  if (profile) say(`  producer profile of the measured window: ${await profile.stop(`producer-${target.name.replace(/\W+/g, '-')}`)}`);
  await sleep(DUPLICATE_GRACE_MS); // a second completion of some job would show up by now
  const result: TargetResult = { target: target.name, loop, warmup, duplicates: target.tracker.duplicates, unexpected: target.tracker.unexpected, cpu: cpuWindow, redisCommands };
  say(`  ${loopSummary(loop)}${target.tracker.duplicates ? `; ${target.tracker.duplicates} duplicate completions` : ''}${measurementLines(result.cpu, result.redisCommands, 'job')}`);
  return result;
}


async function runRaw(settings: TasksSettings, config: AppConfig, redisHost: string, redisPort: number, meters: Meters, profileDir: string | undefined, round: number): Promise<TargetResult> {
  // A queue per round: its event stream is read from the start and must hold no earlier round's jobs.
  const queueName = `${RAW_QUEUE}-${round}`;
  const connection = { host: redisHost, port: redisPort, maxRetriesPerRequest: null };
  const worker = await startRawWorker(
    {
      REDIS_HOST: redisHost,
      REDIS_PORT: String(redisPort),
      RAW_QUEUE: queueName,
      RAW_PREFIX: config.QUEUE_PREFIX,
      RAW_CONCURRENCY: String(settings.concurrency),
      RAW_LOCK_DURATION_MS: String(config.WORKER_LOCK_DURATION_MS),
      RAW_STALLED_INTERVAL_MS: String(config.WORKER_STALLED_INTERVAL_MS),
    },
    profileDir,
  );
  const queue = new Queue(queueName, { connection, prefix: config.QUEUE_PREFIX });
  // The queue is new, so reading its event stream from the start misses nothing and sees nothing old.
  const events = new QueueEvents(queueName, { connection, prefix: config.QUEUE_PREFIX, lastEventId: '0-0' });
  const tracker = new CompletionTracker();
  events.on('completed', ({ jobId }) => tracker.completed(jobId));
  events.on('failed', ({ jobId }) => tracker.failed(jobId));
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    // The same job options as TaskService.start, so the difference between the rows is the task machinery.
    const options: JobsOptions = {
      attempts: config.TASK_ATTEMPTS,
      backoff: { type: 'exponential', delay: config.TASK_RETRY_DELAY_MS },
      removeOnComplete: { age: 86_400, count: 10_000 },
      removeOnFail: { age: 7 * 86_400 },
    };
    return await measureTarget(
      {
        name: BASELINE,
        worker,
        tracker,
        idOf: (index, phase) => `raw-r${round}${phase === 'warmup' ? 'w' : 'm'}${index}`,
        enqueue: async (id, index) => {
          await queue.add('noop', { i: index }, { ...options, jobId: id });
        },
      },
      settings,
      meters,
    );
  } finally {
    await stopWorker(worker, profileDir);
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
  }
}

async function runTasks(
  settings: TasksSettings,
  config: AppConfig,
  workerEnvironment: Record<string, string>,
  control: Redis,
  meters: Meters,
  profileDir: string | undefined,
  round: number,
): Promise<TargetResult> {
  const worker = await startTaskWorker(workerEnvironment, profileDir, control);
  const subscriber = new Redis({ host: config.LISTENERS_REDIS_HOST, port: config.LISTENERS_REDIS_PORT, lazyConnect: true });
  const tracker = new CompletionTracker();
  let producer: INestApplicationContext | undefined;
  let messages = 0;
  try {
    producer = await startTaskProducer(config);
    const tasks = producer.get(TaskService);
    await producer.get(CompanyQuotasService).set(COMPANY, { max_tasks_per_user: 1_000_000 });
    await subscriber.connect();
    subscriber.on('pmessage', (_pattern: string, _channel: string, message: string) => {
      messages += 1;
      const event = JSON.parse(message) as EventEnvelope<TaskProgressEvent>;
      if (event.type !== 'task.progress_update') return;
      if (event.payload.status === 'completed') tracker.completed(event.payload.task_id);
      else if (event.payload.status === 'failed' || event.payload.status === 'cancelled') tracker.failed(event.payload.task_id);
    });
    await subscriber.psubscribe(`${config.LISTENERS_CHANNEL_PREFIX}${USER_PREFIX}*`);
    const users = Array.from({ length: settings.users }, (_, index) => `${USER_PREFIX}${String(index).padStart(4, '0')}`);
    let messagesBefore = 0;
    const result = await measureTarget(
      {
        name: TASKS_TARGET,
        worker,
        tracker,
        idOf: (index, phase) => `noop-bench-r${round}${phase === 'warmup' ? 'w' : 'm'}${index}`,
        enqueue: async (id, index) => {
          const outcome = await tasks.start<NoopPayload>({ type: 'noop', taskId: id, userId: users[index % users.length], companyId: COMPANY, payload: { steps: 0 } });
          if (!outcome.started) throw new Error(`start refused by quota ${outcome.quota} (limit ${outcome.limit})`);
        },
        beforeMeasuring: () => {
          messagesBefore = messages;
        },
      },
      settings,
      meters,
    );
    result.eventsPerTask = Math.round((100 * (messages - messagesBefore)) / Math.max(1, result.loop.completed)) / 100;
    const held = await Promise.all(users.map((user) => control.scard(buildQuotaActiveTasksKey(COMPANY, user))));
    result.heldQuotaSlots = held.reduce((sum, count) => sum + count, 0);
    return result;
  } finally {
    await stopWorker(worker, profileDir);
    subscriber.disconnect();
    await producer?.close();
  }
}

function ratio(result: TargetResult, baseline: TargetResult | undefined): number | undefined {
  return baseline && baseline.loop.jobsPerSecond > 0 ? (100 * result.loop.jobsPerSecond) / baseline.loop.jobsPerSecond : undefined;
}

function usPerJob(result: TargetResult, process: string): number | undefined {
  return result.cpu?.processes[process]?.usPerRequest;
}

/** CPU per job of the producer, the worker and Redis together: all of them share the machine's cores. */
function totalUsPerJob(result: TargetResult): number | undefined {
  const parts = [PRODUCER_PROCESS, WORKER_PROCESS, REDIS_PROCESS].map((name) => usPerJob(result, name));
  return parts.every((part) => part !== undefined) ? parts.reduce((sum: number, part) => sum + (part as number), 0) : undefined;
}

/** The baseline's CPU per job over the target's (whole bench, or worker only): the throughput ratio if CPU were the only limit. */
function cpuRatio(result: TargetResult, baseline: TargetResult | undefined, of: (result: TargetResult) => number | undefined): number | undefined {
  const target = of(result);
  const base = baseline && of(baseline);
  return target && base ? (100 * base) / target : undefined;
}

const workerUs = (result: TargetResult) => usPerJob(result, WORKER_PROCESS);

function formatTable(rows: TargetResult[]): string {
  const baseline = rows.find((row) => row.target === BASELINE);
  const percent = (value: number | undefined) => (value === undefined ? '-' : `${Math.round(value)}%`);
  const cpu = (row: TargetResult, process: string) => String(usPerJob(row, process) ?? '-');
  const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);
  const columns: Array<[string, number, (row: TargetResult) => string]> = [
    ['target', -12, (row) => row.target],
    ['tasks/s', 9, (row) => String(row.loop.jobsPerSecond)],
    ['p50 ms', 9, (row) => ms(row.loop.latencyP50Ms)],
    ['p99 ms', 9, (row) => ms(row.loop.latencyP99Ms)],
    [`vs ${BASELINE}`, 15, (row) => percent(row.ratioToBaselinePercent ?? ratio(row, baseline))],
    ['by CPU/task', 13, (row) => percent(cpuRatio(row, baseline, totalUsPerJob))],
    ['by worker CPU', 15, (row) => percent(cpuRatio(row, baseline, workerUs))],
    ['CPU us/task', 13, (row) => String(totalUsPerJob(row) ?? '-')],
    ['worker', 8, (row) => cpu(row, WORKER_PROCESS)],
    ['producer', 10, (row) => cpu(row, PRODUCER_PROCESS)],
    ['redis', 7, (row) => cpu(row, REDIS_PROCESS)],
    ['redis cmd/task', 16, (row) => String(row.redisCommands?.totalPerRequest ?? '-')],
    ['other CPU', 11, (row) => (row.cpu ? `${Math.round(row.cpu.otherPercent)}%` : '-')],
    ['lost/dup/failed', 17, (row) => `${row.loop.lost}/${row.duplicates}/${row.loop.failed}`],
  ];
  const line = (cell: (column: [string, number, (row: TargetResult) => string]) => string) =>
    columns.map((column) => (column[1] > 0 ? cell(column).padStart(column[1]) : cell(column).padEnd(-column[1]))).join('');
  return [line(([title]) => title), ...rows.map((row) => line(([, , value]) => value(row)))].join('\n');
}

/** Everything that must not happen, whatever the speed: a job not completed, completed twice, or failed. */
function problemsOf(result: TargetResult): string[] {
  const problems: string[] = [];
  for (const [phase, loop] of [['measured', result.loop], ['warm-up', result.warmup]] as const) {
    if (!loop) continue;
    if (loop.lost > 0) problems.push(`${loop.lost} jobs lost (${phase}: no completion within ${STALL_MS / 1000} s)`);
    if (loop.failed > 0) problems.push(`${loop.failed} jobs failed (${phase})`);
    if (loop.notEnqueued > 0) problems.push(`${loop.notEnqueued} jobs not enqueued (${phase}): ${loop.firstEnqueueError}`);
  }
  if (result.duplicates > 0) problems.push(`${result.duplicates} duplicate completions`);
  if (result.unexpected > 0) problems.push(`${result.unexpected} completions of jobs the bench did not enqueue`);
  return problems;
}

async function runTasksBench(): Promise<boolean> {
  const settings = settingsFromEnv();
  const profileDir = process.env.BENCH_CPU_PROF ? join(REPO_ROOT, 'bench', 'results', 'profiles') : undefined;
  const machine = machineInfo();
  say(
    `tasks: ${settings.tasks} no-op jobs per target (+${settings.warmup} warm-up), ${settings.inFlight} in flight (closed loop), worker concurrency ${settings.concurrency}, one target at a time against one throwaway Redis, ${settings.rounds} round(s) of both targets`,
  );
  say(`workers run in child processes; the producer and the completion listener run in this process (${machine.cpuCount} CPUs shared by all; load average ${machine.loadAverage1m.toFixed(2)} before the run)`);
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    say(`BENCH_CPU_PROF is set: both workers run with --cpu-prof and this process (the producer) profiles each measured window (written to ${profileDir}); the numbers are slower than usual`);
  }

  const redis = await startRedisServer(await findFreePort());
  const livenessDir = mkdtempSync(join(tmpdir(), 'bench-tasks-'));
  const workerEnvironment: Record<string, string> = {
    LISTENERS_REDIS_HOST: redis.host,
    LISTENERS_REDIS_PORT: String(redis.port),
    WORKER_QUEUES: 'default',
    WORKER_CONCURRENCY: String(settings.concurrency),
    LOG_LEVEL: WORKER_LOG_LEVEL,
    LIVENESS_DIR: livenessDir,
  };
  // Worker and producer inherit this process's settings under the bench's own: TASK_ATTEMPTS=1 npm run bench -- tasks
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => /^(TASK_|WORKER_|QUEUE_|EVENT_|LISTENERS_|REGISTRY_|NODE_OPTIONS$)/.test(name) && !(name in workerEnvironment)),
  ) as Record<string, string>;
  if (Object.keys(inherited).length > 0) say(`the worker and the producer inherit ${Object.entries(inherited).map(([name, value]) => `${name}=${value}`).join(' ')}`);
  const config = loadConfig({ ...process.env, ...workerEnvironment });

  const control = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
  const meters: Meters = { redis: await RedisCommandMeter.connect(redis.host, redis.port), redisPid: redis.process.child.pid, profileDir };
  // Rounds of raw BullMQ then the task path: the machine's speed drifts within a run, and each
  // round's ratio compares two measurements made back to back. The table shows each target's
  // median round and the median of the per-round ratios.
  const rawRounds: TargetResult[] = [];
  const taskRounds: TargetResult[] = [];
  try {
    await control.connect();
    for (let round = 1; round <= settings.rounds; round++) {
      say(`round ${round}/${settings.rounds}`);
      rawRounds.push(await runRaw(settings, config, redis.host, redis.port, meters, profileDir, round));
      taskRounds.push(await runTasks(settings, config, workerEnvironment, control, meters, profileDir, round));
    }
  } finally {
    control.disconnect();
    await meters.redis.close();
    await redis.stop();
    rmSync(livenessDir, { recursive: true, force: true });
  }

  const roundRatios = taskRounds.map((row, round) => ratio(row, rawRounds[round]) ?? 0);
  const baseline = medianItem(rawRounds, (row) => row.loop.jobsPerSecond);
  const tasksRow = taskRounds.length > 0 ? { ...medianItem(taskRounds, (row) => row.loop.jobsPerSecond), ratioToBaselinePercent: median(roundRatios) } : undefined;
  const rows = tasksRow ? [baseline, tasksRow] : [baseline];
  process.stdout.write(`\n${formatTable(rows)}\n`);
  process.stdout.write(`${TASKS_TARGET} vs ${BASELINE}, round by round: ${roundRatios.map((value) => `${Math.round(value)}%`).join(', ')}\n\n`);
  const reached = tasksRow?.ratioToBaselinePercent;
  if (reached !== undefined) {
    say(`the task path runs at ${reached.toFixed(1)}% of raw BullMQ's throughput (the issue's target: ${TARGET_RATIO_PERCENT}% or more): ${reached >= TARGET_RATIO_PERCENT ? 'reached' : 'not reached'}`);
  }
  if (tasksRow?.eventsPerTask !== undefined) say(`the producer received ${tasksRow.eventsPerTask} task.progress_update messages per task; quota slots still held after the run: ${tasksRow.heldQuotaSlots}`);
  const noisy = rows.filter((row) => (row.cpu?.otherPercent ?? 0) > 10);
  if (noisy.length > 0) {
    say(`contention: other processes used over 10% of the machine while measuring ${noisy.map(({ target }) => target).join(', ')}; their tasks/s and ratios are skewed (run again on a quiet machine)`);
  }

  const file = writeResults('tasks', {
    bench: 'tasks',
    startedBy: 'npm run bench -- tasks',
    finishedAt: new Date().toISOString(),
    gitRevision: gitRevision(),
    machine: { ...machineInfo(), loadAverage1mBefore: machine.loadAverage1m },
    settings: { ...settings, closedLoop: true, stallMs: STALL_MS, workerLogLevel: WORKER_LOG_LEVEL, cpuProfile: Boolean(profileDir), rawQueue: RAW_QUEUE, company: COMPANY },
    workerEnvironment: { ...workerEnvironment, LIVENESS_DIR: '(temporary directory)' },
    inheritedSettings: inherited,
    baseline: BASELINE,
    targetRatioPercent: TARGET_RATIO_PERCENT,
    rounds: rawRounds.map((raw, round) => ({ [BASELINE]: raw, [TASKS_TARGET]: taskRounds[round], ratioToBaselinePercent: roundOrNull(roundRatios[round]) })),
    targets: rows.map((row) => ({
      ...row,
      ratioToBaselinePercent: roundOrNull(row.ratioToBaselinePercent ?? ratio(row, baseline)),
      cpuUsPerTask: totalUsPerJob(row) ?? null,
      cpuRatioToBaselinePercent: roundOrNull(cpuRatio(row, baseline, totalUsPerJob)),
      workerCpuRatioToBaselinePercent: roundOrNull(cpuRatio(row, baseline, workerUs)),
    })),
  });
  say(`results written to ${file}`);
  if (profileDir) say(`profiles in ${profileDir}; e.g. node -r @swc-node/register bench/profile-summary.ts <file> --after task-job-runner`);

  let ok = rawRounds.length === settings.rounds && taskRounds.length === settings.rounds;
  for (const row of [...rawRounds, ...taskRounds]) {
    const problems = problemsOf(row);
    if (problems.length > 0) {
      ok = false;
      say(`FAILED: ${row.target}: ${problems.join('; ')}`);
    }
  }
  return ok;
}

export const tasksBench: Bench = {
  name: 'tasks',
  aliases: ['task-worker'],
  description: 'no-op tasks through the full path (quota, registry, queue, progress events, real task-worker) vs raw BullMQ no-op jobs',
  run: runTasksBench,
};
