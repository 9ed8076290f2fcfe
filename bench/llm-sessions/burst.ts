import { percentileOfSorted } from '../lib/percentile';

/** Latency figures of one burst of concurrent calls. */
export interface BurstResult {
  calls: number;
  errors: number;
  firstError?: string;
  wallMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function percentile(sorted: number[], p: number): number {
  return Math.round(percentileOfSorted(sorted, p) * 100) / 100;
}

export function summarize(latenciesMs: number[], errors: number, wallMs: number, firstError?: string): BurstResult {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    calls: latenciesMs.length + errors,
    errors,
    firstError,
    wallMs: Math.round(wallMs),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: percentile(sorted, 100),
  };
}

/** Starts `count` calls at once and times each from the burst's start to its own answer. */
export async function burst(count: number, call: (index: number) => Promise<void>): Promise<BurstResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      try {
        await call(index);
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }),
  );
  return summarize(latencies, errors, Number(process.hrtime.bigint() - started) / 1e6, firstError);
}

/** Runs `count` calls one after another, timing each. */
export async function sequence(count: number, call: (index: number) => Promise<void>): Promise<BurstResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = process.hrtime.bigint();
  for (let index = 0; index < count; index++) {
    const at = process.hrtime.bigint();
    try {
      await call(index);
      latencies.push(Number(process.hrtime.bigint() - at) / 1e6);
    } catch (error) {
      errors += 1;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  }
  return summarize(latencies, errors, Number(process.hrtime.bigint() - started) / 1e6, firstError);
}

/** Runs `count` tasks with at most `limit` at once. */
export async function limited(count: number, limit: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** `count` calls with `inFlight` outstanding at all times, each timed from its own start. */
export async function closedLoop(count: number, inFlight: number, call: (index: number) => Promise<void>): Promise<BurstResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = process.hrtime.bigint();
  await limited(count, inFlight, async (index) => {
    const at = process.hrtime.bigint();
    try {
      await call(index);
      latencies.push(Number(process.hrtime.bigint() - at) / 1e6);
    } catch (error) {
      errors += 1;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  });
  return summarize(latencies, errors, Number(process.hrtime.bigint() - started) / 1e6, firstError);
}
