import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { LabelPairHistogram } from './label-pair-histogram';

/**
 * The Prometheus metrics of one app instance, in its own registry (so several apps can share a
 * process in tests). Label values are bounded: unknown RPC methods are counted as "unknown".
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly collectors: Array<() => Promise<void>> = [];
  private readonly textRenderers: Array<() => Promise<string>> = [];

  /** Observed on every RPC call: a histogram cheap to observe, rendered with the registry's metrics. */
  readonly rpcDuration = new LabelPairHistogram({
    name: 'rpc_request_duration_seconds',
    help: 'RPC call latency by method and outcome (ok or error code)',
    labelNames: ['method', 'code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
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

  readonly queueJobs = new Gauge({
    name: 'queue_jobs',
    help: 'Jobs per queue and state, read from Redis when scraped',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Runs before each scrape, e.g. to read queue depths. */
  beforeScrape(collect: () => Promise<void>): void {
    this.collectors.push(collect);
  }

  /** Adds exposition text rendered elsewhere (metrics kept in Redis for a whole fleet). */
  extraText(render: () => Promise<string>): void {
    this.textRenderers.push(render);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    await Promise.allSettled(this.collectors.map((collect) => collect()));
    const extra = await Promise.allSettled(this.textRenderers.map((render) => render()));
    const texts = extra.filter((result): result is PromiseFulfilledResult<string> => result.status === 'fulfilled').map((result) => result.value);
    return { contentType: this.registry.contentType, body: [await this.registry.metrics(), this.rpcDuration.render(), ...texts].join('\n') };
  }
}
