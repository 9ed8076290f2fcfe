import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AppConfig, ConfigModule } from '@suite/config';
import { EventPublisher, EventsModule } from '@suite/events';
import { FirebaseModule } from '@suite/firebase';
import { LivenessModule } from '@suite/liveness';
import { LlmSessionsModule } from '@suite/llm-sessions';
import { MetricsModule, MetricsService } from '@suite/metrics';
import { RedisModule } from '@suite/redis';
import { RegistryModule } from '@suite/registry';
import { RpcServerModule } from '@suite/rpc-server';
import { TasksModule } from '@suite/tasks';
import { EventsWebSocket } from './events-ws/events-websocket';
import { EventsRpcHandler } from './handlers/events.rpc-handler';
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
import { RpcRoute } from './rpc/rpc-route';

/** The RPC namespaces this gateway serves: one handler class each. */
const RPC_HANDLERS: Type[] = [SystemRpcHandler, EventsRpcHandler, RegistryRpcHandler, UnifiedRegistryRpcHandler, TaskRpcHandler, LlmRpcHandler];

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
        EventsModule,
        RegistryModule,
        TasksModule,
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
        eventMetrics,
        ...RPC_HANDLERS,
        ...extraHandlers,
      ],
    };
  }
}
