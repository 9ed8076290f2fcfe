import { readFileSync } from 'node:fs';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { Redis } from 'ioredis';
import { buildWorkflowInstanceStatsKey, REGISTRY_PRESENCE_KEY, WORKFLOW_INSTANCES_KEY } from '@suite/redis-namespaces';
import { spawnApp } from '../../libs/testing/src/lib/app-process';
import { startFirestoreEmulator } from '../../libs/testing/src/lib/stack/firestore-emulator';
import { findFreePort } from '../../libs/testing/src/lib/stack/free-port';
import { ManagedProcess, waitUntilReady } from '../../libs/testing/src/lib/stack/managed-process';
import { startRedisServer } from '../../libs/testing/src/lib/stack/redis-server';
import type { Bench } from '../lib/bench';
import { machineInfo } from '../lib/machine';
import { median } from '../lib/median';
import { spawnBenchScript } from '../lib/processes';
import { say, writeResults } from '../lib/report';
import { percentile } from '../lib/percentile';
import { integerSetting } from '../lib/settings';

const PROJECT = 'demo-bench-workflow';
const PREFIX = 'bench-wf';
const RAW_CHANNEL = 'bench:raw';
const LISTENER = 'workflow-listener';
const RAW = 'raw onSnapshot';

interface Settings {
  users: number;
  rounds: number;
  changesPerRound: number;
  /** Pause between two changes (ms): an open loop, so queues do not build up. */
  intervalMs: number;
}

/** BENCH_WF_USERS (1000), BENCH_WF_ROUNDS (5), BENCH_WF_CHANGES (100 per round), BENCH_WF_INTERVAL_MS (20). */
function settingsFromEnv(): Settings {
  return {
    users: integerSetting('BENCH_WF_USERS', 1000, 1),
    rounds: integerSetting('BENCH_WF_ROUNDS', 5, 1),
    changesPerRound: integerSetting('BENCH_WF_CHANGES', 100, 1),
    intervalMs: integerSetting('BENCH_WF_INTERVAL_MS', 20, 0),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

const task = (marker: string, step: number) => ({
  document: { initial_data: { invoiceReference: marker, currency: 'EUR', totalAmountDueVATIncluded: 100 }, file_name: 'scan.pdf' },
  APBookeeper_step_status: { step_extract_data: step, step_validate_data: 0 },
  status: 'running',
});

interface RoundResult {
  round: number;
  listener: { p50: number; p99: number; received: number };
  raw: { p50: number; p99: number; received: number };
}

async function run(): Promise<boolean> {
  const settings = settingsFromEnv();
  const [redisPort, firestorePort] = await Promise.all([findFreePort(), findFreePort()]);
  const [redisServer, emulator] = await Promise.all([startRedisServer(redisPort), startFirestoreEmulator(firestorePort)]);
  const environment = {
    LISTENERS_REDIS_HOST: '127.0.0.1',
    LISTENERS_REDIS_PORT: String(redisPort),
    FIRESTORE_EMULATOR_HOST: emulator.hostPort,
    FIREBASE_PROJECT_ID: PROJECT,
    GCLOUD_PROJECT: PROJECT,
  };
  process.env['FIRESTORE_EMULATOR_HOST'] = emulator.hostPort;
  const app = initializeApp({ projectId: PROJECT }, 'bench-workflow-writer');
  const firestore = getFirestore(app);
  const control = new Redis({ host: '127.0.0.1', port: redisPort });
  const subscriber = new Redis({ host: '127.0.0.1', port: redisPort });
  const processes: ManagedProcess[] = [];
  const uid = (index: number) => `${PREFIX}-${index}`;
  let ok = true;
  try {
    say(`seeding ${settings.users} users x 2 documents…`);
    for (let start = 0; start < settings.users; start += 250) {
      const batch = firestore.batch();
      for (let index = start; index < Math.min(settings.users, start + 250); index += 1) {
        batch.set(firestore.doc(`clients/${uid(index)}/task_manager/job1`), task('m0', 0));
        batch.set(firestore.doc(`clients/${uid(index)}/notifications/n1`), { job_id: 'n1', status: 'queued' });
      }
      await batch.commit();
    }
    await control.zadd(REGISTRY_PRESENCE_KEY, ...Array.from({ length: settings.users }, (_unused, index) => [Date.now() + 3_600_000, uid(index)]).flat());

    // Arrival times by marker, for both listeners.
    const arrivals = { [LISTENER]: new Map<string, number>(), [RAW]: new Map<string, number>() };
    subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => {
      const now = performance.now();
      if (channel === RAW_CHANNEL) {
        arrivals[RAW].set((JSON.parse(message) as { marker: string }).marker, now);
        return;
      }
      const event = JSON.parse(message) as { type: string; payload: { invoice_changes?: { invoiceReference?: string } } };
      const marker = event.payload.invoice_changes?.invoiceReference;
      if (event.type === 'workflow.invoice_update' && marker) arrivals[LISTENER].set(marker, now);
    });
    await subscriber.psubscribe(`user:${PREFIX}-*`, RAW_CHANNEL);

    say(`starting the workflow listener (one instance) and the raw onSnapshot baseline…`);
    const attachStarted = performance.now();
    const listener = spawnApp('workflow-listener', {
      ...environment,
      LOG_LEVEL: 'warn',
      WORKFLOW_RECONCILE_INTERVAL_MS: '2000',
      WORKFLOW_LEASE_TTL_MS: '60000',
      WORKFLOW_MAX_USERS_PER_INSTANCE: String(settings.users),
    });
    processes.push(listener);
    const attachedAll = async () => {
      const [token] = await control.zrange(WORKFLOW_INSTANCES_KEY, 0, 0);
      if (!token) return false;
      const [listeners, cache] = await control.hmget(buildWorkflowInstanceStatsKey(token), 'listeners', 'cache_entries');
      return Number(listeners) === settings.users * 2 && Number(cache) === settings.users * 2;
    };
    await waitUntilReady(listener, attachedAll, 600_000);
    const listenerAttachS = (performance.now() - attachStarted) / 1000;
    const rawStarted = performance.now();
    const raw = spawnBenchScript('raw-listener', 'workflow/raw-listener.ts', { ...environment, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(redisPort), BENCH_WF_USERS: String(settings.users), BENCH_WF_PREFIX: PREFIX, BENCH_WF_RAW_CHANNEL: RAW_CHANNEL });
    processes.push(raw);
    await waitUntilReady(raw, async () => raw.output().includes('raw-listener ready'), 600_000);
    const rawAttachS = (performance.now() - rawStarted) / 1000;
    say(`attached: listener ${listenerAttachS.toFixed(1)} s (${settings.users * 2} Firestore listeners), raw ${rawAttachS.toFixed(1)} s; RSS listener ${rssMb(listener.child.pid)} MB, raw ${rssMb(raw.child.pid)} MB`);
    await sleep(2000);

    const rounds: RoundResult[] = [];
    let sequence = 0;
    for (let round = 1; round <= settings.rounds; round += 1) {
      const written = new Map<string, number>();
      for (let change = 0; change < settings.changesPerRound; change += 1) {
        sequence += 1;
        const marker = `m${sequence}`;
        const index = (sequence * 7919) % settings.users; // spread over the users
        written.set(marker, performance.now());
        void firestore.doc(`clients/${uid(index)}/task_manager/job1`).set(task(marker, 0));
        await sleep(settings.intervalMs);
      }
      const complete = () => [...written.keys()].every((marker) => arrivals[LISTENER].has(marker) && arrivals[RAW].has(marker));
      const deadline = performance.now() + 30_000;
      while (!complete() && performance.now() < deadline) await sleep(50);
      const latencies = (target: typeof LISTENER | typeof RAW) =>
        [...written].flatMap(([marker, at]) => {
          const arrived = arrivals[target].get(marker);
          return arrived === undefined ? [] : [arrived - at];
        });
      const listenerLatencies = latencies(LISTENER);
      const rawLatencies = latencies(RAW);
      const result: RoundResult = {
        round,
        listener: { p50: percentile(listenerLatencies, 50), p99: percentile(listenerLatencies, 99), received: listenerLatencies.length },
        raw: { p50: percentile(rawLatencies, 50), p99: percentile(rawLatencies, 99), received: rawLatencies.length },
      };
      if (result.listener.received < written.size || result.raw.received < written.size) ok = false;
      rounds.push(result);
      say(
        `round ${round}: listener p50 ${result.listener.p50.toFixed(1)} ms p99 ${result.listener.p99.toFixed(1)} ms (${result.listener.received}/${written.size}); ` +
          `raw p50 ${result.raw.p50.toFixed(1)} ms p99 ${result.raw.p99.toFixed(1)} ms (${result.raw.received}/${written.size})`,
      );
    }
    const summary = {
      listener: { p50: median(rounds.map((r) => r.listener.p50)), p99: median(rounds.map((r) => r.listener.p99)), rssMb: rssMb(listener.child.pid), attachS: listenerAttachS },
      raw: { p50: median(rounds.map((r) => r.raw.p50)), p99: median(rounds.map((r) => r.raw.p99)), rssMb: rssMb(raw.child.pid), attachS: rawAttachS },
      p50RatioPerRound: rounds.map((r) => Math.round((100 * r.listener.p50) / r.raw.p50)),
    };
    const p50Ratio = median(summary.p50RatioPerRound);
    say('');
    say(`target               p50 ms   p99 ms   RSS MB   attach s   (${settings.users} users, ${settings.users * 2} listeners, medians of ${settings.rounds} rounds)`);
    for (const [name, row] of [[LISTENER, summary.listener], [RAW, summary.raw]] as const) {
      say(`${name.padEnd(20)} ${row.p50.toFixed(1).padStart(6)}   ${row.p99.toFixed(1).padStart(6)}   ${String(row.rssMb).padStart(6)}   ${row.attachS.toFixed(1).padStart(8)}`);
    }
    say(`listener p50 / raw p50: ${p50Ratio}% (per round: ${summary.p50RatioPerRound.join('%, ')}%)`);
    const file = writeResults('workflow', { settings, rounds, summary, p50RatioPercent: p50Ratio, machine: machineInfo() });
    say(`results: ${file}`);
    return ok;
  } finally {
    await Promise.all(processes.map((child) => child.stop()));
    subscriber.disconnect();
    control.disconnect();
    await deleteApp(app).catch(() => undefined);
    await Promise.all([redisServer.stop(), emulator.stop()]);
  }
}

export const workflowBench: Bench = {
  name: 'workflow',
  aliases: ['workflow-listener'],
  description: 'one workflow-listener instance watching N online users (2 documents each): change-to-event latency beside raw onSnapshot, and RSS',
  run,
};
