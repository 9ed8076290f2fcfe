import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AppConfig, QUEUE_NAMES } from '@suite/config';
import { RedisConnections } from '@suite/redis';
import { JobDurationStats } from './job-duration-stats';
import { TaskQueues } from './task-queues';

/**
 * The four BullMQ queues through @nestjs/bullmq: one shared configuration from the validated
 * AppConfig (the connection of RedisConnections.bullmqConnection(), QUEUE_PREFIX), the queues
 * registered by name (inject one with `@InjectQueue('default')`, or all through TaskQueues).
 * Needs ConfigModule and RedisModule (both global).
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig, RedisConnections],
      useFactory: (config: AppConfig, redis: RedisConnections) => ({ connection: redis.bullmqConnection(), prefix: config.QUEUE_PREFIX }),
    }),
    BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
  ],
  providers: [TaskQueues, JobDurationStats],
  exports: [BullModule, TaskQueues, JobDurationStats],
})
export class QueuesModule {}
