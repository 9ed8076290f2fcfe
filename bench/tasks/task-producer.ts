/**
 * The producer side of the tasks bench, in the bench process: the same modules an app starting
 * tasks imports (config, Redis, Firebase, tasks), so `TaskService.start` runs its real path:
 * quota check, registry record, `queued` event, BullMQ job.
 */
import 'reflect-metadata';
import { DynamicModule, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigModule } from '@suite/config';
import { FirebaseModule } from '@suite/firebase';
import { createJsonLogger, NestJsonLogger } from '@suite/logging';
import { RedisModule } from '@suite/redis';
import { TasksModule } from '@suite/tasks';

@Module({})
class TaskProducerModule {
  static register(config: AppConfig): DynamicModule {
    return { module: TaskProducerModule, imports: [ConfigModule.forRoot(config), RedisModule, FirebaseModule, TasksModule] };
  }
}

/** A Nest application context with TaskService and its dependencies, connected to Redis. Close it when done. */
export async function startTaskProducer(config: AppConfig): Promise<INestApplicationContext> {
  const logger = new NestJsonLogger(createJsonLogger({ app: 'bench-producer', level: config.LOG_LEVEL }));
  const app = await NestFactory.createApplicationContext(TaskProducerModule.register(config), { logger });
  await app.init();
  return app;
}
