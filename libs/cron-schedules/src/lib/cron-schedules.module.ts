import { Module } from '@nestjs/common';
import { DistributedLockModule } from '@suite/distributed-lock';
import { TasksModule } from '@suite/tasks';
import { CronDispatcher } from './cron-dispatcher';
import { CronKeys } from './cron-keys';
import { CronRunClaims } from './cron-run-claims';
import { CronRunCounts } from './cron-run-counts';
import { CronRunner } from './cron-runner';
import { CronScheduleStore } from './cron-schedule-store';

const SERVICES = [CronKeys, CronScheduleStore, CronRunClaims, CronRunner, CronDispatcher, CronRunCounts];

/** User cron schedules: the store (CRON.*) and the claiming and running of their runs (needs Config, Redis, Firebase). */
@Module({
  imports: [TasksModule, DistributedLockModule],
  providers: SERVICES,
  exports: [...SERVICES, DistributedLockModule],
})
export class CronSchedulesModule {}
