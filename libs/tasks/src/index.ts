export { TasksModule } from './lib/tasks.module';
export { TaskService } from './lib/task-service';
export type { StartTaskRequest, StartTaskOutcome, TaskStatus } from './lib/task-service';
export { TaskProgressReporter } from './lib/task-progress-reporter';
export type { ProgressStep } from './lib/task-progress-reporter';
export { TaskCancelledError, TaskDurationExceededError, InvalidTaskInputError } from './lib/task-errors';
