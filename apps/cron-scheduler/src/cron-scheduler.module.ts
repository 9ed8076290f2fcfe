import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@suite/config';
import { LivenessModule } from '@suite/liveness';
import { QueuesModule } from '@suite/queues';
import { RedisModule } from '@suite/redis';
import { MaintenanceTicker } from './maintenance/maintenance-ticker';

@Module({})
export class CronSchedulerModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: CronSchedulerModule,
      imports: [ConfigModule.forRoot(config), RedisModule, QueuesModule, LivenessModule.forApp('cron-scheduler')],
      providers: [MaintenanceTicker],
    };
  }
}
