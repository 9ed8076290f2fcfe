import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@suite/config';
import { LivenessModule } from '@suite/liveness';
import { RedisModule } from '@suite/redis';

@Module({})
export class TaskWorkerModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: TaskWorkerModule,
      imports: [ConfigModule.forRoot(config), RedisModule, LivenessModule.forApp('task-worker')],
    };
  }
}
