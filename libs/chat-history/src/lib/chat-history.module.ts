import { Module } from '@nestjs/common';
import { ChatHistoryMetrics } from './chat-history.metrics';
import { ChatHistoryStore } from './chat-history.store';

/** The chat history store (needs ConfigModule, RedisModule and MetricsModule). */
@Module({ providers: [ChatHistoryMetrics, ChatHistoryStore], exports: [ChatHistoryStore] })
export class ChatHistoryModule {}
