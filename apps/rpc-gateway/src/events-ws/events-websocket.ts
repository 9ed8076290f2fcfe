import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { asError } from '@suite/logging';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '@suite/config';
import { ChannelSubscriber, EventReplay, STREAM_ID_PATTERN } from '@suite/events';
import { MetricsService } from '@suite/metrics';
import { buildUserChannel } from '@suite/redis-namespaces';
import { ServiceToken } from '@suite/rpc-server';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { EventStreamSession } from './event-stream-session';

export const EVENTS_WS_PATH = '/ws/events';
const PING_INTERVAL_MS = 30_000;

function reject(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * `GET /ws/events?user_id=…&since=…` (WebSocket): streams a user's events as JSON text frames.
 * Auth: `Authorization: Bearer <token>` (or `?token=` for clients that cannot set headers).
 * With `since=<event id>` the stream starts with every event after it that is still kept.
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
    if (url.pathname !== EVENTS_WS_PATH) return reject(socket, 404, 'Not Found');
    const authorized = this.token.verifyHeader(request.headers.authorization) || this.token.verifyToken(url.searchParams.get('token') ?? undefined);
    if (!authorized) return reject(socket, 401, 'Unauthorized');
    const userId = url.searchParams.get('user_id');
    const since = url.searchParams.get('since') ?? undefined;
    if (!userId || userId.length > 256 || (since !== undefined && !STREAM_ID_PATTERN.test(since))) return reject(socket, 400, 'Bad Request');
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
      () => reject(socket, 503, 'Service Unavailable'),
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
