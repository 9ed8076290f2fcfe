import { Injectable } from '@nestjs/common';
import { MetricsService } from '@suite/metrics';
import { Counter } from 'prom-client';

@Injectable()
export class ChatHistoryMetrics {
  readonly appended: Counter<'role'>;
  readonly trimmed: Counter;

  constructor(metrics: MetricsService) {
    this.appended = new Counter({
      name: 'chat_messages_appended_total',
      help: 'Chat messages appended to a thread history, by role',
      labelNames: ['role'] as const,
      registers: [metrics.registry],
    });
    this.trimmed = new Counter({
      name: 'chat_messages_trimmed_total',
      help: 'Oldest chat messages dropped to keep CHAT_HISTORY_MAX_MESSAGES',
      registers: [metrics.registry],
    });
  }
}
