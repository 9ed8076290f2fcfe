import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig, ConfigModule } from '@suite/config';
import { CronSchedulesModule } from '@suite/cron-schedules';
import { FirebaseModule } from '@suite/firebase';
import { LivenessModule } from '@suite/liveness';
import { QueuesModule } from '@suite/queues';
import { RedisModule } from '@suite/redis';
import { MaintenanceSchedulers } from './maintenance/maintenance-schedulers';
import { CronClaimTicker } from './schedules/cron-claim-ticker';

@Module({})
export class CronSchedulerModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: CronSchedulerModule,
      imports: [
        ConfigModule.forRoot(config),
        ScheduleModule.forRoot(),
        RedisModule,
        FirebaseModule,
        QueuesModule,
        CronSchedulesModule,
        LivenessModule.forApp('cron-scheduler'),
      ],
      providers: [MaintenanceSchedulers, CronClaimTicker],
    };
  }
}
