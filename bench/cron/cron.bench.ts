import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamicModule, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigModule, loadConfig } from '@suite/config';
import { CronScheduleStore, CronSchedulesModule } from '@suite/cron-schedules';
import { FirebaseModule } from '@suite/firebase';
import { createJsonLogger, NestJsonLogger } from '@suite/logging';
import { RedisModule } from '@suite/redis';
import { Job, Queue } from 'bullmq';
import { spawnApp } from '../../libs/testing/src/lib/app-process';
import { findFreePort } from '../../libs/testing/src/lib/stack/free-port';
import { ManagedProcess } from '../../libs/testing/src/lib/stack/managed-process';
import { startRedisServer } from '../../libs/testing/src/lib/stack/redis-server';
import type { Bench } from '../lib/bench';
import { CpuMeter, CpuWindow } from '../lib/cpu';
import { machineInfo } from '../lib/machine';
import { median } from '../lib/median';
import { RedisCommandMeter, RedisCommandWindow } from '../lib/redis-commands';
import { measurementLines, say, writeResults } from '../lib/report';
import { processMemoryMb } from '../lib/memory';
import { percentileOfSorted } from '../lib/percentile';
import { integerSetting } from '../lib/settings';

/**
 * 10,000 schedules due in the same second, claimed by three cron-scheduler processes: how long
 * after the tick each run's task is queued (p50/p99 lag), duplicates (must be 0), Redis commands
 * per run, and the schedulers' CPU and memory. Baseline, measured in the same round: the same
 * number of jobs queued straight with BullMQ from this process at the same total concurrency (what
 * queueing alone costs, with no claim, no lock, no registry record).
 */

const KEYSPACE = 'bench-cron';
const COMPANY = 'bench-company';
const CREATE_CONCURRENCY = 100;
const SCHEDULER_LOG_LEVEL = 'warn';
const RUN_CONCURRENCY = 64;
const DONE_TIMEOUT_MS = 180_000;

interface CronSettings {
  schedules: number;
  schedulers: number;
  rounds: number;
}

interface LagResult {
  target: string;
  runs: number;
  /** Time after the tick until the last run's job was queued. */
  allQueuedMs: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  duplicates: number;
  missing: number;
  cpu?: CpuWindow;
  redisCommands?: RedisCommandWindow;
  memoryMb?: Record<string, { rss: number; peak: number }>;
}

/** BENCH_CRON_SCHEDULES (10000), BENCH_CRON_SCHEDULERS (3), BENCH_CRON_ROUNDS (2). */
function settingsFromEnv(): CronSettings {
  return {
    schedules: integerSetting('BENCH_CRON_SCHEDULES', 10_000, 1),
    schedulers: integerSetting('BENCH_CRON_SCHEDULERS', 3, 1),
    rounds: integerSetting('BENCH_CRON_ROUNDS', 2, 1),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@Module({})
class CronClientModule {
  static register(config: AppConfig): DynamicModule {
    return { module: CronClientModule, imports: [ConfigModule.forRoot(config), RedisModule, FirebaseModule, CronSchedulesModule] };
  }
}

async function runEach<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

function lagsOf(jobs: Job[], tick: number): number[] {
  return jobs.map((job) => job.timestamp - tick).sort((a, b) => a - b);
}

/** Creates `count` schedules due at `tick` (a daily 6-field expression of that second, UTC), one user each. */
async function createSchedules(store: CronScheduleStore, count: number, tick: number, round: number): Promise<string[]> {
  const when = new Date(tick);
  const expression = `${when.getUTCSeconds()} ${when.getUTCMinutes()} ${when.getUTCHours()} * * *`;
  const ids: string[] = [];
  await runEach(
    Array.from({ length: count }, (_, index) => index),
    CREATE_CONCURRENCY,
    async (index) => {
      const created = await store.create(`bench-r${round}-u${index}`, COMPANY, {
        cron_expression: expression,
        timezone: 'UTC',
        task_type: 'document_analysis',
        payload: { document_data: { content: `document ${index}` } },
        catch_up: 'collapse',
        overlap: 'queue',
      });
      if (Date.parse(created.next_run_at) !== tick) throw new Error(`schedule ${created.task_id} is due at ${created.next_run_at}, not at the tick`);
      ids.push(created.task_id);
    },
  );
  return ids;
}

async function waitForJobs(queue: Queue, prefix: string, count: number): Promise<Job[]> {
  const deadline = Date.now() + DONE_TIMEOUT_MS;
  for (;;) {
    const waiting = await queue.getWaitingCount();
    if (waiting >= count || Date.now() > deadline) break;
    await sleep(200);
  }
  const jobs = await queue.getJobs(['waiting'], 0, -1);
  return jobs.filter((job) => job.id?.startsWith(prefix));
}

async function measureCron(
  settings: CronSettings,
  context: { store: CronScheduleStore; queue: Queue; meter: RedisCommandMeter; schedulers: ManagedProcess[]; redisPid?: number },
  round: number,
): Promise<LagResult> {
  const createStart = Date.now();
  // Leave room to create them all before the tick (about 1 ms each here, more under load).
  const tick = Math.ceil((createStart + 20_000 + settings.schedules * 2) / 1000) * 1000;
  const ids = await createSchedules(context.store, settings.schedules, tick, round);
  say(`  cron: ${ids.length} schedules created in ${((Date.now() - createStart) / 1000).toFixed(1)} s, all due at ${new Date(tick).toISOString()}`);
  if (Date.now() > tick - 1000) throw new Error('creating the schedules took past their tick: lower BENCH_CRON_SCHEDULES');
  await context.queue.drain(); // empty the waiting list of earlier rounds, so the count below is this round's
  await sleep(tick - 1000 - Date.now());
  const pids: Record<string, number | undefined> = { redis: context.redisPid };
  context.schedulers.forEach((scheduler, index) => (pids[`scheduler ${index + 1}`] = scheduler.child.pid));
  const cpu = new CpuMeter(pids);
  cpu.begin();
  await context.meter.begin();
  const jobs = await waitForJobs(context.queue, 'doc_analysis_cron_', ids.length);
  const cpuWindow = cpu.end(jobs.length);
  const redisCommands = await context.meter.end(jobs.length);
  const memory: Record<string, { rss: number; peak: number }> = {};
  context.schedulers.forEach((scheduler, index) => {
    const usage = processMemoryMb(scheduler.child.pid);
    if (usage) memory[`scheduler ${index + 1}`] = usage;
  });
  const expected = new Set(ids);
  const perSchedule = new Map<string, number>();
  for (const job of jobs) {
    const scheduleId = (job.id ?? '').replace(/^doc_analysis_/, '').replace(/_\d+$/, '');
    perSchedule.set(scheduleId, (perSchedule.get(scheduleId) ?? 0) + 1);
  }
  let duplicates = 0;
  for (const count of perSchedule.values()) duplicates += Math.max(0, count - 1);
  const views = await Promise.all(ids.map((id) => context.store.get(id)));
  duplicates += views.reduce((sum, view) => sum + Math.max(0, (view?.run_count ?? 0) - 1), 0); // a second run would count twice
  const missing = [...expected].filter((id) => !perSchedule.has(id)).length;
  const lags = lagsOf(jobs, tick);
  return {
    target: 'cron',
    runs: jobs.length,
    allQueuedMs: lags.at(-1) ?? 0,
    lagP50Ms: percentileOfSorted(lags, 50),
    lagP99Ms: percentileOfSorted(lags, 99),
    lagMaxMs: lags.at(-1) ?? 0,
    duplicates,
    missing,
    cpu: cpuWindow,
    redisCommands,
    memoryMb: memory,
  };
}

/** The same number of jobs queued straight with BullMQ at the tick, at the schedulers' total run concurrency. */
async function measureRaw(settings: CronSettings, queue: Queue, meter: RedisCommandMeter, round: number): Promise<LagResult> {
  await queue.drain();
  const tick = Math.ceil((Date.now() + 1500) / 1000) * 1000;
  await sleep(tick - Date.now());
  await meter.begin();
  const indexes = Array.from({ length: settings.schedules }, (_, index) => index);
  await runEach(indexes, RUN_CONCURRENCY * settings.schedulers, async (index) => {
    await queue.add('raw', { index }, { jobId: `raw_r${round}_${index}`, removeOnComplete: true });
  });
  const redisCommands = await meter.end(settings.schedules);
  const jobs = (await queue.getJobs(['waiting'], 0, -1)).filter((job) => job.id?.startsWith(`raw_r${round}_`));
  const lags = lagsOf(jobs, tick);
  return {
    target: 'raw BullMQ add',
    runs: jobs.length,
    allQueuedMs: lags.at(-1) ?? 0,
    lagP50Ms: percentileOfSorted(lags, 50),
    lagP99Ms: percentileOfSorted(lags, 99),
    lagMaxMs: lags.at(-1) ?? 0,
    duplicates: 0,
    missing: settings.schedules - jobs.length,
    redisCommands,
  };
}

function describe(result: LagResult): string {
  const memory = result.memoryMb
    ? `\n[bench]   memory: ${Object.entries(result.memoryMb)
        .map(([name, usage]) => `${name} RSS ${usage.rss} MB (peak ${usage.peak} MB)`)
        .join(', ')}`
    : '';
  return (
    `  ${result.target}: ${result.runs} runs, all queued ${result.allQueuedMs} ms after the tick; lag p50 ${result.lagP50Ms} ms, p99 ${result.lagP99Ms} ms; duplicates ${result.duplicates}, missing ${result.missing}` +
    measurementLines(result.cpu, result.redisCommands, 'run') +
    memory
  );
}

async function runCronBench(): Promise<boolean> {
  const settings = settingsFromEnv();
  const machine = machineInfo();
  say(`cron: ${settings.schedules} schedules due in the same second, ${settings.schedulers} cron-scheduler processes, ${settings.rounds} round(s) of baseline then cron, one throwaway Redis`);
  say(`${machine.cpuCount} CPUs shared by all; load average ${machine.loadAverage1m.toFixed(2)} before the run`);
  const redis = await startRedisServer(await findFreePort());
  const livenessDir = mkdtempSync(join(tmpdir(), 'bench-cron-'));
  const environment: Record<string, string> = {
    LISTENERS_REDIS_HOST: redis.host,
    LISTENERS_REDIS_PORT: String(redis.port),
    UNIFIED_REGISTRY_ENABLED: 'true',
    CRON_KEYSPACE: KEYSPACE,
    CRON_RUN_CONCURRENCY: String(RUN_CONCURRENCY),
    CRON_MAX_TASKS_PER_USER: '10',
    MAINTENANCE_INTERVAL_MS: '3600000',
    LOG_LEVEL: SCHEDULER_LOG_LEVEL,
    LIVENESS_DIR: livenessDir,
  };
  const config = loadConfig({ ...process.env, ...environment });
  const schedulers = Array.from({ length: settings.schedulers }, () => spawnApp('cron-scheduler', environment));
  let client: INestApplicationContext | undefined;
  const meter = await RedisCommandMeter.connect(redis.host, redis.port);
  const queue = new Queue('computation', { connection: { host: redis.host, port: redis.port, maxRetriesPerRequest: null }, prefix: config.QUEUE_PREFIX });
  const rawQueue = new Queue('bench-raw', { connection: { host: redis.host, port: redis.port, maxRetriesPerRequest: null }, prefix: config.QUEUE_PREFIX });
  const rounds: Array<{ raw: LagResult; cron: LagResult }> = [];
  try {
    client = await NestFactory.createApplicationContext(CronClientModule.register(config), { logger: new NestJsonLogger(createJsonLogger({ app: 'bench-cron', level: 'warn' })) });
    await client.init();
    const store = client.get(CronScheduleStore);
    for (let round = 1; round <= settings.rounds; round += 1) {
      say(`round ${round}/${settings.rounds}`);
      const raw = await measureRaw(settings, rawQueue, meter, round);
      say(describe(raw));
      const cron = await measureCron(settings, { store, queue, meter, schedulers, redisPid: redis.process.child.pid }, round);
      say(describe(cron));
      rounds.push({ raw, cron });
    }
  } finally {
    await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    await client?.close();
    await queue.close();
    await rawQueue.close();
    await meter.close();
    await redis.stop();
    rmSync(livenessDir, { recursive: true, force: true });
  }
  const p99Ratio = median(rounds.map(({ raw, cron }) => (raw.lagP99Ms > 0 ? cron.lagP99Ms / raw.lagP99Ms : 0)));
  const allRatio = median(rounds.map(({ raw, cron }) => (raw.allQueuedMs > 0 ? cron.allQueuedMs / raw.allQueuedMs : 0)));
  say(
    `median over rounds: cron lag p50 ${median(rounds.map(({ cron }) => cron.lagP50Ms))} ms, p99 ${median(rounds.map(({ cron }) => cron.lagP99Ms))} ms, all queued ${median(rounds.map(({ cron }) => cron.allQueuedMs))} ms after the tick; ` +
      `${allRatio.toFixed(2)}x the raw BullMQ time to queue them all, p99 ${p99Ratio.toFixed(2)}x`,
  );
  const duplicates = rounds.reduce((sum, { cron }) => sum + cron.duplicates, 0);
  const missing = rounds.reduce((sum, { cron }) => sum + cron.missing, 0);
  say(`duplicates: ${duplicates} (must be 0); missing runs: ${missing}`);
  const file = writeResults('cron', { bench: 'cron', finishedAt: new Date().toISOString(), settings, machine, rounds, ratios: { allQueued: allRatio, lagP99: p99Ratio } });
  say(`results: ${file}`);
  return duplicates === 0 && missing === 0;
}

export const cronBench: Bench = {
  name: 'cron',
  description: '10,000 schedules due in one second over three cron-scheduler processes: lag after the tick, duplicates, Redis commands per run, CPU and RSS',
  run: runCronBench,
};
