import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@suite/config';
import { EventsModule } from '@suite/events';
import { LivenessModule } from '@suite/liveness';
import { RedisModule } from '@suite/redis';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';

@Module({})
export class GatewayModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [ConfigModule.forRoot(config), RedisModule, EventsModule, LivenessModule.forApp('rpc-gateway')],
      controllers: [HealthController],
      providers: [HealthService],
    };
  }
}
