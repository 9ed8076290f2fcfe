import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { asError } from '@suite/logging';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '@suite/config';
import { ChannelSubscriber, EventReplay } from '@suite/events';
import { MetricsService } from '@suite/metrics';
import { buildUserChannel } from '@suite/redis-namespaces';
import { RpcError } from '@suite/rpc-contract';
import { ServiceToken } from '@suite/rpc-server';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { EventStreamSession } from './event-stream-session';
import { parseStreamRequest, refusals, refuseUpgrade } from './upgrade-refusal';

export const EVENTS_WS_PATH = '/ws/events';
const PING_INTERVAL_MS = 30_000;

/**
 * `GET /ws/events?user_id=…&since=…` (WebSocket): streams a user's events as JSON text frames.
 * Auth: `Authorization: Bearer <token>` (or `?token=` for clients that cannot set headers).
 * With `since=<event id>` the stream starts with every event after it that is still kept. Then one
 * frame `{"type": "replay.done", "last_id"}` says the replay is over: what follows is live.
 * A refused upgrade answers with the RPC error envelope as its body (the reason and what to fix).
 */
@Injectable()
export class EventsWebSocket implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventsWebSocket');
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private pingTimer?: NodeJS.Timeout;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
    private readonly token: ServiceToken,
    private readonly subscriber: ChannelSubscriber,
    private readonly replay: EventReplay,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    const httpServer = this.adapterHost.httpAdapter.getHttpServer() as Server;
    httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head));
    this.pingTimer = setInterval(() => {
      for (const client of this.server.clients) {
        if ((client as WebSocket & { alive?: boolean }).alive === false) client.terminate();
        else {
          (client as WebSocket & { alive?: boolean }).alive = false;
          client.ping();
        }
      }
    }, PING_INTERVAL_MS);
    this.pingTimer.unref();
  }

  /** Says goodbye to every client (1001), so the HTTP server can close; called first when draining. */
  closeAll(): void {
    clearInterval(this.pingTimer);
    for (const client of this.server.clients) {
      client.close(1001, 'server shutting down');
      setTimeout(() => client.terminate(), 1000).unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closeAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Until ws takes the socket over, nothing else listens for its errors: a reset would crash the process.
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://gateway');
    if (url.pathname !== EVENTS_WS_PATH) return refuseUpgrade(socket, refusals.notFound(url.pathname));
    const queryToken = url.searchParams.get('token') ?? undefined;
    const authorized = this.token.verifyHeader(request.headers.authorization) || this.token.verifyToken(queryToken);
    if (!authorized) return refuseUpgrade(socket, refusals.unauthorized(request.headers.authorization !== undefined || queryToken !== undefined));
    const parsed = parseStreamRequest(url);
    if (parsed instanceof RpcError) return refuseUpgrade(socket, parsed);
    const { userId, since } = parsed;
    const session = new EventStreamSession(userId, buildUserChannel(this.config.LISTENERS_CHANNEL_PREFIX, userId), this.subscriber, this.replay);
    let opened = false;
    // A handshake that never completes (client gone, invalid key) must not leave its session buffering.
    socket.once('close', () => {
      if (!opened) void session.stop();
    });
    session.subscribe().then(
      () =>
        this.server.handleUpgrade(request, socket, head, (client) => {
          opened = true;
          void this.open(client, session, userId, since);
        }),
      () => refuseUpgrade(socket, refusals.unavailable()),
    );
  }

  private async open(client: WebSocket, session: EventStreamSession, userId: string, since: string | undefined): Promise<void> {
    (client as WebSocket & { alive?: boolean }).alive = true;
    client.on('pong', () => ((client as WebSocket & { alive?: boolean }).alive = true));
    client.on('close', () => {
      this.metrics.websocketConnections.dec();
      this.logger.log({ event: 'ws_disconnect', user_id: userId });
      void session.stop();
    });
    this.metrics.websocketConnections.inc();
    this.logger.log({ event: 'ws_connect', user_id: userId, since });
    try {
      await session.attach(client, since);
    } catch (error) {
      this.logger.warn({ event: 'ws_start_failed', user_id: userId, error: asError(error).message });
      client.close(1011, 'could not start the event stream');
    }
  }
}
