import { Module } from '@nestjs/common';
import { TaskQueues } from './task-queues';

/** BullMQ queues (needs ConfigModule and RedisModule). */
@Module({ providers: [TaskQueues], exports: [TaskQueues] })
export class QueuesModule {}
