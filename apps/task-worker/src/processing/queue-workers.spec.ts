import type { AppConfig, QueueName } from '@suite/config';
import { MAINTENANCE_JOB_NAMES } from '@suite/job-contracts';
import type { JobDurationStats } from '@suite/queues';
import type { RedisConnections } from '@suite/redis';
import type { ChatAnswerJobs } from '../queues/llm/chat-answer-jobs';
import type { MaintenanceRunner } from '../queues/maintenance/maintenance-runner';
import { NoopProcessor } from '../queues/default/noop.processor';
import { QueueWorkers } from './queue-workers';
import type { TaskJobRunner } from './task-job-runner';
import type { TaskProcessor } from './task-processor';

function workersFor(queues: QueueName[], processors: TaskProcessor[], maintenanceJobs: string[]): QueueWorkers {
  return new QueueWorkers(
    { WORKER_QUEUES: queues } as AppConfig,
    {} as RedisConnections,
    [],
    processors,
    { handledJobs: maintenanceJobs } as MaintenanceRunner,
    {} as TaskJobRunner,
    {} as ChatAnswerJobs,
    {} as JobDurationStats,
  );
}

describe('QueueWorkers at start-up', () => {
  it('refuses a served queue with a job type that has no handler, naming it', () => {
    expect(() => workersFor(['default', 'computation'], [new NoopProcessor()], []).onModuleInit()).toThrow(
      'job types without a handler on the queues this worker serves: computation/document_analysis',
    );
    expect(() => workersFor(['maintenance'], [], []).onModuleInit()).toThrow('maintenance/registry_cleanup');
    expect(() => workersFor(['maintenance'], [], ['registry_cleanup', 'presence_expiry', 'health_summary']).onModuleInit()).toThrow(
      'job types without a handler on the queues this worker serves: maintenance/chroma_registration_expiry',
    );
  });

  it('refuses two processors of one task type', () => {
    expect(() => workersFor(['default'], [new NoopProcessor(), new NoopProcessor()], []).onModuleInit()).toThrow('more than one processor: noop');
  });

  it('starts when every job type of the served queues has its handler', () => {
    expect(() => workersFor(['default', 'maintenance'], [new NoopProcessor()], MAINTENANCE_JOB_NAMES).onModuleInit()).not.toThrow();
  });
});
