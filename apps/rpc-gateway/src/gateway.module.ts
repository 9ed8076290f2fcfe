import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ChatAnswersModule } from '@suite/chat-answers';
import { AppConfig, ConfigModule } from '@suite/config';
import { CronSchedulesModule } from '@suite/cron-schedules';
import { EventPublisher, EventsModule } from '@suite/events';
import { FirebaseModule } from '@suite/firebase';
import { FirestoreDocumentsModule } from '@suite/firestore-documents';
import { RealtimeChatModule } from '@suite/realtime-chat';
import { LivenessModule } from '@suite/liveness';
import { LlmModule } from '@suite/llm';
import { LlmSessionsModule } from '@suite/llm-sessions';
import { MetricsModule, MetricsService } from '@suite/metrics';
import { RedisModule } from '@suite/redis';
import { RegistryModule } from '@suite/registry';
import { RpcServerModule } from '@suite/rpc-server';
import { TasksModule } from '@suite/tasks';
import { VectorModule } from '@suite/vector';
import { WorkflowControlClient } from '@suite/workflow-watch';
import { EventsWebSocket } from './events-ws/events-websocket';
import { ChatAnswerRpcHandler } from './handlers/chat-answer.rpc-handler';
import { CronRpcHandler } from './handlers/cron.rpc-handler';
import { ChromaVectorRpcHandler } from './handlers/chroma-vector.rpc-handler';
import { EventsRpcHandler } from './handlers/events.rpc-handler';
import { FirebaseManagementRpcHandler } from './handlers/firebase-management.rpc-handler';
import { FirebaseRealtimeRpcHandler } from './handlers/firebase-realtime.rpc-handler';
import { LlmConversationRpcHandler } from './handlers/llm-conversation.rpc-handler';
import { LlmRpcHandler } from './handlers/llm.rpc-handler';
import { RegistryRpcHandler } from './handlers/registry.rpc-handler';
import { TaskRpcHandler } from './handlers/task.rpc-handler';
import { UnifiedRegistryRpcHandler } from './handlers/unified-registry.rpc-handler';
import { SystemRpcHandler } from './handlers/system.rpc-handler';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { EnvelopeExceptionFilter } from './http/envelope-exception.filter';
import { HttpDrain } from './http/http-drain';
import { DebugController } from './operations/debug.controller';
import { DebugService } from './operations/debug.service';
import { MetricsController } from './operations/metrics.controller';
import { QueueDashboard } from './queues/queue-dashboard';
import { QueueMetrics } from './queues/queue-metrics';
import { CronMetrics } from './cron/cron-metrics';
import { RpcRoute } from './rpc/rpc-route';

/** The RPC namespaces this gateway serves: one handler class each. */
const RPC_HANDLERS: Type[] = [
  SystemRpcHandler,
  EventsRpcHandler,
  RegistryRpcHandler,
  UnifiedRegistryRpcHandler,
  TaskRpcHandler,
  LlmRpcHandler,
  LlmConversationRpcHandler,
  ChatAnswerRpcHandler,
  CronRpcHandler,
  ChromaVectorRpcHandler,
  FirebaseManagementRpcHandler,
  FirebaseRealtimeRpcHandler,
];

@Module({})
export class GatewayModule {
  /** `extraHandlers` lets a test add a namespace, exactly as a new feature would. */
  static register(config: AppConfig, extraHandlers: Type[] = []): DynamicModule {
    const eventMetrics: Provider = {
      provide: 'EVENT_METRICS',
      inject: [EventPublisher, MetricsService],
      useFactory: (publisher: EventPublisher, metrics: MetricsService) =>
        publisher.onPublished((event) => metrics.eventsPublished.inc({ type: event.type })),
    };
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        RedisModule,
        MetricsModule,
        FirebaseModule,
        FirestoreDocumentsModule,
        RealtimeChatModule,
        EventsModule,
        RegistryModule,
        TasksModule,
        LlmModule,
        ChatAnswersModule,
        CronSchedulesModule,
        VectorModule,
        LlmSessionsModule,
        LivenessModule.forApp('rpc-gateway'),
        RpcServerModule,
      ],
      controllers: [HealthController, DebugController, MetricsController],
      providers: [
        { provide: APP_FILTER, useClass: EnvelopeExceptionFilter },
        HttpDrain,
        HealthService,
        DebugService,
        RpcRoute,
        EventsWebSocket,
        QueueDashboard,
        QueueMetrics,
        CronMetrics,
        WorkflowControlClient,
        eventMetrics,
        ...RPC_HANDLERS,
        ...extraHandlers,
      ],
    };
  }
}
