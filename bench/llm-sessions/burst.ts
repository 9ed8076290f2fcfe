import { percentileOfSorted } from '../lib/percentile';

/**
 * Latency figures of one run of calls. The percentiles are over every call, a failed one counted
 * at its time to error (a call that timed out weighs as its timeout), so failures cannot make the
 * p99 look better; `errors` says how many of them failed.
 */
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

/** `latenciesMs` holds every call, failed ones included (at their time to error); `errors` of them failed. */
export function summarize(latenciesMs: number[], errors: number, wallMs: number, firstError?: string): BurstResult {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    calls: latenciesMs.length,
    errors,
    firstError,
    wallMs: Math.round(wallMs),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: percentile(sorted, 100),
  };
}

/** The calls of one run: each one's latency (to its answer or to its error), and the errors (the first one kept for the report). */
class CallTally {
  private readonly latencies: number[] = [];
  private errors = 0;
  private firstError?: string;
  private readonly started = process.hrtime.bigint();

  /** Runs `call`, its latency counted from `from` (its own start by default). */
  async time(call: () => Promise<void>, from = process.hrtime.bigint()): Promise<void> {
    try {
      await call();
    } catch (error) {
      this.errors += 1;
      this.firstError ??= error instanceof Error ? error.message : String(error);
    } finally {
      this.latencies.push(Number(process.hrtime.bigint() - from) / 1e6);
    }
  }

  result(): BurstResult {
    return summarize(this.latencies, this.errors, Number(process.hrtime.bigint() - this.started) / 1e6, this.firstError);
  }
}

/** Starts `count` calls at once and times each from the burst's start to its own answer. */
export async function burst(count: number, call: (index: number) => Promise<void>): Promise<BurstResult> {
  const tally = new CallTally();
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: count }, (_, index) => tally.time(() => call(index), started)));
  return tally.result();
}

/** Runs `count` calls one after another, timing each. */
export async function sequence(count: number, call: (index: number) => Promise<void>): Promise<BurstResult> {
  const tally = new CallTally();
  for (let index = 0; index < count; index++) await tally.time(() => call(index));
  return tally.result();
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
  const tally = new CallTally();
  await limited(count, inFlight, (index) => tally.time(() => call(index)));
  return tally.result();
}
