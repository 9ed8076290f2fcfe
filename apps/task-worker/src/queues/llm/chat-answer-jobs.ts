import { Injectable } from '@nestjs/common';
import { ChatAnswerOutcome, ChatAnswerWriter } from '@suite/chat-answers';
import { ChatAnswerJobData } from '@suite/job-contracts';
import { LogContext } from '@suite/logging';
import { JobDurationStats } from '@suite/queues';
import { Job } from 'bullmq';

/**
 * `chat_answer` jobs of the `llm` queue (LLM.send_message): no task record; ChatAnswerWriter does
 * the work, timed into the `llm` queue's job_duration_seconds (the gateway's /metrics).
 */
@Injectable()
export class ChatAnswerJobs {
  private readonly running = new Set<AbortController>();

  constructor(
    private readonly writer: ChatAnswerWriter,
    private readonly durations: JobDurationStats,
  ) {}

  run(job: Job<ChatAnswerJobData>): Promise<ChatAnswerOutcome> {
    const data = job.data;
    return LogContext.run({ trace_id: data.trace_id, user_id: data.user_id, job_id: job.id }, async () => {
      const abort = new AbortController();
      this.running.add(abort);
      const started = process.hrtime.bigint();
      let outcome: 'completed' | 'failed' = 'failed';
      try {
        // attemptsStarted counts a run after a stall too (attemptsMade does not).
        const answer = await this.writer.write(data, job.attemptsStarted || job.attemptsMade + 1, abort.signal);
        if (answer.finish_reason !== 'error') outcome = 'completed';
        return answer;
      } finally {
        this.running.delete(abort);
        this.durations.record('llm', outcome, Number(process.hrtime.bigint() - started) / 1e9);
      }
    });
  }

  /** A job that failed for good: the user's final event says so (ChatAnswerWriter.giveUp). */
  async failed(job: Job<ChatAnswerJobData>, error: Error): Promise<void> {
    await this.writer.giveUp(job.data, error.message);
  }

  /** Ends every answer streaming here (hard shutdown): their jobs are answered again by another worker. */
  abortAll(reason: Error): void {
    for (const controller of this.running) controller.abort(reason);
  }
}
