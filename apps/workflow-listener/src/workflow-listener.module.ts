import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@suite/config';
import { EventsModule } from '@suite/events';
import { FirebaseModule } from '@suite/firebase';
import { LivenessModule } from '@suite/liveness';
import { RedisModule } from '@suite/redis';
import { WorkflowWatchModule } from '@suite/workflow-watch';
import { WorkflowControlServer } from './control/workflow-control.server';

@Module({})
export class WorkflowListenerModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: WorkflowListenerModule,
      imports: [ConfigModule.forRoot(config), RedisModule, FirebaseModule, EventsModule, WorkflowWatchModule, LivenessModule.forApp('workflow-listener')],
      providers: [WorkflowControlServer],
    };
  }
}
