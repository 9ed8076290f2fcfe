import { Injectable, Optional } from '@nestjs/common';
import { MetricsService } from '@suite/metrics';
import { Counter } from 'prom-client';

/** Counted on the app's registry where it has one (the gateway's /metrics); apps without one (the task-worker) count nothing. */
@Injectable()
export class ChatHistoryMetrics {
  readonly appended: Counter<'role'>;
  readonly trimmed: Counter;

  constructor(@Optional() metrics?: MetricsService) {
    const registers = metrics ? [metrics.registry] : [];
    this.appended = new Counter({
      name: 'chat_messages_appended_total',
      help: 'Chat messages appended to a thread history, by role',
      labelNames: ['role'] as const,
      registers,
    });
    this.trimmed = new Counter({
      name: 'chat_messages_trimmed_total',
      help: 'Oldest chat messages dropped to keep CHAT_HISTORY_MAX_MESSAGES',
      registers,
    });
  }
}
