import { Module } from '@nestjs/common';
import { EventsModule } from '@suite/events';
import { QueuesModule } from '@suite/queues';
import { RegistryModule } from '@suite/registry';
import { TaskProgressReporter } from './task-progress-reporter';
import { TaskService } from './task-service';

/** Starting, following and reporting tasks (needs Config, Redis, Firebase). */
@Module({
  imports: [QueuesModule, RegistryModule, EventsModule],
  providers: [TaskService, TaskProgressReporter],
  exports: [TaskService, TaskProgressReporter, QueuesModule, RegistryModule, EventsModule],
})
export class TasksModule {}
