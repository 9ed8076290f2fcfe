import { Injectable } from '@nestjs/common';
import { NoopPayload, TaskJobData, TaskType } from '@suite/job-contracts';
import { ProcessingContext, TaskProcessor } from '../../processing/task-processor';

/** `noop` on the `default` queue: the full task path with no work (health checks, benchmarks). */
@Injectable()
export class NoopProcessor implements TaskProcessor<NoopPayload, { steps: number }> {
  readonly type: TaskType = 'noop';

  async process(job: TaskJobData<NoopPayload>, context: ProcessingContext): Promise<{ steps: number }> {
    if (context.attempt <= (job.payload?.fail_first_attempts ?? 0)) throw new Error(`transient failure on attempt ${context.attempt}`);
    const steps = Math.min(Math.max(job.payload?.steps ?? 0, 0), 100);
    const delayMs = Math.min(Math.max(job.payload?.step_delay_ms ?? 0, 0), 60_000);
    for (let i = 1; i <= steps; i++) {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      await context.step(Math.round((i / (steps + 1)) * 100), `step ${i}`);
    }
    return { steps };
  }
}
