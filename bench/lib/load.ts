import autocannon from 'autocannon';
import type { CpuMeter, CpuWindow } from './cpu';
import type { RedisCommandMeter, RedisCommandWindow } from './redis-commands';
import { percentileOfSorted } from './percentile';

/** How hard and how long every target of a bench is loaded; the same for all targets of a run. */
export interface LoadSettings {
  connections: number;
  durationS: number;
  warmupS: number;
  /** Rounds over all targets, interleaved: each target is measured once per round. */
  rounds: number;
}

export interface HttpRequestSpec {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** One target's measured window (the warm-up is run and discarded). */
export interface LoadResult {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP90Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  totalRequests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
  /** CPU used per process during the measured window (Linux only). */
  cpu?: CpuWindow;
  /** Redis commands per request during the measured window, when a Redis was watched. */
  redisCommands?: RedisCommandWindow;
}

function positiveInteger(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/**
 * BENCH_CONNECTIONS (64), BENCH_DURATION_S (4), BENCH_WARMUP_S (1), BENCH_ROUNDS (5). Many short
 * rounds rather than a few long ones: this machine's speed drifts over tens of seconds, and a ratio
 * taken between windows close in time, medianed over more rounds, moves less from run to run.
 */
export function loadSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LoadSettings {
  return {
    connections: positiveInteger(env.BENCH_CONNECTIONS, 64, 'BENCH_CONNECTIONS'),
    durationS: positiveInteger(env.BENCH_DURATION_S, 4, 'BENCH_DURATION_S'),
    warmupS: positiveInteger(env.BENCH_WARMUP_S, 1, 'BENCH_WARMUP_S'),
    rounds: positiveInteger(env.BENCH_ROUNDS, 5, 'BENCH_ROUNDS'),
  };
}

interface Fired {
  result: autocannon.Result;
  /** 2xx response times in ms, unrounded (autocannon's own histogram has 1 ms resolution). */
  latenciesMs: number[];
}

function fire(request: HttpRequestSpec, connections: number, durationS: number, recordLatencies: boolean): Promise<Fired> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    // In-process (no worker threads): the runner does nothing else while a target is loaded.
    const instance = autocannon(
      {
        url: request.url,
        method: request.method,
        headers: request.headers,
        body: request.body,
        connections,
        duration: durationS,
        pipelining: 1,
      },
      (error: unknown, result: autocannon.Result) => {
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve({ result, latenciesMs: latencies });
      },
    );
    if (recordLatencies) {
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      });
    }
  });
}

function percentile(sorted: Float64Array, p: number): number {
  return Math.round(percentileOfSorted(sorted, p) * 100) / 100;
}

/** What to watch during the measured window. */
export interface Meters {
  cpu?: CpuMeter;
  redis?: RedisCommandMeter;
}

/** Warm-up (discarded), then the measured window. */
export async function measure(request: HttpRequestSpec, settings: LoadSettings, meters: Meters = {}): Promise<LoadResult> {
  if (settings.warmupS > 0) await fire(request, settings.connections, settings.warmupS, false);
  await meters.redis?.begin();
  meters.cpu?.begin();
  const { result, latenciesMs: raw } = await fire(request, settings.connections, settings.durationS, true);
  const cpu = meters.cpu?.end(result.requests.total);
  const redisCommands = await meters.redis?.end(result.requests.total);
  const latenciesMs = Float64Array.from(raw).sort();
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: percentile(latenciesMs, 50),
    latencyP90Ms: percentile(latenciesMs, 90),
    latencyP99Ms: percentile(latenciesMs, 99),
    latencyMaxMs: percentile(latenciesMs, 100),
    totalRequests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationS: result.duration,
    cpu,
    redisCommands,
  };
}

/** One request before loading, so a misconfigured target fails loudly instead of measuring 401s. */
export async function preflight(request: HttpRequestSpec, expectBody: RegExp): Promise<void> {
  const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  if (!response.ok || !expectBody.test(text)) {
    throw new Error(`preflight ${request.method} ${request.url} answered ${response.status}: ${text.slice(0, 500)}`);
  }
}
