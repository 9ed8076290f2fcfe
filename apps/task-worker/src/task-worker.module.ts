import { DynamicModule, Module } from '@nestjs/common';
import { ChatAnswersModule } from '@suite/chat-answers';
import { AppConfig, ConfigModule } from '@suite/config';
import { FirebaseModule } from '@suite/firebase';
import { LivenessModule } from '@suite/liveness';
import { LlmModule } from '@suite/llm';
import { RedisModule } from '@suite/redis';
import { TasksModule } from '@suite/tasks';
import { VectorModule } from '@suite/vector';
import { QueueHost } from './processing/queue-hosts';
import { queueProcessors } from './processing/queue-processors';
import { QUEUE_HOSTS, QueueWorkers } from './processing/queue-workers';
import { TaskJobRunner } from './processing/task-job-runner';
import { TASK_PROCESSORS, TaskProcessor } from './processing/task-processor';
import { AnalysisThreadPool } from './queues/computation/analysis-thread-pool';
import { DocumentAnalysisProcessor } from './queues/computation/document-analysis.processor';
import { VectorComputationProcessor } from './queues/computation/vector-computation.processor';
import { NoopProcessor } from './queues/default/noop.processor';
import { ChatAnswerJobs } from './queues/llm/chat-answer-jobs';
import { LlmConversationProcessor } from './queues/llm/llm-conversation.processor';
import { HealthSummaryJob } from './queues/maintenance/health-summary';
import { MaintenanceRunner } from './queues/maintenance/maintenance-runner';

/** The processor of each task type (TaskProcessor), whatever queue it runs on. */
const PROCESSORS = [DocumentAnalysisProcessor, NoopProcessor, LlmConversationProcessor, VectorComputationProcessor];

@Module({})
export class TaskWorkerModule {
  static register(config: AppConfig): DynamicModule {
    // One @Processor class per configured queue (WORKER_QUEUES): @nestjs/bullmq starts a worker for each.
    const hosts = queueProcessors(config);
    return {
      module: TaskWorkerModule,
      imports: [ConfigModule.forRoot(config), RedisModule, FirebaseModule, TasksModule, LlmModule, ChatAnswersModule, VectorModule, LivenessModule.forApp('task-worker')],
      providers: [
        AnalysisThreadPool,
        ...PROCESSORS,
        { provide: TASK_PROCESSORS, inject: PROCESSORS, useFactory: (...processors: TaskProcessor[]) => processors },
        TaskJobRunner,
        ChatAnswerJobs,
        HealthSummaryJob,
        MaintenanceRunner,
        ...hosts,
        { provide: QUEUE_HOSTS, inject: hosts, useFactory: (...instances: QueueHost[]) => instances },
        QueueWorkers,
      ],
    };
  }
}
