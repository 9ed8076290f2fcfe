import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ChatHistoryModule, ChatHistoryStore, ChatThreadRef } from '@suite/chat-history';
import { ConfigModule, loadConfig } from '@suite/config';
import { MetricsModule } from '@suite/metrics';
import { RedisModule } from '@suite/redis';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { Firestore, getFirestore, WriteBatch } from 'firebase-admin/firestore';
import { Redis } from 'ioredis';
import { spawnApp } from '../../libs/testing/src/lib/app-process';
import { startFirestoreEmulator } from '../../libs/testing/src/lib/stack/firestore-emulator';
import { findFreePort } from '../../libs/testing/src/lib/stack/free-port';
import { startRedisServer } from '../../libs/testing/src/lib/stack/redis-server';
import type { Bench } from '../lib/bench';
import { machineInfo } from '../lib/machine';
import { median } from '../lib/median';
import { waitForHttp } from '../lib/processes';
import { say, writeResults } from '../lib/report';
import { burst, BurstResult, closedLoop, limited, sequence } from './burst';
import { gitRevision, integerSetting } from '../lib/settings';

const PROJECT_ID = 'demo-bench-llm';
const COMPANY = 'bench-company';
const DEPARTMENTS = ['APbookeeper', 'Router', 'Bankbookeeper'];
const WARMUP_USERS = 50;
/** Seed 004's figures for its Python LLM manager (100 users at once). */
const SEED_PER_SESSION_MS = 1200;
const SEED_LOCK_WAIT_MS = '< 1';
const GOAL_WARM_P99_MS = 50;
const APPEND_TEXT = 'Bonjour, pouvez-vous vérifier la facture F-2024-118 du fournisseur ACME et me dire si la TVA est correcte ? ';

interface Settings {
  /** Distinct users initialized at once. */
  users: number;
  /** Jobs per user in Firestore. */
  jobs: number;
  rounds: number;
  /** Timed appends per target per round. */
  appends: number;
  /** Messages stored in the large thread. */
  largeThread: number;
  /** Calls in flight for the closed-loop warm measurement. */
  inFlight: number;
}

/** BENCH_LLM_USERS (1000), BENCH_LLM_JOBS (20), BENCH_LLM_ROUNDS (3), BENCH_LLM_APPENDS (1000), BENCH_LLM_LARGE_THREAD (10000), BENCH_LLM_IN_FLIGHT (32). */
function settingsFromEnv(): Settings {
  return {
    users: integerSetting('BENCH_LLM_USERS', 1000, 1),
    jobs: integerSetting('BENCH_LLM_JOBS', 20, 0),
    rounds: integerSetting('BENCH_LLM_ROUNDS', 3, 1),
    appends: integerSetting('BENCH_LLM_APPENDS', 1000, 1),
    largeThread: integerSetting('BENCH_LLM_LARGE_THREAD', 10_000, 1),
    inFlight: integerSetting('BENCH_LLM_IN_FLIGHT', 32, 1),
  };
}

const userOf = (index: number) => `bench-u${index}`;

/** Profiles, company documents and `jobs` task_manager documents per user, written as the Reflex app would. */
async function seedFirestore(firestore: Firestore, users: number, jobs: number): Promise<void> {
  const writes: Array<(batch: WriteBatch) => void> = [];
  for (let index = 0; index < users; index++) {
    const user = userOf(index);
    writes.push((batch) => batch.set(firestore.doc(`clients/${user}`), { display_name: `Bench user ${index}`, email: `${user}@example.com`, created_at: new Date() }));
    writes.push((batch) => batch.set(firestore.doc(`clients/${user}/companies/${COMPANY}`), { name: 'Bench SA', currency: 'CHF', country: 'CH' }));
    for (let job = 0; job < jobs; job++) {
      writes.push((batch) =>
        batch.set(firestore.doc(`clients/${user}/task_manager/job-${job}`), {
          department: DEPARTMENTS[job % DEPARTMENTS.length],
          status: job % 4 === 0 ? 'completed' : 'pending',
          company_id: COMPANY,
          document: { initial_data: { invoiceReference: `F-${job}`, totalAmountDueVATIncluded: 100 + job, currency: 'CHF' } },
          created_at: new Date(),
        }),
      );
    }
  }
  // Batches of 500 writes (Firestore's limit), a few committed at once.
  const batches = Math.ceil(writes.length / 500);
  await limited(batches, 4, async (index) => {
    const batch = firestore.batch();
    for (const write of writes.slice(index * 500, (index + 1) * 500)) write(batch);
    await batch.commit();
  });
}

/** What seed 004's session load reads, straight from Firestore in this process: the floor of a cold initialization. */
async function rawFirestoreLoad(firestore: Firestore, user: string): Promise<void> {
  await Promise.all([
    firestore.doc(`clients/${user}`).get(),
    firestore.doc(`clients/${user}/companies/${COMPANY}`).get(),
    firestore.collection(`clients/${user}/task_manager`).get(),
  ]);
}

/**
 * POST /rpc over keep-alive connections that stay open between bursts (node:http's agent keeps
 * idle sockets until the server closes them), so a burst measures calls, not 1,000 TCP handshakes.
 */
function rpcCaller(url: string, token: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const target = new URL('/rpc', url);
  const call = (method: string, args: unknown[]): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify({ method, args });
      const request = httpRequest(
        target,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            try {
              const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ok: boolean; data?: Record<string, unknown>; error?: { code: string; message: string } };
              if (body.ok) resolve(body.data ?? {});
              else reject(new Error(`${method}: ${body.error?.code} ${body.error?.message}`));
            } catch (error) {
              reject(error);
            }
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  return Object.assign(call, { close: () => agent.destroy() });
}

async function chatStore(redisPort: number, maxMessages: number): Promise<{ context: INestApplicationContext; store: ChatHistoryStore }> {
  const config = loadConfig({ LISTENERS_REDIS_HOST: '127.0.0.1', LISTENERS_REDIS_PORT: String(redisPort), LOG_LEVEL: 'warn', CHAT_HISTORY_MAX_MESSAGES: String(maxMessages) });
  const context = await NestFactory.createApplicationContext(
    { module: class BenchChatModule {}, imports: [ConfigModule.forRoot(config), RedisModule, MetricsModule, ChatHistoryModule] },
    { logger: false },
  );
  await context.init();
  return { context, store: context.get(ChatHistoryStore) };
}

async function prefill(store: ChatHistoryStore, thread: ChatThreadRef, count: number): Promise<void> {
  for (let done = 0; done < count; done += 500) {
    const size = Math.min(500, count - done);
    await store.appendMessages(thread, Array.from({ length: size }, (_, index) => ({ role: index % 2 ? 'assistant' : 'user', content: `${APPEND_TEXT}${done + index}` })));
  }
}

type Target = 'cold initialize_session' | 'warm initialize_session' | 'warm, closed loop' | 'SYSTEM.ping' | 'ping, closed loop' | 'raw Firestore load';
type AppendTarget = 'raw MULTI HSET+EXPIRE' | 'append at 10' | 'append at 10,000' | 'append at the 10,000 cap (trims 1)';

function medianOf(results: BurstResult[]): { p50Ms: number; p99Ms: number; wallMs: number; errors: number } {
  return {
    p50Ms: Math.round(median(results.map((result) => result.p50Ms)) * 100) / 100,
    p99Ms: Math.round(median(results.map((result) => result.p99Ms)) * 100) / 100,
    wallMs: Math.round(median(results.map((result) => result.wallMs))),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
  };
}

type Figures = ReturnType<typeof medianOf>;

interface GoalCheck {
  shape: string;
  warmP99Ms: number;
  errors: number;
  pingP99Ms: number;
  met: boolean;
}

/** The issue's goal for one shape of load: warm p99 under GOAL_WARM_P99_MS, and no call failed. */
function goalCheck(shape: string, warm: Figures, ping: Figures): GoalCheck {
  return { shape, warmP99Ms: warm.p99Ms, errors: warm.errors, pingP99Ms: ping.p99Ms, met: warm.p99Ms < GOAL_WARM_P99_MS && warm.errors === 0 };
}

function goalLine(check: GoalCheck): string {
  const verdict = check.met ? 'MET' : 'NOT MET';
  const errors = check.errors > 0 ? `, ${check.errors} failed` : '';
  return `  ${check.shape}: warm p99 ${check.warmP99Ms.toFixed(2)} ms${errors} -> ${verdict} (SYSTEM.ping of the same shape: p99 ${check.pingP99Ms.toFixed(2)} ms)`;
}

function table(rows: Array<[string, Figures, string]>): string {
  const header = `${'target'.padEnd(36)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'wall ms'.padStart(10)}${'errors'.padStart(8)}  note`;
  return [header, ...rows.map(([name, figures, note]) => `${name.padEnd(36)}${figures.p50Ms.toFixed(2).padStart(10)}${figures.p99Ms.toFixed(2).padStart(10)}${String(figures.wallMs).padStart(10)}${String(figures.errors).padStart(8)}  ${note}`)].join('\n');
}

async function run(): Promise<boolean> {
  const settings = settingsFromEnv();
  say(`settings: ${JSON.stringify(settings)} (BENCH_LLM_USERS, BENCH_LLM_JOBS, BENCH_LLM_ROUNDS, BENCH_LLM_APPENDS, BENCH_LLM_LARGE_THREAD)`);
  const token = randomBytes(24).toString('hex');
  const redis = await startRedisServer(await findFreePort());
  const emulator = await startFirestoreEmulator(await findFreePort());
  process.env['FIRESTORE_EMULATOR_HOST'] = emulator.hostPort;
  const firebase = initializeApp({ projectId: PROJECT_ID }, 'bench-llm-sessions');
  const firestore = getFirestore(firebase);
  const cleanups: Array<() => Promise<unknown>> = [() => emulator.stop(), () => redis.stop(), () => deleteApp(firebase)];
  try {
    const seeded = Date.now();
    await seedFirestore(firestore, settings.users + WARMUP_USERS, settings.jobs);
    say(`seeded ${settings.users + WARMUP_USERS} users with ${settings.jobs} jobs each in the Firestore emulator in ${Date.now() - seeded} ms`);

    const port = await findFreePort();
    const gateway = spawnApp('rpc-gateway', {
      HOST: '127.0.0.1',
      PORT: String(port),
      LISTENERS_SERVICE_TOKEN: token,
      LISTENERS_REDIS_HOST: redis.host,
      LISTENERS_REDIS_PORT: String(redis.port),
      FIRESTORE_EMULATOR_HOST: emulator.hostPort,
      FIREBASE_PROJECT_ID: PROJECT_ID,
      LOG_LEVEL: 'warn',
      RPC_RATE_LIMIT_PER_MINUTE: '100000000',
    });
    cleanups.unshift(() => gateway.stop());
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(gateway, `${url}/healthz`, 120_000);
    const rpc = rpcCaller(url, token);
    cleanups.unshift(async () => rpc.close());

    // Warm-up: the client's connections (opened a few hundred at a time, kept for the bursts), the
    // gateway's Firestore channel, Lua scripts, JIT. Errors here are not counted.
    for (const size of [100, 250, 500, settings.users, settings.users]) await burst(size, async () => void (await rpc('SYSTEM.ping', [])));
    await limited(WARMUP_USERS, 25, async (index) => {
      const user = userOf(settings.users + index);
      await rpc('LLM.initialize_session', [user, COMPANY]);
      await rpc('LLM.initialize_session', [user, COMPANY]);
      await rpc('LLM.close_session', [user, COMPANY]);
    });

    const results: Record<Target, BurstResult[]> = { 'cold initialize_session': [], 'warm initialize_session': [], 'warm, closed loop': [], 'SYSTEM.ping': [], 'ping, closed loop': [], 'raw Firestore load': [] };
    const statusErrors: string[] = [];
    const expectStatus = (data: Record<string, unknown>, status: string, source: string) => {
      if (data['status'] !== status || data['data_source'] !== source) statusErrors.push(`expected ${status}/${source}, got ${String(data['status'])}/${String(data['data_source'])}`);
    };
    for (let round = 1; round <= settings.rounds; round++) {
      const cold = await burst(settings.users, async (index) => expectStatus(await rpc('LLM.initialize_session', [userOf(index), COMPANY]), 'created', 'firestore'));
      const warm = await burst(settings.users, async (index) => expectStatus(await rpc('LLM.initialize_session', [userOf(index), COMPANY]), 'refreshed', 'cache'));
      const ping = await burst(settings.users, async () => void (await rpc('SYSTEM.ping', [])));
      const warmLoop = await closedLoop(settings.users, settings.inFlight, async (index) => expectStatus(await rpc('LLM.initialize_session', [userOf(index), COMPANY]), 'refreshed', 'cache'));
      const pingLoop = await closedLoop(settings.users, settings.inFlight, async () => void (await rpc('SYSTEM.ping', [])));
      const raw = await burst(settings.users, (index) => rawFirestoreLoad(firestore, userOf(index)));
      results['cold initialize_session'].push(cold);
      results['warm initialize_session'].push(warm);
      results['SYSTEM.ping'].push(ping);
      results['warm, closed loop'].push(warmLoop);
      results['ping, closed loop'].push(pingLoop);
      results['raw Firestore load'].push(raw);
      const failed = (result: BurstResult) => (result.errors > 0 ? ` (${result.errors} failed)` : '');
      say(
        `round ${round}: cold p50 ${cold.p50Ms} p99 ${cold.p99Ms} ms${failed(cold)} | warm p50 ${warm.p50Ms} p99 ${warm.p99Ms} ms${failed(warm)} | ping p99 ${ping.p99Ms} ms${failed(ping)} | ` +
          `warm closed loop p50 ${warmLoop.p50Ms} p99 ${warmLoop.p99Ms} ms${failed(warmLoop)} | ping closed loop p99 ${pingLoop.p99Ms} ms | raw Firestore p50 ${raw.p50Ms} p99 ${raw.p99Ms} ms${failed(raw)}`,
      );
      await limited(settings.users, 100, async (index) => void (await rpc('LLM.close_session', [userOf(index), COMPANY])));
    }

    // Appends, in this process on the same Redis: one thread at 10 messages, one at 10,000, one kept at a 10,000 cap.
    const roomy = await chatStore(redis.port, settings.largeThread * 2 + settings.appends * settings.rounds + 100);
    const capped = await chatStore(redis.port, settings.largeThread);
    cleanups.unshift(() => roomy.context.close(), () => capped.context.close());
    const large: ChatThreadRef = { userId: 'bench-append', companyId: COMPANY, threadKey: 'large' };
    const atCap: ChatThreadRef = { userId: 'bench-append', companyId: COMPANY, threadKey: 'capped' };
    await prefill(roomy.store, large, settings.largeThread);
    await prefill(capped.store, atCap, settings.largeThread);
    const plain = new Redis({ host: redis.host, port: redis.port });
    cleanups.unshift(async () => plain.disconnect());
    const appendResults: Record<AppendTarget, BurstResult[]> = { 'raw MULTI HSET+EXPIRE': [], 'append at 10': [], 'append at 10,000': [], 'append at the 10,000 cap (trims 1)': [] };
    for (let round = 1; round <= settings.rounds; round++) {
      const small: ChatThreadRef = { userId: 'bench-append', companyId: COMPANY, threadKey: `small-${round}` };
      await prefill(roomy.store, small, 10);
      const content = (index: number) => `${APPEND_TEXT}${index}`;
      appendResults['raw MULTI HSET+EXPIRE'].push(
        await sequence(settings.appends, async (index) => void (await plain.multi().hset('bench-raw', `m:${index}`, content(index)).expire('bench-raw', 86_400).exec())),
      );
      appendResults['append at 10'].push(await sequence(settings.appends, async (index) => void (await roomy.store.appendUserMessage(small, content(index)))));
      appendResults['append at 10,000'].push(await sequence(settings.appends, async (index) => void (await roomy.store.appendUserMessage(large, content(index)))));
      appendResults['append at the 10,000 cap (trims 1)'].push(await sequence(settings.appends, async (index) => void (await capped.store.appendUserMessage(atCap, content(index)))));
    }

    const init = Object.fromEntries(Object.entries(results).map(([name, list]) => [name, medianOf(list)])) as Record<Target, Figures>;
    const appends = Object.fromEntries(Object.entries(appendResults).map(([name, list]) => [name, medianOf(list)])) as Record<AppendTarget, Figures>;
    const ratio = (a: number, b: number) => (b > 0 ? `${Math.round((100 * a) / b)}%` : 'n/a');
    say(`initialize_session, ${settings.users} distinct users at once, ${settings.jobs} jobs each (medians over ${settings.rounds} rounds; latency from the burst start; failed calls count at their time to error, errors summed over the rounds):\n${table([
      ['cold initialize_session', init['cold initialize_session'], `p50 ${ratio(init['cold initialize_session'].p50Ms, init['raw Firestore load'].p50Ms)} of raw Firestore's; seed 004: ~${SEED_PER_SESSION_MS} ms per session, lock wait ${SEED_LOCK_WAIT_MS} ms`],
      ['warm initialize_session', init['warm initialize_session'], `p99 ${ratio(init['warm initialize_session'].p99Ms, init['SYSTEM.ping'].p99Ms)} of SYSTEM.ping's; goal p99 < ${GOAL_WARM_P99_MS} ms; no lock shared between users (lock wait 0)`],
      ['SYSTEM.ping (HTTP floor)', init['SYSTEM.ping'], 'the same burst of calls that do nothing'],
      [`warm, ${settings.inFlight} in flight`, init['warm, closed loop'], `per-call latency, closed loop over the ${settings.users} users; p99 ${ratio(init['warm, closed loop'].p99Ms, init['ping, closed loop'].p99Ms)} of ping's`],
      [`SYSTEM.ping, ${settings.inFlight} in flight`, init['ping, closed loop'], 'per-call latency, closed loop'],
      ['raw Firestore load', init['raw Firestore load'], 'client + company get + task_manager query, from this process'],
    ])}`);
    say(`appends, one after another (medians over ${settings.rounds} rounds of ${settings.appends}; failed calls count at their time to error):\n${table([
      ['raw MULTI HSET+EXPIRE', appends['raw MULTI HSET+EXPIRE'], 'baseline: one hash field and the TTL, no script'],
      ['append at 10', appends['append at 10'], `p50 ${ratio(appends['append at 10'].p50Ms, appends['raw MULTI HSET+EXPIRE'].p50Ms)} of raw`],
      [`append at ${settings.largeThread}`, appends['append at 10,000'], `p50 ${ratio(appends['append at 10,000'].p50Ms, appends['append at 10'].p50Ms)} of append at 10`],
      [`append at the ${settings.largeThread} cap`, appends['append at the 10,000 cap (trims 1)'], `p50 ${ratio(appends['append at the 10,000 cap (trims 1)'].p50Ms, appends['append at 10'].p50Ms)} of append at 10 (each append trims the oldest)`],
    ])}`);
    const goal = [
      goalCheck(`burst of ${settings.users} at once`, init['warm initialize_session'], init['SYSTEM.ping']),
      goalCheck(`closed loop, ${settings.inFlight} in flight`, init['warm, closed loop'], init['ping, closed loop']),
    ];
    const cold = init['cold initialize_session'];
    const [small, big] = [appends['append at 10'], appends['append at 10,000']];
    say(
      [
        `summary (medians over ${settings.rounds} rounds):`,
        `  cold initialize_session, burst of ${settings.users}: p50 ${cold.p50Ms.toFixed(2)} ms, p99 ${cold.p99Ms.toFixed(2)} ms, ${cold.errors} failed (seed 004: ~${SEED_PER_SESSION_MS} ms per session)`,
        `goal "warm p99 under ${GOAL_WARM_P99_MS} ms" (and no failed call):`,
        ...goal.map(goalLine),
        `append at 10 messages: p50 ${small.p50Ms.toFixed(3)} ms, p99 ${small.p99Ms.toFixed(3)} ms; at ${settings.largeThread}: p50 ${big.p50Ms.toFixed(3)} ms, p99 ${big.p99Ms.toFixed(3)} ms ` +
          `(p50 ${ratio(big.p50Ms, small.p50Ms)}, p99 ${ratio(big.p99Ms, small.p99Ms)} of the small thread's)`,
      ].join('\n'),
    );
    const errors = statusErrors.length + Object.values(results).flat().reduce((sum, result) => sum + result.errors, 0) + Object.values(appendResults).flat().reduce((sum, result) => sum + result.errors, 0);
    if (statusErrors.length > 0) say(`unexpected answers: ${statusErrors.length} (first: ${statusErrors[0]})`);
    const firstError = [...Object.values(results), ...Object.values(appendResults)].flat().find((result) => result.firstError)?.firstError;
    if (firstError) say(`first error: ${firstError}`);
    const file = writeResults('llm-sessions', { settings, revision: gitRevision(), machine: machineInfo(), initialize: init, appends, rounds: { initialize: results, appends: appendResults }, seed004: { perSessionMs: SEED_PER_SESSION_MS, lockWaitMs: SEED_LOCK_WAIT_MS }, goalWarmP99Ms: GOAL_WARM_P99_MS, goal });
    say(`results: ${file}`);
    return errors === 0;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

export const llmSessionsBench: Bench = {
  name: 'llm-sessions',
  aliases: ['sessions'],
  description: 'LLM.initialize_session for 1,000 users at once (cold and warm), chat appends at 10 and 10,000 stored messages',
  run,
};
