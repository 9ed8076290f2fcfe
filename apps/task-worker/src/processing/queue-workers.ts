import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@suite/config';
import { MAINTENANCE_JOBS } from '@suite/job-contracts';
import { endConnectionsNow, JobDurationStats } from '@suite/queues';
import { RedisConnections } from '@suite/redis';
import { ChatAnswerJobs } from '../queues/llm/chat-answer-jobs';
import { MaintenanceRunner } from '../queues/maintenance/maintenance-runner';
import { jobTypesWithoutHandler, taskTypesWithSeveralProcessors } from './job-handlers';
import { QueueHost } from './queue-hosts';
import { TaskJobRunner } from './task-job-runner';
import { TASK_PROCESSORS, TaskProcessor } from './task-processor';

/** The @Processor instances of this worker (one per configured queue). */
export const QUEUE_HOSTS = Symbol('QUEUE_HOSTS');

/** How often the drain looks whether Redis went away with nothing left in flight. */
const DRAIN_CHECK_MS = 100;

type DrainOutcome = 'drained' | 'expired' | 'unreachable';

/**
 * The lifecycle of this instance's BullMQ workers (created by @nestjs/bullmq from the @Processor
 * classes of WORKER_QUEUES). At start-up, refuses a job type of a served queue that has no handler;
 * once the app is up (Redis answered), starts the workers. On shutdown, before any module closes
 * its Redis connections: the workers stop taking jobs and the running ones finish within
 * SHUTDOWN_GRACE_MS. As soon as nothing is in flight (nor waiting for its outcome to be written)
 * while Redis does not answer, the workers' connections are ended instead of waited for (their
 * close would wait for Redis forever); when the grace runs out, the running jobs are aborted: the
 * attempt fails and is retried with backoff.
 */
@Injectable()
export class QueueWorkers implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('QueueWorkers');

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisConnections,
    @Inject(QUEUE_HOSTS) private readonly hosts: QueueHost[],
    @Inject(TASK_PROCESSORS) private readonly processors: TaskProcessor[],
    private readonly maintenance: MaintenanceRunner,
    private readonly runner: TaskJobRunner,
    private readonly chatAnswers: ChatAnswerJobs,
    private readonly durations: JobDurationStats,
  ) {}

  onModuleInit(): void {
    const types = this.processors.map((processor) => processor.type);
    const doubled = taskTypesWithSeveralProcessors(types);
    if (doubled.length > 0) throw new Error(`task types with more than one processor: ${doubled.join(', ')}`);
    const missing = jobTypesWithoutHandler({
      queues: this.config.WORKER_QUEUES,
      taskTypes: types,
      maintenanceJobs: this.maintenance.handledJobs,
      knownMaintenanceJobs: Object.values(MAINTENANCE_JOBS),
    });
    if (missing.length > 0) throw new Error(`job types without a handler on the queues this worker serves: ${missing.join(', ')}`);
  }

  onApplicationBootstrap(): void {
    for (const host of this.hosts) host.start();
    this.logger.log({ event: 'workers_started', queues: this.hosts.map((host) => host.queueName), concurrency: this.config.WORKER_CONCURRENCY });
  }

  async beforeApplicationShutdown(): Promise<void> {
    const closing = Promise.all(this.hosts.map((host) => host.worker.close()));
    const outcome = await this.drain(closing);
    if (outcome === 'expired') {
      // The running jobs end at once (their attempt fails and is retried with backoff by whichever
      // worker is up), and the close completes once BullMQ has written that.
      this.runner.abortAll(new Error('worker shutting down'));
      this.chatAnswers.abortAll(new Error('worker shutting down'));
      this.logger.warn({ event: 'drain_timeout', grace_ms: this.config.SHUTDOWN_GRACE_MS });
    } else if (outcome === 'unreachable') {
      await this.endConnections();
      await closing;
      this.logger.warn({ event: 'workers_stopped_redis_unreachable' });
    } else {
      this.logger.log({ event: 'workers_drained' });
    }
    await this.durations.flush();
  }

  private drain(closing: Promise<unknown>): Promise<DrainOutcome> {
    let graceTimer: NodeJS.Timeout | undefined;
    let checkTimer: NodeJS.Timeout | undefined;
    return new Promise<DrainOutcome>((resolve) => {
      closing.then(
        () => resolve('drained'),
        () => resolve('drained'),
      );
      graceTimer = setTimeout(() => resolve('expired'), this.config.SHUTDOWN_GRACE_MS);
      checkTimer = setInterval(() => {
        if (this.redis.command.status !== 'ready' && this.hosts.every((host) => host.inFlight === 0)) resolve('unreachable');
      }, DRAIN_CHECK_MS);
    }).finally(() => {
      clearTimeout(graceTimer);
      clearInterval(checkTimer);
    });
  }

  private async endConnections(): Promise<void> {
    await Promise.all(this.hosts.map((host) => endConnectionsNow(host.worker)));
  }
}
