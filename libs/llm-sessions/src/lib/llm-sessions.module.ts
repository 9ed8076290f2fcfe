import { Module } from '@nestjs/common';
import { ChatHistoryModule } from '@suite/chat-history';
import { SessionStateModule } from '@suite/session-state';
import { LlmSessionMetrics } from './llm-session.metrics';
import { LlmSessionService } from './llm-session.service';
import { SessionCache } from './session-cache';
import { SessionDataLoader } from './session-data.loader';

/** LLM sessions and threads (needs ConfigModule, RedisModule, MetricsModule and FirebaseModule). */
@Module({
  imports: [SessionStateModule, ChatHistoryModule],
  providers: [LlmSessionMetrics, SessionCache, SessionDataLoader, LlmSessionService],
  exports: [LlmSessionService, SessionStateModule, ChatHistoryModule],
})
export class LlmSessionsModule {}
