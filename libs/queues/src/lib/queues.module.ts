import { Module } from '@nestjs/common';
import { JobDurationStats } from './job-duration-stats';
import { TaskQueues } from './task-queues';

/** BullMQ queues (needs ConfigModule and RedisModule). */
@Module({ providers: [TaskQueues, JobDurationStats], exports: [TaskQueues, JobDurationStats] })
export class QueuesModule {}
