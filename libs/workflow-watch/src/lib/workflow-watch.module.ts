import { Module } from '@nestjs/common';
import { EventsModule } from '@suite/events';
import { RealtimeChatModule } from '@suite/realtime-chat';
import { WorkflowFleet } from './workflow-fleet';
import { WorkflowLeases } from './workflow-leases';

/** The listener fleet's instance (needs ConfigModule, RedisModule and FirebaseModule). */
@Module({ imports: [EventsModule, RealtimeChatModule], providers: [WorkflowLeases, WorkflowFleet], exports: [WorkflowLeases, WorkflowFleet] })
export class WorkflowWatchModule {}
