import { bootstrapWorkerApp } from '@suite/bootstrap';
import { TaskWorkerModule } from './task-worker.module';

export function bootstrap() {
  return bootstrapWorkerApp({ app: 'task-worker', module: TaskWorkerModule.register });
}
