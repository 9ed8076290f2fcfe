import { bootstrapWorkerApp } from '@suite/bootstrap';
import { CronSchedulerModule } from './cron-scheduler.module';

export function bootstrap() {
  return bootstrapWorkerApp({ app: 'cron-scheduler', module: CronSchedulerModule.register });
}
