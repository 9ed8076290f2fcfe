import { Injectable } from '@nestjs/common';
import { MetricsService } from '@suite/metrics';
import { Counter, Histogram } from 'prom-client';

@Injectable()
export class LlmSessionMetrics {
  readonly initialized: Counter<'status' | 'source'>;
  readonly initializeSeconds: Histogram<'source'>;
  readonly presenceChanges: Counter<'change'>;

  constructor(metrics: MetricsService) {
    this.initialized = new Counter({
      name: 'llm_sessions_initialized_total',
      help: 'LLM.initialize_session calls by outcome (created or refreshed) and where the data came from (cache or firestore)',
      labelNames: ['status', 'source'] as const,
      registers: [metrics.registry],
    });
    this.initializeSeconds = new Histogram({
      name: 'llm_session_initialize_seconds',
      help: 'Time to initialize an LLM session, by data source',
      labelNames: ['source'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [metrics.registry],
    });
    this.presenceChanges = new Counter({
      name: 'llm_session_presence_changes_total',
      help: 'enter_chat, switch_thread and leave_chat calls that changed a session',
      labelNames: ['change'] as const,
      registers: [metrics.registry],
    });
  }
}
