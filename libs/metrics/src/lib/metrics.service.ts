import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { LabelPairHistogram } from './label-pair-histogram';

/**
 * The Prometheus metrics of one app instance, in one prom-client registry of its own (so several
 * apps can share a process in tests); `/metrics` is that registry rendered. Metrics read at scrape
 * time are gauges with a `collect()` callback or a CollectedHistogram, registered on `registry` by
 * the code that knows how to read them. Label values are bounded: unknown RPC methods count as "unknown".
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  /** Observed on every RPC call: a histogram cheap to observe (see LabelPairHistogram). */
  readonly rpcDuration = new LabelPairHistogram({
    name: 'rpc_request_duration_seconds',
    help: 'RPC call latency by method and outcome (ok or error code)',
    labelNames: ['method', 'code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
    registers: [this.registry],
  });

  readonly rpcErrors = new Counter({
    name: 'rpc_errors_total',
    help: 'RPC errors by namespace and error code',
    labelNames: ['namespace', 'code'] as const,
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'events_published_total',
    help: 'Events published to clients by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly websocketConnections = new Gauge({
    name: 'websocket_connections',
    help: 'Open WebSocket event connections on this instance',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
