import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@suite/config';
import { LivenessModule } from '@suite/liveness';
import { RedisModule } from '@suite/redis';

@Module({})
export class WorkflowListenerModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: WorkflowListenerModule,
      imports: [ConfigModule.forRoot(config), RedisModule, LivenessModule.forApp('workflow-listener')],
    };
  }
}
