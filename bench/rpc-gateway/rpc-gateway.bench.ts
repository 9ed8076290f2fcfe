import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, spawnApp } from '../../libs/testing/src/lib/app-process';
import { findFreePort } from '../../libs/testing/src/lib/stack/free-port';
import { ManagedProcess } from '../../libs/testing/src/lib/stack/managed-process';
import { startRedisServer } from '../../libs/testing/src/lib/stack/redis-server';
import { median, medianItem } from '../lib/median';
import type { Bench } from '../lib/bench';
import { HttpRequestSpec, LoadResult, LoadSettings, loadSettingsFromEnv, measure, preflight } from '../lib/load';
import { machineInfo } from '../lib/machine';
import { cpuProfileArgs, spawnBenchScript, waitForHttp } from '../lib/processes';
import { CpuMeter } from '../lib/cpu';
import { RedisCommandMeter } from '../lib/redis-commands';
import { contended, cpuRatioPercent, formatTable, LOAD_GENERATOR_PROCESS, measurementLines, ratioPercent, REDIS_PROCESS, say, SERVER_PROCESS, TargetRow, writeResults } from '../lib/report';
import { gitRevision } from '../lib/settings';

const BASELINE = 'bare-fastify';
/** The issue's reference point: a plain Nest + Fastify endpoint doing one SET and one GET. */
const REFERENCE = 'nest-fastify-set-get';
const USER = 'bench-user';
const PING_BODY = JSON.stringify({ method: 'SYSTEM.ping', user_id: USER });
const REPLAY_BODY = JSON.stringify({ method: 'EVENTS.replay', args: [USER], user_id: USER });
const REGISTER_BODY = JSON.stringify({ method: 'REGISTRY.register_user', args: [USER, 'bench-session', '/bench'], user_id: USER });
const HEARTBEAT_BODY = JSON.stringify({ method: 'REGISTRY.heartbeat', args: [USER, 'bench-session'], user_id: USER });
const GATEWAY_LOG_LEVEL = 'warn';
const FIRST_WARMUP_S = 3;

interface Server {
  url: string;
  process: ManagedProcess;
}

/** A server process and the calls measured against it, one after another. */
interface ServerPlan {
  start(): Promise<Server>;
  targets: Array<{ name: string; body: string; expect: RegExp; setupBody?: string }>;
}

interface RedisBenchmark {
  command: string;
  opsPerSecond: number;
  p50Ms?: number;
}

async function startScriptServer(name: string, script: string, environment: Record<string, string>): Promise<Server> {
  const port = await findFreePort();
  const child = spawnBenchScript(name, script, { PORT: String(port), HOST: '127.0.0.1', ...environment });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(child, `${url}/healthz`);
  return { url, process: child };
}

function requestFor(server: Server, body: string, token: string): HttpRequestSpec {
  return {
    url: `${server.url}/rpc`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  };
}

async function runRedisBenchmark(port: number): Promise<RedisBenchmark> {
  const args = ['-p', String(port), '-t', 'set', '-n', '200000', '-c', '50', '-q'];
  const { stdout } = await promisify(execFile)('redis-benchmark', args, { maxBuffer: 16 * 2 ** 20 });
  // -q still prints \r-separated progress lines; the summary is the last "requests per second".
  const summaries = [...stdout.matchAll(/SET: ([\d.]+) requests per second(?:, p50=([\d.]+) msec)?/g)];
  const last = summaries.at(-1);
  if (!last) throw new Error(`could not read redis-benchmark's output:\n${stdout.slice(-500)}`);
  return { command: `redis-benchmark ${args.join(' ')}`, opsPerSecond: Number(last[1]), p50Ms: last[2] ? Number(last[2]) : undefined };
}

function roundOrNull(value: number | undefined): number | null {
  return value === undefined ? null : Math.round(value * 10) / 10;
}

async function runRpcGatewayBench(): Promise<boolean> {
  const settings: LoadSettings = loadSettingsFromEnv();
  const token = randomBytes(16).toString('hex');
  const profileDir = process.env.BENCH_CPU_PROF ? join(REPO_ROOT, 'bench', 'results', 'profiles') : undefined;
  say(`rpc-gateway: ${settings.connections} connections, ${settings.warmupS} s warm-up (discarded) + ${settings.durationS} s measured per target, one target at a time, ${settings.rounds} round(s) over all targets; the table shows each target's median round and the median of its per-round ratios`);
  const machine = machineInfo();
  say(`servers run in child processes; autocannon runs in this process (${machine.cpuCount} CPUs shared by both; load average ${machine.loadAverage1m.toFixed(2)} before the run: other work on the machine skews the numbers)`);
  say(`the gateway runs with LOG_LEVEL=${GATEWAY_LOG_LEVEL}: at info it logs every call, and the bench would measure stdout rather than the gateway`);
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    say(`BENCH_CPU_PROF is set: the gateway runs with --cpu-prof (writes to ${profileDir}); its numbers are slower than usual`);
  }

  const redis = await startRedisServer(await findFreePort());
  const redisCommands = await RedisCommandMeter.connect(redis.host, redis.port);
  const rows: TargetRow[] = [];
  let redisBenchmark: RedisBenchmark | undefined;
  const gatewayEnvironment: Record<string, string> = {
    HOST: '127.0.0.1',
    LISTENERS_SERVICE_TOKEN: token,
    LISTENERS_REDIS_HOST: redis.host,
    LISTENERS_REDIS_PORT: String(redis.port),
    LOG_LEVEL: GATEWAY_LOG_LEVEL,
    // High enough never to refuse a call; the limiter still runs and reserves batches from Redis.
    RPC_RATE_LIMIT_PER_MINUTE: '100000000',
  };

  // The gateway inherits this process's environment under the bench's own settings: RPC_RATE_LIMIT_BATCH=1000 npm run bench -- rpc
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => /^(RPC_|LISTENERS_|EVENT_|NODE_OPTIONS$)/.test(name) && !(name in gatewayEnvironment)));
  if (Object.keys(inherited).length > 0) say(`the gateway inherits ${Object.entries(inherited).map(([name, value]) => `${name}=${value}`).join(' ')}`);

  const plans: ServerPlan[] = [
    {
      start: () => startScriptServer('bare-fastify', 'rpc-gateway/bare-fastify-server.ts', {}),
      targets: [{ name: BASELINE, body: PING_BODY, expect: /"ok":true/ }],
    },
    {
      start: () => startScriptServer('nest-fastify-set-get', 'rpc-gateway/nest-set-get-server.ts', { REDIS_HOST: redis.host, REDIS_PORT: String(redis.port) }),
      targets: [{ name: REFERENCE, body: PING_BODY, expect: /"pong":true/ }],
    },
    {
      start: async () => {
        const port = await findFreePort();
        const environment = { ...gatewayEnvironment, PORT: String(port) };
        const gateway = spawnApp('rpc-gateway', environment, cpuProfileArgs(profileDir));
        const url = `http://127.0.0.1:${port}`;
        await waitForHttp(gateway, `${url}/healthz`, 120_000);
        return { url, process: gateway };
      },
      targets: [
        { name: 'gateway SYSTEM.ping', body: PING_BODY, expect: /"ok":true.*"pong":true/ },
        { name: 'gateway EVENTS.replay', body: REPLAY_BODY, expect: /"ok":true/ },
        // The registry's hot call: a Lua refresh of registry:user:{uid} and a presence ZADD (pipelined).
        { name: 'gateway REGISTRY.heartbeat', body: HEARTBEAT_BODY, expect: /"ok":true.*"success":true/, setupBody: REGISTER_BODY },
      ],
    },
  ];

  // Every server stays up for the whole run and the targets are measured in rounds, one after
  // another in each round: the machine's speed drifts over a run (other tenants, clock states), and
  // interleaving lets each target see the same drift. The table shows each target's median round.
  const servers: Server[] = [];
  const rounds: Map<string, LoadResult[]> = new Map();
  try {
    for (const plan of plans) servers.push(await plan.start());
    for (const [index, plan] of plans.entries()) {
      for (const target of plan.targets) {
        if (target.setupBody) await preflight(requestFor(servers[index], target.setupBody, token), /"ok":true/);
        await preflight(requestFor(servers[index], target.body, token), target.expect);
        rounds.set(target.name, []);
      }
    }
    // One longer warm-up per target before the rounds: the servers' code is compiled by the JIT under
    // load, and the short warm-up of each round only has to open connections.
    for (const [index, plan] of plans.entries()) {
      for (const target of plan.targets) {
        say(`warming up ${target.name} (${FIRST_WARMUP_S} s, discarded)…`);
        await measure(requestFor(servers[index], target.body, token), { ...settings, warmupS: 0, durationS: FIRST_WARMUP_S });
      }
    }
    for (let round = 1; round <= settings.rounds; round++) {
      for (const [index, plan] of plans.entries()) {
        const server = servers[index];
        for (const target of plan.targets) {
          say(`round ${round}/${settings.rounds}: loading ${target.name}…`);
          const meter = new CpuMeter({ [LOAD_GENERATOR_PROCESS]: process.pid, [SERVER_PROCESS]: server.process.child.pid, [REDIS_PROCESS]: redis.process.child.pid });
          const result: LoadResult = await measure(requestFor(server, target.body, token), settings, { cpu: meter, redis: redisCommands });
          rounds.get(target.name)?.push(result);
          say(`  ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.latencyP50Ms.toFixed(2)} ms, p99 ${result.latencyP99Ms.toFixed(2)} ms, non-2xx ${result.non2xx}, errors ${result.errors}${measurementLines(result.cpu, result.redisCommands, 'req')}`);
        }
      }
    }
    say('running redis-benchmark against the same Redis…');
    redisBenchmark = await runRedisBenchmark(redis.port);
  } finally {
    await Promise.all(servers.map((server) => server.process.stop()));
    await redisCommands.close();
    await redis.stop();
  }
  const baselineRounds = rounds.get(BASELINE) ?? [];
  const referenceRounds = rounds.get(REFERENCE) ?? [];
  const roundRatios = (results: LoadResult[], to: LoadResult[] = baselineRounds) => results.map((result, round) => ratioPercent(result, to[round]));
  for (const [target, results] of rounds) rows.push({ target, result: medianItem(results, (result) => result.requestsPerSecond), ratioToBaselinePercent: median(roundRatios(results)) });

  const baseline = rows.find((row) => row.target === BASELINE)?.result;
  process.stdout.write(`\n${formatTable(rows, BASELINE)}\n`);
  for (const [target, results] of rounds) {
    if (target === BASELINE || results.length < 2) continue;
    const ratios = roundRatios(results).map((ratio) => `${Math.round(ratio)}%`);
    process.stdout.write(`${target.padEnd(27)}vs ${BASELINE}, round by round: ${ratios.join(', ')}\n`);
  }
  // The target is stated against bare Fastify with the reference's own ratio beside it; measured in
  // the same rounds, the gateway's ratio to the reference does not depend on the machine's state.
  for (const [target, results] of rounds) {
    if (target === BASELINE || target === REFERENCE || referenceRounds.length !== results.length) continue;
    const ratios = roundRatios(results, referenceRounds);
    process.stdout.write(`${target.padEnd(27)}vs ${REFERENCE}, round by round: ${ratios.map((ratio) => `${Math.round(ratio)}%`).join(', ')}; median ${Math.round(median(ratios))}%\n`);
  }
  process.stdout.write(`${'redis-benchmark SET'.padEnd(26)}${Math.round(redisBenchmark.opsPerSecond).toString().padStart(8)} ops/s (raw Redis, -c 50, no HTTP)\n\n`);

  const file = writeResults('rpc-gateway', {
    bench: 'rpc-gateway',
    startedBy: 'npm run bench -- rpc',
    finishedAt: new Date().toISOString(),
    gitRevision: gitRevision(),
    machine: { ...machineInfo(), loadAverage1mBefore: machine.loadAverage1m },
    settings: { ...settings, firstWarmupS: FIRST_WARMUP_S, tool: 'autocannon (in-process, pipelining 1)', gatewayLogLevel: GATEWAY_LOG_LEVEL, cpuProfile: Boolean(profileDir) },
    gatewayEnvironment: { ...gatewayEnvironment, LISTENERS_SERVICE_TOKEN: '(random, 32 chars)' },
    inheritedGatewaySettings: inherited,
    baseline: BASELINE,
    reference: REFERENCE,
    targets: rows.map(({ target, result }) => ({
      target,
      rounds: rounds.get(target)?.map((round, index) => ({
        requestsPerSecond: round.requestsPerSecond,
        ratioToBaselinePercent: baselineRounds[index] ? Math.round(ratioPercent(round, baselineRounds[index]) * 10) / 10 : null,
        serverCpuUsPerRequest: round.cpu?.processes[SERVER_PROCESS]?.usPerRequest ?? null,
      })),
      ...result,
      ratioToBaselinePercent: rows.find((row) => row.target === target)?.ratioToBaselinePercent ?? null,
      ratioToReferencePercent: referenceRounds.length === rounds.get(target)?.length ? roundOrNull(median(roundRatios(rounds.get(target) ?? [], referenceRounds))) : null,
      cpuRatioToBaselinePercent: baseline ? roundOrNull(cpuRatioPercent(result, baseline)) : null,
    })),
    redisBenchmark,
  });
  const noisy = contended(rows);
  if (noisy.length > 0) {
    say(`contention: other processes used over 10% of the machine while measuring ${noisy.map(({ target }) => target).join(', ')}; their req/s and ratios are skewed (run again on a quiet machine; "by CPU/req" is less sensitive)`);
  }
  say(`results written to ${file}`);

  const failed = rows.filter(({ result }) => result.non2xx > 0 || result.errors > 0);
  for (const { target, result } of failed) say(`FAILED: ${target} had ${result.non2xx} non-2xx answers and ${result.errors} errors (${result.timeouts} timeouts)`);
  return failed.length === 0;
}

export const rpcGatewayBench: Bench = {
  name: 'rpc',
  aliases: ['rpc-gateway'],
  description: 'POST /rpc: bare Fastify vs Nest+Redis SET/GET vs the real gateway (SYSTEM.ping, EVENTS.replay, REGISTRY.heartbeat), plus raw redis-benchmark',
  run: runRpcGatewayBench,
};
