import { percentileOfSorted } from '../lib/percentile';

/**
 * A closed loop of jobs for the tasks bench: `inFlight` jobs are outstanding at all times (a new
 * one is enqueued when one is seen completed), like autocannon's connections in the rpc bench.
 * With more jobs in flight than the worker's concurrency the worker never waits for work, so the
 * rate is the worker's throughput, and the latency (enqueue call to completion seen) is the time a
 * job spends in a saturated system, not a backlog that grows with the run.
 */

/** How a job ended, as seen by whoever watches completions. */
export type Outcome = { completedAt: bigint } | 'failed' | 'lost' | 'not-enqueued';

/**
 * Completion events of one target, matched to the jobs the loop is waiting for. Counts what must
 * never happen: a second completion of a job, a completion of a job nobody enqueued, a failure.
 */
export class CompletionTracker {
  private readonly waiting = new Map<string, (outcome: Outcome) => void>();
  private readonly completions = new Map<string, number>();
  duplicates = 0;
  unexpected = 0;
  failures = 0;
  lastEventAt = process.hrtime.bigint();

  get pending(): number {
    return this.waiting.size;
  }

  /** Call before enqueueing `id`: resolves when its completion (or failure) is seen. */
  expect(id: string): Promise<Outcome> {
    return new Promise((resolve) => this.waiting.set(id, resolve));
  }

  completed(id: string): void {
    const at = process.hrtime.bigint();
    this.lastEventAt = at;
    const seen = this.completions.get(id) ?? 0;
    this.completions.set(id, seen + 1);
    const resolve = this.waiting.get(id);
    if (resolve) {
      this.waiting.delete(id);
      resolve({ completedAt: at });
    } else if (seen > 0) {
      this.duplicates += 1;
    } else {
      this.unexpected += 1;
    }
  }

  failed(id: string): void {
    this.lastEventAt = process.hrtime.bigint();
    this.failures += 1;
    this.settle(id, 'failed');
  }

  /** The job could not be enqueued: stop waiting for it. */
  abandon(id: string): void {
    this.settle(id, 'not-enqueued');
  }

  /** Gives up on every job still waiting (nothing completed for too long): they count as lost. */
  expireAll(): void {
    for (const id of [...this.waiting.keys()]) this.settle(id, 'lost');
  }

  /** How many distinct jobs completed at least once. */
  get completedJobs(): number {
    return this.completions.size;
  }

  private settle(id: string, outcome: Outcome): void {
    const resolve = this.waiting.get(id);
    if (!resolve) return;
    this.waiting.delete(id);
    resolve(outcome);
  }
}

export interface LoopSettings {
  /** Jobs to run. */
  count: number;
  /** Jobs outstanding at once (enqueued or being enqueued, not yet seen completed). */
  inFlight: number;
  /** No completion for this long while jobs are outstanding: the outstanding jobs are lost. */
  stallMs: number;
}

export interface LoopResult {
  jobs: number;
  completed: number;
  failed: number;
  lost: number;
  notEnqueued: number;
  firstEnqueueError?: string;
  /** From the first enqueue call to the last completion seen. */
  wallS: number;
  jobsPerSecond: number;
  latencyP50Ms: number;
  latencyP90Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
}

/** Stops enqueueing after this many failed enqueue calls: the target is misconfigured, not slow. */
const MAX_ENQUEUE_ERRORS = 100;

function percentile(sorted: Float64Array, p: number): number {
  return Math.round(percentileOfSorted(sorted, p) * 100) / 100;
}

/**
 * Runs `settings.count` jobs through `enqueue`, `settings.inFlight` at a time; `tracker` must be fed
 * the completions. `idOf(i)` names job i (unique per run).
 */
export async function runClosedLoop(
  settings: LoopSettings,
  tracker: CompletionTracker,
  idOf: (index: number) => string,
  enqueue: (id: string, index: number) => Promise<void>,
): Promise<LoopResult> {
  const latenciesMs: number[] = [];
  let next = 0;
  let completed = 0;
  let failed = 0;
  let lost = 0;
  let notEnqueued = 0;
  let enqueueErrors = 0;
  let firstEnqueueError: string | undefined;
  let lastCompletion = 0n;
  const started = process.hrtime.bigint();
  tracker.lastEventAt = started;

  const watchdog = setInterval(() => {
    const idleMs = Number(process.hrtime.bigint() - tracker.lastEventAt) / 1e6;
    if (tracker.pending > 0 && idleMs > settings.stallMs) tracker.expireAll();
  }, 500);

  const slot = async (): Promise<void> => {
    while (next < settings.count) {
      const index = next++;
      const id = idOf(index);
      const done = tracker.expect(id);
      const enqueuedAt = process.hrtime.bigint();
      try {
        await enqueue(id, index);
      } catch (error) {
        tracker.abandon(id);
        firstEnqueueError ??= error instanceof Error ? error.message : String(error);
        enqueueErrors += 1;
        if (enqueueErrors >= MAX_ENQUEUE_ERRORS) next = settings.count;
      }
      const outcome = await done;
      if (outcome === 'failed') failed += 1;
      else if (outcome === 'lost') lost += 1;
      else if (outcome === 'not-enqueued') notEnqueued += 1;
      else {
        completed += 1;
        latenciesMs.push(Number(outcome.completedAt - enqueuedAt) / 1e6);
        if (outcome.completedAt > lastCompletion) lastCompletion = outcome.completedAt;
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.min(settings.inFlight, settings.count) }, () => slot()));
  } finally {
    clearInterval(watchdog);
  }
  const wallS = Number((lastCompletion > started ? lastCompletion : process.hrtime.bigint()) - started) / 1e9;
  const sorted = Float64Array.from(latenciesMs).sort();
  return {
    jobs: settings.count,
    completed,
    failed,
    lost,
    notEnqueued,
    firstEnqueueError,
    wallS: Math.round(wallS * 1000) / 1000,
    jobsPerSecond: wallS > 0 ? Math.round(completed / wallS) : 0,
    latencyP50Ms: percentile(sorted, 50),
    latencyP90Ms: percentile(sorted, 90),
    latencyP99Ms: percentile(sorted, 99),
    latencyMaxMs: percentile(sorted, 100),
  };
}
